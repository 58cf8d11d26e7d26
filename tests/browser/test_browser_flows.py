"""The web shell in a real browser: sign-in, lists, filters, detail, edit, language, scope,
masking, and the offline map."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import Guard, Live, sign_in

pytestmark = pytest.mark.browser

SHOTS = "/tmp"


def row_names(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The second column (name) of every row of the list table."""
    return page.locator("table.list tbody tr[data-id] td:nth-child(2)").all_inner_texts()


def test_sign_in_wrong_then_right_password(page, live: Live) -> None:  # type: ignore[no-untyped-def]
    sign_in_page = page.goto("/login")
    assert sign_in_page.status == 200
    page.fill("#username", "reg_admin")
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    assert page.locator("p.error[role=alert]").inner_text() == "用户名或密码错误"
    assert "/login" in page.url
    page.fill("#password", "correct-horse-9")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.url}/")
    assert page.locator("h1").inner_text() == "辖区概况"
    sites = page.locator("[data-card='1'] [data-count]").first.inner_text()
    assert sites == "4"  # four sites in the district
    assert page.locator("[data-card='hazards']").count() == 1  # the hazard loop at a glance
    assert page.locator(".who").inner_text().startswith("reg_admin")
    page.screenshot(path=f"{SHOTS}/gaswarden_home.png", full_page=True)


def test_list_filter_and_detail(page, live: Live) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "reg_admin")
    page.click("nav.nav >> text=场站与用户")
    page.wait_for_url(re.compile(r"/sites$"))
    assert len(row_names(page)) == 4
    assert page.locator("[data-total]").first.inner_text() == "4"
    page.screenshot(path=f"{SHOTS}/gaswarden_sites.png", full_page=True)
    page.select_option("#f-kind", "gate_station")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"kind=gate_station"))
    assert row_names(page) == ["东昌门站"]
    assert page.locator("table.list .badge").first.inner_text() == "门站"
    page.click("table.list tbody tr[data-id] td:first-child a")
    page.wait_for_url(re.compile(rf"/sites/{live.world.ids['gate']}$"))
    assert page.locator("h1").inner_text() == "东昌门站"
    body = page.locator("main").inner_text()
    assert "139****5678" in body  # the contact phone, masked
    assert "13912345678" not in page.content()
    assert "聊城东昌燃气有限公司" in body  # the owner by name, not by id


def test_edit_and_save_records_an_audit_entry(page, live: Live) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "reg_admin")
    box = live.world.ids["box"]
    page.goto(f"/sites/{box}")
    page.click("[data-edit]")
    page.wait_for_url(re.compile(rf"/sites/{box}/edit$"))
    page.select_option("#f-status", "suspended")
    page.fill("#f-notes", "调压箱外壳锈蚀，停用整改")
    page.fill("#f-reason", "巡查发现隐患")
    page.click("[data-save]")
    page.wait_for_url(re.compile(rf"/sites/{box}\?saved=1$"))
    assert page.locator(".notice").inner_text() == "已保存"
    main = page.locator("main").inner_text()
    assert "调压箱外壳锈蚀，停用整改" in main and "停业整改" in main
    history = page.locator("#history tbody tr").first
    assert "巡查发现隐患" in history.inner_text()
    assert "reg_admin" in history.inner_text()
    assert "状态: 运营中 → 停业整改" in history.inner_text()
    page.goto("/audit?entity_type=site&action=update")
    assert "巡查发现隐患" in page.locator("table.audit").inner_text()


def test_edit_shows_field_errors_next_to_fields(page, live: Live) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "reg_admin")
    page.goto(f"/sites/{live.world.ids['filling']}/edit")
    page.fill("#f-code", "S-A-GATE")  # already used by the gate station
    page.click("[data-save]")
    error = page.locator(".field.has-error .field-error")
    assert error.count() == 1 and error.get_attribute("data-field") == "code"
    page.goto(f"/sites/{live.world.ids['filling']}")
    assert page.locator("h1").inner_text() == "鲁通储配站"


def test_switch_language_and_back(page, live: Live) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "reg_admin")
    page.goto("/sites")
    page.click(".lang >> text=English")
    page.wait_for_url(re.compile(r"/sites$"))
    assert page.locator("h1").inner_text() == "Sites"
    assert page.locator("nav.nav a.here").inner_text() == "Sites"
    assert "Gate station" in page.locator("table.list").inner_text()
    page.click(".lang >> text=中文")
    page.wait_for_url(re.compile(r"/sites$"))
    assert page.locator("h1").inner_text() == "场站与用户"


def test_enterprise_cannot_see_another_enterprise_site(page, live: Live) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "ent_b_admin")
    response = page.goto(f"/sites/{live.world.ids['gate']}")
    assert response.status == 404
    assert page.locator(".error-page h1").inner_text().startswith("404")
    assert "东昌门站" not in page.content()
    page.goto("/sites")
    assert sorted(row_names(page)) == sorted(["鲁通储配站", "鲁通古楼供应站"])


def test_grid_supervisor_sees_only_their_grid(page, live: Live) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "grid_sup")
    page.goto("/sites")
    assert sorted(row_names(page)) == sorted(["东昌门站", "鲁通古楼供应站"])
    assert page.locator("[data-new]").count() == 0
    response = page.goto(f"/sites/{live.world.ids['filling']}")
    assert response.status == 404


def test_inspector_has_no_edit_button(page, live: Live) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "inspector")
    page.goto(f"/sites/{live.world.ids['gate']}")
    assert page.locator("h1").inner_text() == "东昌门站"
    assert page.locator("[data-edit]").count() == 0
    assert page.locator("[data-delete]").count() == 0
    assert page.locator("#history").count() == 0  # no audit rights, no history
    assert page.locator("nav.nav >> text=审计日志").count() == 0


def test_map_draws_offline(page, live: Live, guard: Guard) -> None:  # type: ignore[no-untyped-def]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    sign_in(page, "reg_admin")
    page.click("nav.nav >> text=地图")
    page.wait_for_selector("#map.js-plotly-plot[data-ready='1']")
    traces = page.evaluate("document.getElementById('map').data.map(t => t.name)")
    assert "门站" in traces and "压力监测仪" in traces  # site and device layers
    assert "古楼一网格" in traces  # a grid polygon
    assert page.locator("#map .main-svg").count() > 0
    assert page.locator("[data-points]").inner_text() == "8"  # 4 sites + 4 devices
    page.screenshot(path=f"{SHOTS}/gaswarden_map.png", full_page=True)
    assert guard.blocked == []
    assert all(u.startswith(live.url) or u.startswith("data:") for u in requests), requests


def test_map_respects_scope_and_kind_filter(page, live: Live, guard: Guard) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "grid_sup")
    page.goto("/map")
    page.wait_for_selector("#map[data-ready='1']")
    assert page.locator("[data-points]").inner_text() == "4"  # 2 sites + their 2 devices
    traces = page.evaluate("document.getElementById('map').data.map(t => t.name)")
    assert "古楼一网格" in traces and "柳园一网格" not in traces
    page.select_option("#f-layer", "sites")
    page.select_option("#f-site_kind", "gate_station")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("#map[data-ready='1']")
    assert page.locator("[data-points]").inner_text() == "1"
    assert guard.blocked == []


def test_phone_sized_screen(browser, live: Live) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    sign_in(page, "reg_admin")
    page.goto("/sites")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=f"{SHOTS}/gaswarden_phone.png", full_page=True)
    context.close()
