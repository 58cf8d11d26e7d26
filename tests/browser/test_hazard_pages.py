"""The hazard loop on the pages in a real browser: the regulator reports a hazard at the gate
station; the enterprise, on a phone-sized screen, starts and submits the rectification with a
photo; the regulator sends it back once with a reason; the enterprise resubmits; the regulator
verifies and the hazard shows 已销号 (closed). The hazard map draws the open hazard."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from PIL import Image

from tests.browser.conftest import Guard, Live, sign_in

pytestmark = pytest.mark.browser

SHOTS = "/tmp"
PHONE = {"width": 375, "height": 667}
TITLE = "门站放散管阀门锈蚀"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "#2e9e4f").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def phone(browser, live: Live, guard: Guard) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A phone-sized browser context, local requests only."""
    context = browser.new_context(
        base_url=live.url, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
    )

    def only_local(route) -> None:  # type: ignore[no-untyped-def]
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            guard.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def status(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator("h1 + .actions [data-status-label]").inner_text())


def no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"


def test_rectification_sent_back_once_then_verified(page, phone, live: Live, guard: Guard) -> None:  # type: ignore[no-untyped-def]
    # the regulator reports the hazard, handed to the gate station's enterprise at once
    sign_in(page, "reg_staff")
    page.click("nav.nav >> text=隐患")
    page.wait_for_url(re.compile(r"/hazards$"))
    page.click("[data-new-hazard]")
    page.select_option("#f-grade", "general")
    page.fill("#f-category", "工艺设备")
    page.fill("#f-title", TITLE)
    page.fill("#f-description", "放散管根部阀门锈蚀，开关不灵活")
    page.select_option("#f-site_id", str(live.world.ids["gate"]))
    page.select_option("#f-assign", "true")
    page.click("form[data-hazard-form] button[type=submit]")
    page.wait_for_url(re.compile(r"/hazards/\d+\?done=report$"))
    hazard_url = urlsplit(page.url).path
    assert status(page) == "已交办"

    # the enterprise, on a phone: the list is cards, nothing scrolls sideways
    sign_in(phone, "ent_a_staff")
    phone.goto("/hazards")
    card = phone.locator("tr.hz-row", has_text=TITLE)
    assert card.is_visible()
    assert phone.locator("table.hz-list thead").is_hidden()
    no_sideways_scroll(phone)
    phone.screenshot(path=f"{SHOTS}/gaswarden_hazards_phone.png", full_page=True)
    card.locator("a", has_text=TITLE).click()
    phone.wait_for_url(re.compile(hazard_url + "$"))
    no_sideways_scroll(phone)
    phone.click("form[data-step=start] button[type=submit]")
    phone.wait_for_url(re.compile(r"\?done=start"))
    assert status(phone) == "整改中"
    submit = phone.locator("form[data-step=submit]")
    submit.locator("textarea[name=description]").fill("已更换放散管阀门")
    submit.locator("input[name=photos]").set_input_files(
        files=[{"name": "valve.png", "mimeType": "image/png", "buffer": png()}]
    )
    submit.locator("button[type=submit]").click()
    phone.wait_for_url(re.compile(r"\?done=submit"))
    assert status(phone) == "待验收"
    photo = phone.locator("[data-round='1'] .hz-photos img")
    assert photo.count() == 1
    handle = photo.element_handle()
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=handle)
    assert phone.evaluate("img => img.naturalWidth", handle) == 64  # it loads

    # the regulator sends it back once, with a reason (none: refused on the page)
    page.goto(hazard_url)
    assert status(page) == "待验收"
    back = page.locator("form[data-step=return]")
    back.locator("textarea[name=note]").evaluate("el => el.removeAttribute('required')")
    back.locator("button[type=submit]").click()
    assert page.locator("[data-error-for=return]").is_visible()
    assert status(page) == "待验收"
    back = page.locator("form[data-step=return]")
    back.locator("textarea[name=note]").fill("照片未显示阀门铭牌，请补充")
    back.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"\?done=return"))
    assert status(page) == "整改中"

    # the enterprise sees why and resubmits
    phone.goto(hazard_url)
    assert status(phone) == "整改中"
    first = phone.locator("[data-round='1']")
    assert first.get_attribute("data-verdict") == "returned"
    assert "照片未显示阀门铭牌" in first.inner_text()
    submit = phone.locator("form[data-step=submit]")
    submit.locator("textarea[name=description]").fill("已补充阀门铭牌照片")
    submit.locator("button[type=submit]").click()
    phone.wait_for_url(re.compile(r"\?done=submit"))
    assert status(phone) == "待验收"
    no_sideways_scroll(phone)
    phone.screenshot(path=f"{SHOTS}/gaswarden_hazard_phone.png", full_page=True)

    # the regulator verifies: closed (销号)
    page.goto(hazard_url)
    page.locator("form[data-step=verify] button[type=submit]").click()
    page.wait_for_url(re.compile(r"\?done=verify"))
    assert status(page) == "已销号"
    events = page.locator("#timeline li").evaluate_all(
        "els => els.map(e => e.getAttribute('data-event'))"
    )
    assert events == [
        "reported",
        "assigned",
        "started",
        "submitted",
        "returned",
        "submitted",
        "verified",
    ]
    assert page.locator("[data-round='2']").get_attribute("data-verdict") == "accepted"
    page.screenshot(path=f"{SHOTS}/gaswarden_hazard_closed.png", full_page=True)
    phone.goto(hazard_url)
    assert status(phone) == "已销号"
    assert phone.locator("form[data-step=submit]").count() == 0
    assert guard.blocked == []


def test_hazard_map_draws_open_hazards_and_opens_one(page, live: Live, guard: Guard) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "reg_admin")
    page.goto("/hazards/new")
    page.select_option("#f-grade", "major")
    page.fill("#f-category", "储罐")
    page.fill("#f-title", "储罐液位计失灵")
    page.select_option("#f-site_id", str(live.world.ids["filling"]))
    page.click("form[data-hazard-form] button[type=submit]")
    page.wait_for_url(re.compile(r"/hazards/\d+\?done=report$"))
    hazard_path = urlsplit(page.url).path
    page.goto("/hazards/map?grade=major")
    page.wait_for_selector("#hazard-map[data-ready='1']")
    urls = page.evaluate(
        "document.getElementById('hazard-map').data.flatMap(t => t.customdata || [])"
    )
    assert hazard_path in urls
    names = page.evaluate("document.getElementById('hazard-map').data.map(t => t.name)")
    assert "重大隐患" in names and "一般隐患" not in names
    page.screenshot(path=f"{SHOTS}/gaswarden_hazard_map.png", full_page=True)
    assert guard.blocked == []
