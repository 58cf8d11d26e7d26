"""The demo district, loaded once per backend and checked through the public API."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Point, shape

from gaswarden.app import create_app
from gaswarden.db.session import make_session_factory, unit_of_work
from gaswarden.sim import demo_pipes
from gaswarden.sim.demo_district import DEMO_PASSWORD, DEMO_USERS, DemoResult, load_demo
from gaswarden.standards.pressure import pressure_class_for
from tests.conftest import Database, migrated_database

STATION_KINDS = {
    "gate_station",
    "lpg_filling",
    "lpg_supply",
    "lng_station",
    "cng_station",
    "regulator_station",
    "regulator_box",
}


@dataclass
class Demo:
    db: Database
    result: DemoResult
    client: TestClient
    headers: dict[str, dict[str, str]]

    def all(self, path: str, who: str = "reg_admin", **filters: Any) -> list[dict[str, Any]]:
        """Every item of a list endpoint, page by page."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            r = self.client.get(
                f"/api/v1/{path}",
                params={**filters, "size": 500, "page": page},
                headers=self.headers[who],
            )
            assert r.status_code == 200, r.text
            body = r.json()
            items += body["items"]
            if len(items) >= body["total"]:
                return items
            page += 1

    def total(self, path: str, who: str = "reg_admin", **filters: Any) -> int:
        r = self.client.get(
            f"/api/v1/{path}", params={**filters, "size": 1}, headers=self.headers[who]
        )
        assert r.status_code == 200, r.text
        return int(r.json()["total"])


