"""/api/v1/networks forecast, plan, placement and users' pressure through the TestClient: the
forecast's band, a plan warning when the feed's capacity is set below the peak, k placement
suggestions away from the existing monitors, an area with excursions when readings outside
the band are stored; another enterprise gets 404. Both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.asset.models import Asset
from gaswarden.domains.device.models import Device
from gaswarden.domains.network.models import NetworkFeed
from gaswarden.domains.telemetry.models import Reading
from tests.factories import World
from tests.network.test_demand import _history
from tests.network.watched import MONITORS, Watched, store_watched

API = "/api/v1/networks"
SET_KPA = 100.0  # the monitors' set point: their band is the alarm rules' first levels around it


@pytest.fixture
def watched(session: Session, world: World) -> Watched:
    return store_watched(session, code="NET-DEM", area_id=world.ids["g11"])


@pytest.fixture
def metered(session: Session, watched: Watched) -> Watched:
    """The watched network with 35 days of hourly inflow (enough to forecast, and fast)."""
    _history(session, watched.network.id, 35)
    session.flush()
    return watched


def outside_band(session: Session, w: Watched, *, low_kpa: float, n: int = 12) -> None:
    """Give the monitors a set point (so they have a band) and store a run of readings of the
    first monitor below it, amid readings at the set point."""
    now = datetime.now(UTC)
    devices = session.scalars(select(Device).where(Device.id.in_(w.pressure_ids))).all()
    for d in devices:
        asset = session.get(Asset, d.asset_id)
        assert asset is not None
        asset.outlet_set_kpa = SET_KPA
    rows = []
    for k in range(n):
        ts = now - timedelta(minutes=5 * (n - k))
        for d in devices:
            value = low_kpa if d.id == w.pressure_ids[0] and 3 <= k < 9 else SET_KPA
            rows.append(
                Reading(device_id=d.id, metric="pressure_kpa", ts=ts, value=value, received_at=ts)
            )
    session.add_all(rows)
    session.flush()


def test_forecast_has_its_band_and_the_actuals(
    client: TestClient, world: World, metered: Watched
) -> None:
    nid = metered.network.id
    r = client.get(f"{API}/{nid}/forecast?days=2", headers=world.headers("ent_a_admin"))
    assert r.status_code == 200, r.text
    fc = r.json()
    assert len(fc["hourly"]) == 48 and len(fc["actual"]) == 14 * 24
    assert all(h["low"] <= h["forecast"] <= h["high"] for h in fc["hourly"])
    assert any(h["high"] > h["low"] for h in fc["hourly"])  # a band, not a line
    assert fc["daily"] and fc["daily"][0]["peak_m3h"] > 0
    r = client.get(f"{API}/{nid}/forecast?days=0", headers=world.headers("reg_staff"))
    assert r.status_code == 422


def test_plan_warns_when_the_capacity_is_below_the_peak(
    client: TestClient, session: Session, world: World, metered: Watched
) -> None:
    nid = metered.network.id
    headers = world.headers("ent_a_admin")
    plan = client.get(f"{API}/{nid}/plan", headers=headers).json()
    assert plan["day_ahead"] is not None and len(plan["week"]) == 7
    assert plan["capacity_m3h"] is None and plan["warnings"] == []
    peak = max(n["peak_m3h"] for n in plan["week"])
    feed = session.scalars(select(NetworkFeed).where(NetworkFeed.network_id == nid)).one()
    feed.capacity_m3h = peak * 0.6
    session.flush()
    plan = client.get(f"{API}/{nid}/plan", headers=headers).json()
    assert plan["capacity_m3h"] == pytest.approx(peak * 0.6)
    capacity = [w for w in plan["warnings"] if w["kind"] == "capacity"]
    assert capacity and {w["level"] for w in capacity} == {"exceeds"}
    assert isinstance(capacity[0]["day"], str) and capacity[0]["message_en"]


def test_placement_suggests_k_new_sites(client: TestClient, world: World, watched: Watched) -> None:
    nid = watched.network.id
    r = client.get(f"{API}/{nid}/placement?k=3", headers=world.headers("reg_staff"))
    assert r.status_code == 200, r.text
    out = r.json()
    assert sorted(e["junction"] for e in out["existing"]) == sorted(MONITORS)
    picks = [s["junction"] for s in out["suggestions"]]
    assert [s["rank"] for s in out["suggestions"]] == [1, 2, 3]
    assert len(set(picks)) == 3 and not set(picks) & set(MONITORS)
    assert all(s["lon"] is not None for s in out["suggestions"])
    assert out["suggestions"][-1]["share_within_200m"] > out["share_existing"] > 0
    r = client.get(f"{API}/{nid}/placement?k=0", headers=world.headers("reg_staff"))
    assert r.status_code == 422


def test_users_pressure_lists_the_area_with_excursions(
    client: TestClient, session: Session, world: World, watched: Watched
) -> None:
    headers = world.headers("ent_a_admin")
    assert client.get(f"{API}/user-pressure", headers=headers).json()["areas"] == []
    outside_band(session, watched, low_kpa=SET_KPA * 0.5)
    r = client.get(f"{API}/user-pressure?days=1", headers=headers)
    assert r.status_code == 200, r.text
    areas = {a["area"]: a for a in r.json()["areas"]}
    area = areas[world.ids["g11"]]
    assert area["excursions"] == 1 and area["below"] == 6 and area["above"] == 0
    assert area["devices"] == 8 and area["share_outside"] > 0
    # another enterprise's scope holds none of these monitors
    other = client.get(f"{API}/user-pressure", headers=world.headers("ent_b_admin")).json()
    assert world.ids["g11"] not in {a["area"] for a in other["areas"]}


def test_out_of_scope_is_not_found(client: TestClient, world: World, watched: Watched) -> None:
    nid = watched.network.id
    for path in ("forecast", "plan", "placement?k=2"):
        r = client.get(f"{API}/{nid}/{path}", headers=world.headers("ent_b_admin"))
        assert r.status_code == 404, path
