"""The statistics page in a real browser, on a desktop and on a phone-sized screen: the figure
cards show the known history's figures (tests/hazard/stats_history.py, October 2026), the four
plotly charts are drawn with data, offline; the hazard map draws the closed illegal sites."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy.orm import sessionmaker

from gaswarden.db.session import make_engine
from gaswarden.domains.enforcement.enums import ClosureKind
from tests.browser.conftest import Guard, Live, sign_in
from tests.enforcement.helpers import decide_closure, open_unlicensed
from tests.hazard import stats_history
from tests.hazard.helpers import who

pytestmark = pytest.mark.browser

SHOTS = "/tmp"
PHONE = {"width": 375, "height": 667}
CHARTS = ("months", "areas", "categories", "sources")


@pytest.fixture(scope="module")
def history(live: Live) -> int:
    """October 2026's history and one executed closure, committed to the live server's data."""
    assert live.settings is not None
    engine = make_engine(live.settings)
    with sessionmaker(bind=engine, expire_on_commit=False)() as session:
        stats_history.build(session, live.world)
        reg = who(session, live.world, "reg_staff")
        case = open_unlicensed(session, reg, party_name="浏览器测试非法充装点")
        decide_closure(session, reg, case, ClosureKind.FILLING_STATION)
        session.commit()
        case_id = int(case.id)
    engine.dispose()
    return case_id


@pytest.fixture
def phone(browser, live: Live, guard: Guard) -> Iterator[object]:  # type: ignore[no-untyped-def]
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


def figure(page, name: str) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator(f"[data-figure='{name}']").inner_text()).strip()


def charts_drawn(page) -> None:  # type: ignore[no-untyped-def]
    for name in CHARTS:
        page.wait_for_selector(f"#chart-{name}[data-ready='1']")
        traces = page.evaluate(f"document.getElementById('chart-{name}').data.length")
        assert traces >= 1, name
        assert page.locator(f"#chart-{name} .main-svg").count() > 0, name
    found = page.evaluate("document.getElementById('chart-months').data[0].y")
    assert found == [6]  # October's six hazards found
    pie = page.evaluate("document.getElementById('chart-sources').data[0].values")
    assert sum(pie) == 6


def test_statistics_page_draws_cards_and_charts(  # type: ignore[no-untyped-def]
    page, phone, live: Live, guard: Guard, history: int
) -> None:
    sign_in(page, "reg_admin")
    page.click("nav.nav >> text=统计分析")
    page.wait_for_url("**/statistics")
    page.fill("#f-month", "2026-10")
    page.click("form[data-stats-filters] button[type=submit]")
    page.wait_for_url("**/statistics?month=2026-10**")
    assert figure(page, "found") == "6" and figure(page, "closed") == "3"
    assert figure(page, "rectification_rate") == "50.0%"
    assert figure(page, "on_time_rate") == "66.7%"
    assert figure(page, "completion_rate") == "50.0%"
    assert figure(page, "systems_improved") == "1"
    assert page.locator("[data-figure]").count() == 13
    charts_drawn(page)
    assert page.locator("[data-download='xlsx']").get_attribute("href") == (
        "/api/v1/reports/hazards?month=2026-10&format=xlsx"
    )
    page.screenshot(path=f"{SHOTS}/gaswarden_statistics.png", full_page=True)

    # on a phone: the same figures, the charts fit, nothing scrolls sideways
    sign_in(phone, "ent_a_admin")
    phone.goto("/statistics?month=2026-10")
    assert figure(phone, "found") == "4"  # ent_a's own: H1 H4 H5 H8
    assert figure(phone, "overdue") == "1"  # H4 (H6 is ent_b's)
    for name in CHARTS:
        phone.wait_for_selector(f"#chart-{name}[data-ready='1']")
        box = phone.locator(f"#chart-{name}").bounding_box()
        assert box is not None and box["width"] <= PHONE["width"]
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
    phone.screenshot(path=f"{SHOTS}/gaswarden_statistics_phone.png", full_page=True)
    assert guard.blocked == []


def test_hazard_map_shows_closed_illegal_sites(  # type: ignore[no-untyped-def]
    page, live: Live, guard: Guard, history: int
) -> None:
    sign_in(page, "reg_staff")
    page.goto("/hazards/map")
    page.wait_for_selector("#hazard-map[data-closures='1'], #hazard-map[data-closures]")
    page.wait_for_function(
        "document.getElementById('hazard-map').data.some(t => (t.name || '').startsWith('✕'))"
    )
    urls = page.evaluate(
        "document.getElementById('hazard-map').data.flatMap(t => t.customdata || [])"
    )
    assert f"/enforcement/{history}" in urls
    legend = page.locator("[data-closures-legend]")
    assert legend.is_visible() and "非法液化气充装站" in legend.inner_text()
    assert guard.blocked == []
