"""The forecast page in Chromium: a small network with 35 days of metered inflow draws its
chart (the actuals, the forecast and its band; plotly from the wheel, nothing from the
internet) and the supply plan lists the day-ahead and week-ahead nominations."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker

from gaswarden.db.session import make_engine
from tests.browser.conftest import Guard, Live, sign_in
from tests.network.test_demand import _history
from tests.network.watched import store_watched

pytestmark = pytest.mark.browser

SHOTS = "/tmp"
CODE = "NET-FC-BROWSER"


def test_the_forecast_page_draws_its_chart_and_the_plan(
    page: Any, live: Live, guard: Guard
) -> None:
    assert live.settings is not None
    engine = make_engine(live.settings)
    with sessionmaker(bind=engine, expire_on_commit=False)() as session:
        watched = store_watched(session, code=CODE, area_id=live.world.ids["g11"])
        _history(session, watched.network.id, 35)
        session.commit()
        nid = watched.network.id
    engine.dispose()

    sign_in(page, "ent_a_admin")
    page.goto(f"/networks/{nid}")
    page.click("[data-tab='forecast']")
    page.wait_for_url(f"**/networks/{nid}/forecast")
    page.wait_for_selector("#nw-forecast-chart[data-ready='1']")
    metas = page.evaluate(
        "document.getElementById('nw-forecast-chart').data.map(t => t.meta || '')"
    )
    assert metas == ["band-low", "band", "actual", "forecast"]
    fill = page.evaluate("document.getElementById('nw-forecast-chart').data[1].fill")
    assert fill == "tonexty"  # the band drawn as a filled area
    assert page.locator("#nw-forecast-chart .scatterlayer .trace").count() == 4
    assert page.locator("[data-day-ahead] tr[data-nomination='day']").count() == 1
    week = page.locator("[data-week] tr[data-nomination='week']")
    assert week.count() == 7
    assert week.first.locator("td").nth(1).inner_text().replace(",", "").isdigit()
    page.screenshot(path=f"{SHOTS}/gaswarden_network_forecast.png", full_page=True)
    assert guard.blocked == []
