"""The forecast / supply-plan, sensor-placement and users'-pressure pages through the
TestClient: zh and en, the chart's data with its band, the plan's nominations and its warning
when the feed's capacity is below the peak, a clear message when the history is too short,
k suggestions away from the monitors on the map and in the table, the area with excursions
worst first, and 404 pages out of scope. Both backends."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.network.models import NetworkFeed
from tests.factories import World
from tests.network.test_api_demand import SET_KPA, outside_band
from tests.network.test_demand import _history
from tests.network.test_web_networks import as_user
from tests.network.watched import MONITORS, Watched, store_watched


@pytest.fixture
def watched(session: Session, world: World) -> Watched:
    return store_watched(session, code="NET-WEB", area_id=world.ids["g11"])


def json_of(html: str, element_id: str) -> dict[str, Any]:
    match = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S
    )
    assert match, f"the page has no {element_id}"
    return json.loads(match.group(1))


def test_forecast_page_draws_the_band_and_the_plan(
    client: TestClient, session: Session, watched: Watched
) -> None:
    nid = watched.network.id
    _history(session, nid, 35)
    session.flush()
    as_user(client, "ent_a_admin")
    r = client.get(f"/networks/{nid}/forecast?days=3")
    assert r.status_code == 200, r.text[:800]
    html = r.text
    assert "需求预测与供气计划" in html and "日前申报" in html and 'aria-current="page"' in html
    chart = json_of(html, "nw-forecast-data")
    f = chart["forecast"]
    assert len(f["x"]) == len(f["y"]) == len(f["low"]) == len(f["high"]) == 72
    assert all(lo <= y <= hi for lo, y, hi in zip(f["low"], f["y"], f["high"], strict=True))
    assert len(chart["actual"]["x"]) == 14 * 24 and chart["labels"]["band"] == "预测区间"
    assert chart["actual"]["x"][-1] < f["x"][0]  # the forecast starts after the actuals
    assert len(re.findall(r'data-nomination="day"', html)) == 1
    assert len(re.findall(r'data-nomination="week"', html)) == 7
    assert "data-no-warnings" in html and "data-warned" not in html
    assert "未设置" in html  # no capacity set yet
    assert 3 <= len(re.findall(r'<tr data-day="', html)) <= 4  # the daily table (and a part day)

    # the feed sized below the peak: the plan warns and marks the days
    feed = session.scalars(select(NetworkFeed).where(NetworkFeed.network_id == nid)).one()
    feed.capacity_m3h = max(f["y"]) * 0.6
    session.flush()
    html = client.get(f"/networks/{nid}/forecast").text
    assert re.search(r'data-warning="capacity" data-level="exceeds"', html)
    assert 'data-warned="exceeds"' in html and "超过气源能力" in html
    assert f"{feed.capacity_m3h:,.0f} m³/h" in html

    client.cookies.set("lang", "en")
    html = client.get(f"/networks/{nid}/forecast").text
    assert "Demand forecast and supply plan" in html and "Day-ahead nomination" in html
    assert "exceeds the feed&#39;s capacity" in html and "预测区间" not in html
    assert json_of(html, "nw-forecast-data")["labels"]["band"] == "Forecast band"


def test_too_short_a_history_says_so(client: TestClient, watched: Watched) -> None:
    as_user(client, "ent_a_admin")
    r = client.get(f"/networks/{watched.network.id}/forecast")
    assert r.status_code == 200
    assert "data-forecast-error" in r.text and "21" in r.text
    assert "nw-forecast-data" not in r.text


def test_placement_page_shows_k_suggestions(client: TestClient, watched: Watched) -> None:
    nid = watched.network.id
    as_user(client, "reg_staff")
    r = client.get(f"/networks/{nid}/placement?k=2")
    assert r.status_code == 200, r.text[:800]
    html = r.text
    assert "监测点布设建议" in html and "加入后200 m内定位率" in html
    rows = re.findall(r'<tr data-rank="(\d+)" data-junction="(\d+)"', html)
    assert [rank for rank, _ in rows] == ["1", "2"]
    picks = {int(j) for _, j in rows}
    assert len(picks) == 2 and not picks & set(MONITORS)
    m = json_of(html, "nw-place-data")
    assert m["placement"]["suggested"]["label"] == ["1", "2"]
    assert len(m["placement"]["existing"]["x"]) == len(MONITORS)
    assert sum(len(layer["pipes"]) for layer in m["pipes"]) == 31
    assert f"data-existing-count>{len(MONITORS)}<" in html
    client.cookies.set("lang", "en")
    html = client.get(f"/networks/{nid}/placement?k=2").text
    assert "Sensor placement" in html and "Located within 200 m after adding" in html


def test_users_pressure_page_lists_the_area_worst_first(
    client: TestClient, session: Session, world: World, watched: Watched
) -> None:
    as_user(client, "ent_a_admin")
    assert 'href="/networks/user-pressure"' in client.get("/networks").text
    html = client.get("/networks/user-pressure").text
    assert "用户压力波动" in html and "所选时段内没有" in html
    outside_band(session, watched, low_kpa=SET_KPA * 0.5)
    html = client.get("/networks/user-pressure?days=1").text
    rows = re.findall(r'<tr data-area="(\d+)" data-excursions="(\d+)"', html)
    assert rows and rows[0] == (str(world.ids["g11"]), "1")
    assert 'class="nw-warned"' in html
    client.cookies.set("lang", "en")
    html = client.get("/networks/user-pressure?days=1").text
    assert "Users&#39; pressure fluctuations" in html and "Time outside" in html


def test_out_of_scope_pages_are_404(client: TestClient, watched: Watched) -> None:
    nid = watched.network.id
    as_user(client, "ent_b_admin")
    for path in (f"/networks/{nid}/forecast", f"/networks/{nid}/placement"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "NET-WEB" not in r.text
    html = client.get("/networks/user-pressure").text
    assert "nw-warned" not in html