@pytest.fixture(scope="module")
def demo(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    db = migrated_database(backend, tmp_path_factory.mktemp(f"demo-{backend}"))
    try:
        factory = make_session_factory(db.engine)
        with unit_of_work(factory) as session:
            result = load_demo(session, history=False)  # the history: test_demo_history
        with TestClient(create_app(db.settings, session_factory=factory)) as client:
            headers = {}
            for user in DEMO_USERS:
                r = client.post(
                    "/api/v1/auth/token",
                    json={"username": user.username, "password": DEMO_PASSWORD},
                )
                assert r.status_code == 201, (user.username, r.text)
                headers[user.username] = {"Authorization": f"Bearer {r.json()['token']}"}
            yield Demo(db, result, client, headers)
    finally:
        db.cleanup()


def test_loads_every_step_and_counts(demo: Demo) -> None:
    counts = demo.result.counts
    # Every step ran and was timed (the times go to the log; tests don't judge them).
    assert {"areas", "sites", "devices", "users"} <= set(demo.result.steps)
    assert "history" not in demo.result.steps  # loaded without it (--no-history)
    assert "cylinders" not in demo.result.steps  # nor the LPG cylinders and their scans
    assert counts["device"] >= 2000 and counts["site"] >= 150


def test_towns_and_grids(demo: Demo) -> None:
    towns = demo.all("areas", level="town")
    grids = demo.all("areas", level="grid")
    assert 9 <= len(towns) <= 12
    assert {"古楼街道", "柳园街道", "侯营镇"} <= {t["name"] for t in towns}
    by_id = {t["id"]: t for t in towns}
    for grid in grids:
        assert grid["boundary"]["type"] == "Polygon"
        assert grid["supervisor_name"] and grid["supervisor_phone"]
        assert "*" in grid["supervisor_phone"]  # masked in views
        town = by_id[grid["parent_id"]]
        assert shape(town["boundary"]).contains(shape(grid["boundary"]).representative_point())
        assert shape(town["boundary"]).buffer(1e-9).covers(shape(grid["boundary"]))
    assert all(Counter(g["parent_id"] for g in grids)[t["id"]] >= 3 for t in towns)
    polygons = [shape(g["boundary"]) for g in grids]
    for i, a in enumerate(polygons):
        for b in polygons[i + 1 :]:
            assert a.intersection(b).area < 1e-12  # neighbours share edges, never area


def test_sites_lie_in_their_grids(demo: Demo) -> None:
    grids = {g["id"]: shape(g["boundary"]) for g in demo.all("areas", level="grid")}
    sites = demo.all("sites")
    assert len(sites) >= 150
    for site in sites:
        assert site["area_id"] in grids, site["code"]
        assert grids[site["area_id"]].covers(Point(site["lon"], site["lat"])), site["code"]
        assert 115.85 <= site["lon"] <= 116.15 and 36.35 <= site["lat"] <= 36.55


def test_sites_of_every_kind_with_licences_to_flag(demo: Demo) -> None:
    sites = demo.all("sites")
    kinds = Counter(s["kind"] for s in sites)
    assert sum(kinds[k] for k in STATION_KINDS) >= 100
    assert {"valve_well", "restaurant", "commercial", "residential"} <= set(kinds)
    today = date.today()
    expired = demo.total("sites", licence_expiry_to=str(today - timedelta(days=1)))
    soon = demo.total(
        "sites",
        licence_expiry_from=str(today),
        licence_expiry_to=str(today + timedelta(days=30)),
    )
    assert expired >= 1 and soon >= 1
    licensed = [s for s in sites if s["kind"] in ("gate_station", "lpg_supply", "cng_station")]
    assert all(s["licence_no"] and s["licence_expiry"] for s in licensed)


def test_regulators_carry_pressure_monitors(demo: Demo) -> None:
    regulators = demo.all("assets", kind="regulator")
    assert len(regulators) == 400
    for reg in regulators:
        assert 0 < reg["outlet_design_mpa"] < reg["inlet_design_mpa"]
        assert reg["pressure_class"] == pressure_class_for(reg["inlet_design_mpa"]).value
    monitors = demo.all("devices", kind="pressure_monitor")
    # The article's 400 on the regulators, and the modelled network's own monitors.
    assert len(monitors) == 400 + demo_pipes.N_PRESSURE_MONITORS
    on_regulators = [m for m in monitors if not m["serial"].startswith("PM-GL")]
    assert Counter(m["asset_id"] for m in on_regulators) == Counter(
        {r["id"]: 1 for r in regulators}
    )


def test_valve_wells_have_leak_and_intrusion_detectors(demo: Demo) -> None:
    every = demo.all("assets", kind="valve_well")
    # The article's 600 wells with detectors, and the modelled network's shut-off valves.
    wells = {w["id"] for w in every if not w["code"].startswith(demo_pipes.NETWORK_CODE)}
    assert len(wells) == 600 and len(every) == 600 + demo_pipes.N_VALVES
    for kind in ("well_methane", "well_intrusion"):
        detectors = demo.all("devices", kind=kind)
        assert len(detectors) == 600
        assert {d["asset_id"] for d in detectors} == wells
    assert demo.total("sites", kind="valve_well") >= 1


def test_pipes_join_gate_stations_to_regulator_stations(demo: Demo) -> None:
    sites = {(s["lon"], s["lat"]): s["kind"] for s in demo.all("sites")}
    pipes = demo.all("assets", kind="pipe_segment")
    sub_high = [p for p in pipes if p["pressure_class"] == "sub_high_a"]
    assert len(sub_high) == demo.total("sites", kind="regulator_station")
    for pipe in sub_high:
        coords = pipe["geometry"]["coordinates"]
        assert pipe["geometry"]["type"] == "LineString" and pipe["material"] == "steel"
        assert sites[tuple(coords[0])] == "gate_station"
        assert sites[tuple(coords[-1])] == "regulator_station"
        assert pipe["length_m"] > 100 and pipe["diameter_mm"] > 0


def test_household_alarms_and_station_devices(demo: Demo) -> None:
    kinds = {s["id"]: s["kind"] for s in demo.all("sites")}
    alarms = demo.all("devices", kind="household_alarm")
    assert len(alarms) == 500
    assert {kinds[a["site_id"]] for a in alarms} == {"residential", "restaurant"}
    for kind, where in (
        ("laser_methane", STATION_KINDS),
        ("flow_meter", {"gate_station"}),
        ("camera", STATION_KINDS),
    ):
        devices = [d for d in demo.all("devices", kind=kind) if d["site_id"] is not None]
        assert devices and {kinds[d["site_id"]] for d in devices} <= where, kind
    assert demo.total("devices", status="fault") > 0
    assert demo.total("devices", status="maintenance") > 0
    assert demo.total("devices", expiry_to=str(date.today())) > 0
    one = demo.all("devices", kind="camera")[0]
    assert one["model"] and one["maker"] and one["install_date"] and one["report_interval_s"]


def test_rescue_teams_vehicles_and_staff(demo: Demo) -> None:
    rescue = demo.all("teams", kind="rescue")
    assert len(rescue) == 8
    assert sum(t["equipment_sets"] for t in rescue) == 225
    vehicles = demo.all("vehicles")
    assert len(vehicles) == 19
    assert {v["kind"] for v in vehicles} == {"rescue", "lpg_delivery"}
    people = demo.all("people")
    assert len(people) >= 80
    assert all("*" in p["id_number"] and "*" in p["phone"] for p in people)
    assert {p["position"] for p in people} >= {"principal", "rescue", "delivery_worker"}
    assert demo.total("certificates") >= len(people) * 0.9
    agencies = demo.all("organizations", kind="agency")
    assert len(agencies) == 2
    assigned = demo.all("site-assignments")
    assert len(assigned) >= 100 and {a["agency_id"] for a in assigned} == {
        a["id"] for a in agencies
    }


def test_every_demo_user_signs_in_and_sees_data(demo: Demo) -> None:
    for user in DEMO_USERS:
        me = demo.client.get("/api/v1/auth/me", headers=demo.headers[user.username]).json()
        assert me["role"] == user.role.value
        assert demo.total("sites", user.username) > 0, user.username
    wrong = demo.client.post(
        "/api/v1/auth/token", json={"username": "reg_admin", "password": "not-the-password"}
    )
    assert wrong.status_code == 401


def test_enterprise_sees_only_its_own(demo: Demo) -> None:
    me = demo.client.get("/api/v1/auth/me", headers=demo.headers["ent_admin"]).json()
    own = demo.all("sites", "ent_admin")
    assert own and {s["owner_id"] for s in own} == {me["org_id"]}
    assert len(own) == demo.total("sites", owner_id=me["org_id"])
    assert {d["owner_id"] for d in demo.all("devices", "ent_admin", kind="camera")} == {
        me["org_id"]
    }
    lpg = demo.client.get("/api/v1/auth/me", headers=demo.headers["lpg_admin"]).json()
    foreign = demo.all("devices", owner_id=lpg["org_id"], kind="camera")[0]
    r = demo.client.get(f"/api/v1/devices/{foreign['id']}", headers=demo.headers["ent_admin"])
    assert r.status_code == 404


def test_grid_supervisor_sees_only_their_grids(demo: Demo) -> None:
    me = demo.all("users", "grid_gulou")
    assert len(me) == 1
    grid_ids = set(me[0]["grid_ids"])
    town = demo.all("areas", level="town", q="古楼街道")[0]
    assert grid_ids == {g["id"] for g in demo.all("areas", parent_id=town["id"])}
    seen = demo.all("sites", "grid_gulou")
    assert seen and {s["area_id"] for s in seen} <= grid_ids
    assert len(seen) == sum(demo.total("sites", area_id=g) for g in grid_ids)
    devices = demo.all("devices", "grid_gulou", kind="household_alarm")
    assert {d["area_id"] for d in devices} <= grid_ids
    outside = demo.all(
        "sites", area_id=min(set(s["area_id"] for s in demo.all("sites")) - grid_ids)
    )
    r = demo.client.get(f"/api/v1/sites/{outside[0]['id']}", headers=demo.headers["grid_gulou"])
    assert r.status_code == 404


def test_inspector_sees_the_assigned_stations(demo: Demo) -> None:
    me = demo.client.get("/api/v1/auth/me", headers=demo.headers["inspector"]).json()
    assigned = {a["site_id"] for a in demo.all("site-assignments", agency_id=me["org_id"])}
    seen = demo.all("sites", "inspector")
    assert {s["id"] for s in seen} == assigned
    assert {s["kind"] for s in seen} <= STATION_KINDS


def test_viewer_reads_but_cannot_write(demo: Demo) -> None:
    assert demo.total("sites", "viewer") == demo.total("sites")
    r = demo.client.post(
        "/api/v1/sites",
        json={"code": "X-1", "name": "x", "kind": "restaurant"},
        headers=demo.headers["viewer"],
    )
    assert r.status_code == 403
