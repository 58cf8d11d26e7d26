"""Each anomaly kind: the scan is stored and applied, flagged, one anomaly row per kind."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.cylinder.enums import AnomalyKind, CylinderStatus, EventResult
from gaswarden.domains.cylinder.event_schemas import CylinderEventIn
from gaswarden.domains.cylinder.models import CylinderAnomaly
from gaswarden.domains.enforcement import service as cases
from gaswarden.domains.enforcement.enums import CaseSource, ClosureKind, PartyKind
from gaswarden.domains.enforcement.models import SiteActivity
from gaswarden.domains.workforce.enums import Position, VehicleKind
from gaswarden.domains.workforce.models import Person, Vehicle
from tests.cylinder import lpg as lpgmod
from tests.cylinder.lpg import NOW, build_lpg
from tests.cylinder.scans import (
    anomaly_kinds,
    deliver,
    fill,
    scan,
    send,
    stored,
    to_station,
)
from tests.enforcement.helpers import decide_closure
from tests.factories import World
from tests.hazard.helpers import who

A = AnomalyKind


def test_delivered_unfilled_double_fill_and_out_of_order(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    tag = lpg.codes["ok"]
    out = send(
        session,
        world,
        scan("a1", "arrive", tag, 0, site_code="S-B-SUP"),  # arrive without load
        deliver("a2", tag, 1, world),  # no gas
        fill("a3", tag, 2, lpg),  # with the user: collect skipped -> out of order
        fill("a4", tag, 3, lpg),  # over undelivered gas
    )
    assert [o.anomalies for o in out] == [
        [A.OUT_OF_ORDER],
        [A.DELIVERED_UNFILLED],
        [A.OUT_OF_ORDER],
        [A.DOUBLE_FILL],
    ]
    assert all(o.result is EventResult.ANOMALY for o in out)
    assert out[1].status_after is CylinderStatus.WITH_USER  # applied all the same
    for o in out:
        assert anomaly_kinds(session, o.event_id) == [k.value for k in o.anomalies]
    row = session.scalars(
        select(CylinderAnomaly).where(CylinderAnomaly.event_id == out[1].event_id)
    ).one()
    assert row.owner_id == world.ids["ent_b"] and row.cylinder_id == lpg.ids["cyl_ok"]
    assert row.customer_id == lpg.ids["cust_home"] and row.area_id == world.ids["g11"]
    assert row.found_at == stored(session, "a2").occurred_at
    assert stored(session, "a2").anomalies == ["delivered_unfilled"]


def test_impossible_travel(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    tag = lpg.codes["ok"]
    out = send(
        session,
        world,
        fill("t1", tag, 0, lpg),  # at the filling station (116.01, 36.41)
        scan("t2", "load", tag, 0.25, vehicle_plate="鲁PA8888", lon=117.0, lat=36.41),  # ~89 km
        scan("t3", "arrive", tag, 2.25, site_code="S-B-SUP", lon=117.0, lat=36.42),  # ~1 km
    )
    assert out[1].anomalies == [A.IMPOSSIBLE_TRAVEL]
    assert out[2].result is EventResult.ACCEPTED


def test_workers_and_vehicles(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    uncert = Person(name="无证工", owner_id=world.ids["ent_b"], position=Position.FILLING_OPERATOR)
    gone = Person(
        name="离职工", owner_id=world.ids["ent_b"], position=Position.DELIVERY_WORKER, active=False
    )
    car = Vehicle(plate="鲁P00001", kind=VehicleKind.PATROL, owner_id=world.ids["ent_b"])
    session.add_all([uncert, gone, car])
    session.flush()
    ok, ok2 = lpg.codes["ok"], lpg.codes["ok2"]
    out = send(
        session,
        world,
        fill("w1", ok, 0, lpg, worker_id=uncert.id),
        fill("w2", ok2, 0, lpg, worker_id=None),
        scan("w3", "load", ok, 1, vehicle_plate="鲁P00001"),  # not a dedicated vehicle
        scan("w4", "load", ok2, 1, vehicle_plate="鲁P12345"),  # ent_a's
        scan("w5", "arrive", ok, 2, site_code="S-B-SUP"),
        scan("w6", "arrive", ok2, 2, site_code="S-B-SUP"),
        deliver("w7", ok, 3, world, worker_id=gone.id),
        deliver("w8", ok2, 3, world, worker_id=world.ids["person_a"], vehicle_plate="鲁X99999"),
    )
    got = {o.key: o.anomalies for o in out}
    assert got["w1"] == [A.UNCERTIFIED_WORKER]
    assert got["w2"] == [A.UNREGISTERED_WORKER]
    assert got["w3"] == got["w4"] == [A.UNREGISTERED_VEHICLE]
    assert got["w5"] == got["w6"] == []
    assert got["w7"] == [A.UNREGISTERED_WORKER]
    assert got["w8"] == [A.UNREGISTERED_WORKER, A.UNREGISTERED_VEHICLE]
    assert stored(session, "w8").person_id is None and stored(session, "w8").vehicle_id is None


def test_overdue_cylinder_delivered(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    tag = lpg.codes["overdue"]  # cannot be filled; delivered all the same
    out = send(
        session,
        world,
        scan("o1", "load", tag, 1, vehicle_plate="鲁PA8888"),
        scan("o2", "arrive", tag, 2, site_code="S-B-SUP"),
        deliver("o3", tag, 3, world),
    )
    assert out[2].anomalies == [A.DELIVERED_UNFILLED, A.OVERDUE_WITH_USER]


def test_heavy_use(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    far = date(2029, 1, 1)
    tags = [f"LPG-H-{n}" for n in range(5)]
    for t in tags:
        lpgmod.cylinder(session, t, world.ids["ent_b"], next_inspection_on=far)
    session.flush()

    def ready(t: str, h: float, p: str) -> list[CylinderEventIn]:
        return to_station(t, h, lpg, p)

    # 4 x 15 kg within 30 days = 60 kg: not more than a household's 60
    first = send(
        session,
        world,
        *[s for n, t in enumerate(tags[:4]) for s in ready(t, n * 24 * 5, f"h{n}")],
        *[deliver(f"hd{n}", t, n * 24 * 5 + 3, world) for n, t in enumerate(tags[:4])],
    )
    assert not any(A.HEAVY_USE in o.anomalies for o in first)
    more = send(
        session,
        world,
        *ready(tags[4], 24 * 20, "h4"),
        deliver("hd4", tags[4], 24 * 20 + 3, world),
    )
    assert more[-1].anomalies == [A.HEAVY_USE]
    # a commercial user may take far more
    assert lpg.codes["cust_diner_ok"] == "CU-DINER-OK"


def test_closed_site_is_flagged_to_enforcement(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    reg = who(session, world, "reg_staff")
    case = cases.open_case(
        session=session,
        principal=reg,
        source=CaseSource.REPORT,
        party_kind=PartyKind.LICENSED,
        site_id=world.ids["supply"],
        facts="供应站违法经营 closed",
        rule_violated="《城镇燃气管理条例》第四十五条",
    )
    decide_closure(
        session, reg, case, kind=ClosureKind.SUPPLY_STATION, executed_at=NOW - timedelta(days=1)
    )
    tag = lpg.codes["ok"]
    out = send(session, world, *to_station(tag, 0, lpg, "c"))
    assert out[2].anomalies == [A.CLOSED_SITE]
    flagged = session.scalars(
        select(SiteActivity).where(SiteActivity.ref == f"cylinder-event:{out[2].event_id}")
    ).one()
    assert flagged.case_id == case.id and flagged.seen_at == stored(session, "c-arrive").occurred_at
    assert case.activity_flagged
