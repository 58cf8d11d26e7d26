"""/api/v1/networks through the TestClient: list and read in scope (another enterprise: 404),
GeoJSON with the simulated pressures, the state with residuals, import (good and broken files),
locate now, and the leaks with their handling. Both backends."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.network import leaks
from gaswarden.domains.network.enums import DetectionMethod
from gaswarden.domains.network.models import NetworkLeak, NetworkPipe
from gaswarden.network.model import to_json
from gaswarden.sim.network_twin import Leak
from tests.factories import World
from tests.network.nets import small_net
from tests.network.watched import Watched, store_readings, store_watched

FIXTURES = Path(__file__).parents[1] / "fixtures" / "network"
LEAK_JUNCTION = 13
NEAR_13 = (13, 8, 12, 14, 18)  # junction 13 and its grid neighbours (100 m apart)
API = "/api/v1/networks"


@dataclass
class Leaking:
    watched: Watched
    leak: NetworkLeak


def record_leak(session: Session, w: Watched, now: datetime) -> NetworkLeak:
    """A leak at junction 13 as the watch records it (leaks.record: candidates placed, alarm
    raised on the inlet meter), its zone the pipes within 100 m of junction 13."""
    pipes = session.scalars(
        select(NetworkPipe.index).where(
            NetworkPipe.network_id == w.network.id,
            (NetworkPipe.from_junction.in_(NEAR_13)) | (NetworkPipe.to_junction.in_(NEAR_13)),
        )
    ).all()
    finding = leaks.Finding(
        method=DetectionMethod.RESIDUAL_GLR,
        at=now,
        window_start=now - timedelta(minutes=6),
        window_end=now,
        leak_kg_s=0.0027,
        leak_share=0.08,
        localisation={
            "candidates": [
                {"junction_id": j, "probability": p, "score": 1.0 + k, "leak_kg_s": 0.0027}
                for k, (j, p) in enumerate(((13, 0.55), (12, 0.2), (18, 0.15), (8, 0.1)))
            ],
            "zone": {"centres": [13], "radius_m": 100.0, "pipes": list(pipes), "length_m": 400.0},
        },
        segments=[{"valves": ["V-13a", "V-13b"], "pipes": list(pipes), "customers": 3}],
        residuals={s: -35.0 for s in w.serials},
        excluded=[],
    )
    return leaks.record(
        session, network=w.network, finding=finding, flow_device_id=w.flow_id, principal=SYSTEM
    )


def make_leaking(session: Session, world: World) -> Leaking:
    """The small watched network with 20 minutes of readings of an 8 % leak at junction 13 up
    to now, and the leak recorded as the watch records one (with its alarm)."""
    w = store_watched(session, code="NET-API", area_id=world.ids["g11"])
    twin = w.twin(session)
    now = datetime.now(UTC)
    kg_s = twin.hour_demand_m3h(now) * twin.density / 3600 * 0.08
    twin.leak = Leak(LEAK_JUNCTION, kg_s, 0.08, 0.0, 0.0)
    store_readings(session, w, twin, end=now)
    return Leaking(w, record_leak(session, w, now))


@pytest.fixture
def leaking(session: Session, world: World) -> Leaking:
    return make_leaking(session, world)


def test_list_and_read_in_scope_only(client: TestClient, world: World, leaking: Leaking) -> None:
    nid = leaking.watched.network.id
    r = client.get(API, headers=world.headers("ent_a_admin"))
    assert r.status_code == 200
    assert [n["code"] for n in r.json()["items"]] == ["NET-API"]
    r = client.get(API, headers=world.headers("reg_staff"), params={"q": "NET-API"})
    assert r.json()["total"] == 1
    assert client.get(API, headers=world.headers("ent_b_admin")).json()["total"] == 0

    one = client.get(f"{API}/{nid}", headers=world.headers("ent_a_admin")).json()
    assert (one["junctions"], one["pipes"], one["feeds"]) == (30, 31, 1)
    assert (one["pressure_sensors"], one["flow_meters"], one["open_leaks"]) == (8, 1, 1)
    assert one["owner_id"] == world.ids["ent_a"] and one["feed_list"][0]["flow_device_id"]

    for path in ("", "/geojson", "/state", "/leaks"):
        r = client.get(f"{API}/{nid}{path}", headers=world.headers("ent_b_admin"))
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("application/problem+json")
    r = client.get(f"{API}/leaks/{leaking.leak.id}", headers=world.headers("ent_b_admin"))
    assert r.status_code == 404


def test_geojson_and_state(client: TestClient, world: World, leaking: Leaking) -> None:
    nid = leaking.watched.network.id
    plain = client.get(f"{API}/{nid}/geojson", headers=world.headers("reg_staff")).json()
    assert plain["type"] == "FeatureCollection"
    kinds = [f["properties"]["kind"] for f in plain["features"]]
    assert kinds.count("junction") == 30 and kinds.count("pipe") == 31
    assert "pressure_kpa" not in plain["features"][0]["properties"]
    pipe = next(f for f in plain["features"] if f["properties"]["kind"] == "pipe")
    assert pipe["geometry"]["type"] == "LineString"
    lon, lat = pipe["geometry"]["coordinates"][0]
    assert 115.9 < lon < 115.95 and 36.4 < lat < 36.45

    rich = client.get(f"{API}/{nid}/geojson?state=1", headers=world.headers("reg_staff")).json()
    feed = next(f for f in rich["features"] if f["id"] == "J0")
    assert feed["properties"]["pressure_kpa"] == pytest.approx(100.0, abs=0.01)  # 1 bar gauge
    far = [f["properties"]["pressure_kpa"] for f in rich["features"]]
    assert all(p is not None and 90 < p <= 100.001 for p in far)

    st = client.get(f"{API}/{nid}/state", headers=world.headers("ent_a_admin")).json()
    assert st["source"] == "metered" and st["inflow_m3h"] > 0
    assert len(st["sensors"]) == 8
    assert all(s["residual_pa"] is not None for s in st["sensors"])
    # the leak pulls the pressures down: the monitors read below the leak-free estimate
    assert min(s["residual_pa"] for s in st["sensors"]) < -20
    assert st["lowest"]["kpa"] < 100 and st["junction_kpa"]["0"] == pytest.approx(100, abs=0.01)


def test_import_good_and_broken_files(client: TestClient, world: World) -> None:
    headers = world.headers("ent_a_admin")
    body = {
        "code": "API-GJ",
        "name": "接口导入管网",
        "content": (FIXTURES / "small.geojson").read_text(encoding="utf-8"),
        "area_id": world.ids["g11"],
    }
    r = client.post(API, json=body, headers=headers)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["network"]["code"] == "API-GJ" and out["network"]["junctions"] == 14
    assert out["network"]["owner_id"] == world.ids["ent_a"]  # the caller's enterprise
    assert client.post(API, json=body, headers=headers).status_code == 409  # code taken

    pp = {
        "code": "API-PP",
        "name": "pandapipes",
        "format": "pandapipes",
        "content": to_json(small_net()),
        "area_id": world.ids["g11"],
    }
    r = client.post(API, json=pp, headers=headers)
    assert r.status_code == 422 and "origin" in r.text  # where does it lie?
    r = client.post(API, json={**pp, "lon": 115.92, "lat": 36.42}, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["network"]["pipes"] == 31

    r = client.post(API, json={**body, "code": "API-X", "content": "{not json"}, headers=headers)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem")
    broken = json.loads((FIXTURES / "small.geojson").read_text(encoding="utf-8"))
    broken["features"] = [f for f in broken["features"] if f["geometry"]["type"] != "Point"]
    r = client.post(
        API, json={**body, "code": "API-B", "content": json.dumps(broken)}, headers=headers
    )
    assert r.status_code == 422
    r = client.post(API, json={**body, "code": "API-V"}, headers=world.headers("viewer"))
    assert r.status_code in (403, 404)


def test_locate_and_handle_the_leak(client: TestClient, world: World, leaking: Leaking) -> None:
    nid = leaking.watched.network.id
    headers = world.headers("ent_a_admin")
    r = client.post(f"{API}/{nid}/locate", headers=headers)
    assert r.status_code == 200, r.text
    found = r.json()
    assert found["network_id"] == nid and found["snapshots"] >= 3 and found["sensors"] == 8
    if found["detected"]:  # the open leak is refined, not a second one raised
        assert found["leak_id"] == leaking.leak.id
    r = client.post(f"{API}/{nid}/locate", headers=world.headers("viewer"))
    assert r.status_code in (403, 404)

    listed = client.get(f"{API}/{nid}/leaks", headers=headers).json()
    assert [lk["id"] for lk in listed] == [leaking.leak.id]
    one = client.get(f"{API}/leaks/{leaking.leak.id}", headers=headers).json()
    assert one["status"] == "suspected" and one["alarm_id"] is not None
    assert one["candidates"][0]["rank"] == 1 and one["zone"]["pipes"]
    assert client.get(f"{API}/{nid}/leaks?status=repaired", headers=headers).json() == []

    url = f"{API}/leaks/{leaking.leak.id}/status"
    r = client.post(url, json={"status": "confirmed", "note": "现场检测确认"}, headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    r = client.post(url, json={"status": "false_alarm"}, headers=headers)
    assert r.status_code == 422  # a confirmed leak is repaired, not dismissed
    r = client.post(url, json={"status": "repaired"}, headers=world.headers("ent_b_admin"))
    assert r.status_code == 404
    r = client.post(url, json={"status": "repaired"}, headers=headers)
    assert r.json()["status"] == "repaired"
    one = client.get(f"{API}/{nid}", headers=headers).json()
    assert one["open_leaks"] == 0
