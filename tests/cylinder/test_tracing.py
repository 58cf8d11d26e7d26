"""Tracing queries on a small hand-made history: a cylinder's timeline (refused scans marked,
a late fill in its place), places and handlers; recall of several batches returning exactly the
customers who got their gas; the overdue-with-users list; unknown codes; a customer's history;
scope (another enterprise sees nothing; a grid supervisor sees customers masked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.core.errors import NotFound
from gaswarden.domains.customer.models import SafetyCheck
from gaswarden.domains.cylinder import fleet, recalls, tracing
from gaswarden.domains.cylinder.enums import (
    AnomalyKind,
    CylinderStatus,
    EventKind,
    EventResult,
    RefusalReason,
)
from gaswarden.domains.cylinder.models import Cylinder, CylinderAnomaly, GasBatch
from tests.cylinder.history import Chain, event
from tests.cylinder.lpg import NOW, TODAY, Lpg, at, build_lpg
from tests.factories import World
from tests.hazard.helpers import who


@dataclass
class History:
    lpg: Lpg
    chain: Chain
    batch1: int
    batch2: int
    ids: dict[str, int]


def cyl(session: Session, lpg: Lpg, key: str) -> Cylinder:
    c = session.get(Cylinder, lpg.ids[f"cyl_{key}"])
    assert c is not None
    return c


def build_history(session: Session, world: World) -> History:
    """Two batches; `ok` carries batch 1 to 孙居民 then batch 2 to 新街饭店; `ok2` goes to
    新街饭店 with batch 1 by a fill that reached the server late; a refused fill of the overdue
    cylinder and a refused delivery; an undelivered fill of batch 2."""
    lpg = build_lpg(session, world)
    w = world.ids
    batch2 = GasBatch(
        code="B-2026-12",
        owner_id=w["ent_b"],
        site_id=w["filling"],
        supplier="中海油",
        quantity_t=10.0,
        arrived_on=TODAY - timedelta(days=3),
    )
    session.add(batch2)
    session.flush()
    chain = Chain(
        org_id=w["ent_b"],
        filling=w["filling"],
        supply=w["supply"],
        operator=lpg.ids["operator"],
        worker=w["person_b"],
        vehicle=w["veh_b"],
    )
    b1, home, diner = lpg.ids["batch"], lpg.ids["cust_home"], lpg.ids["cust_diner_ok"]
    ok, ok2 = cyl(session, lpg, "ok"), cyl(session, lpg, "ok2")
    ids: dict[str, int] = {}
    f1 = chain.fill(session, ok, at(-72), b1)
    ids["d_home"] = chain.carry(session, ok, f1, at(-70), home, w["g11"]).id
    chain.collect(session, ok, at(-40))
    f2 = chain.fill(session, ok, at(-30), batch2.id)
    ids["d_diner"] = chain.carry(session, ok, f2, at(-28), diner, w["g21"]).id
    # ok2: the fill was made offline and arrived after its delivery had been scanned
    late_fill = chain.fill(session, ok2, at(-60), b1, received_at=at(-1))
    ids["late_fill"] = late_fill.id
    event(
        session,
        ok2,
        EventKind.DELIVER,
        at(-55),
        org_id=w["ent_b"],
        result=EventResult.REFUSED,
        reason=RefusalReason.SAFETY_CHECK_FAILED,
        customer_id=lpg.ids["cust_failed"],
        person_id=w["person_b"],
    )
    ids["d_ok2"] = chain.carry(session, ok2, late_fill, at(-52), diner, w["g21"]).id
    chain.collect(session, ok2, at(-20))
    ids["undelivered"] = chain.fill(session, ok2, at(-10), batch2.id).id
    ok2.holds_gas, ok2.fill_event_id, ok2.status = True, ids["undelivered"], CylinderStatus.FILLED
    # the overdue cylinder: a fill refused (it names batch 1 but took no gas)
    event(
        session,
        cyl(session, lpg, "overdue"),
        EventKind.FILL,
        at(-5),
        org_id=w["ent_b"],
        result=EventResult.REFUSED,
        reason=RefusalReason.INSPECTION_OVERDUE,
        site_id=w["filling"],
        batch_id=b1,
    )
    session.flush()
    return History(lpg=lpg, chain=chain, batch1=b1, batch2=batch2.id, ids=ids)


@pytest.fixture
def hist(session: Session, world: World) -> History:
    return build_history(session, world)


def test_timeline_orders_by_device_time_marks_refusals_and_names_everyone(
    session: Session, world: World, hist: History
) -> None:
    admin = who(session, world, "ent_b_admin")
    entries = tracing.timeline(
        session=session, principal=admin, cylinder_id=hist.lpg.ids["cyl_ok2"]
    )
    kinds = [(e.kind, e.result) for e in entries]
    assert kinds == [
        (EventKind.FILL, EventResult.ACCEPTED),  # the late fill, in its place
        (EventKind.DELIVER, EventResult.REFUSED),
        (EventKind.LOAD, EventResult.ACCEPTED),
        (EventKind.ARRIVE, EventResult.ACCEPTED),
        (EventKind.DELIVER, EventResult.ACCEPTED),
        (EventKind.COLLECT, EventResult.ACCEPTED),
        (EventKind.FILL, EventResult.ACCEPTED),
    ]
    fill, refused, load, arrive, deliver = entries[:5]
    assert fill.late and not load.late
    assert fill.site and fill.site.name == "鲁通储配站"
    assert fill.worker and fill.worker.name == "钱充装"
    assert fill.batch and fill.batch.name == "B-2026-11"
    assert refused.refused and refused.reason is RefusalReason.SAFETY_CHECK_FAILED
    assert refused.customer and refused.customer.code == "CU-FAIL"
    assert load.vehicle and load.vehicle.name == "鲁PA8888"
    assert arrive.site and arrive.site.name == "鲁通古楼供应站"
    assert deliver.customer and deliver.customer.name == "新街饭店"
    assert deliver.worker and deliver.worker.name == "赵送气"


def test_places_and_handlers(session: Session, world: World, hist: History) -> None:
    admin = who(session, world, "ent_b_admin")
    life = tracing.life(session=session, principal=admin, cylinder_id=hist.lpg.ids["cyl_ok"])
    assert life.cylinder.tag_code == "LPG-T-OK"
    assert life.cylinder.status is CylinderStatus.WITH_USER
    points = {(p.kind, round(p.lon, 3), round(p.lat, 3)) for p in life.places}
    assert (EventKind.FILL, 116.01, 36.41) in points  # the filling station
    assert (EventKind.ARRIVE, 115.92, 36.42) in points  # the supply station
    assert (EventKind.DELIVER, 115.905, 36.405) in points  # 孙居民's home
    assert [p.at for p in life.places] == sorted(p.at for p in life.places)
    by = {(h.role, h.name): h for h in life.handlers}
    assert by[("worker", "赵送气")].events == 3  # two deliveries, one collection
    assert by[("worker", "钱充装")].kinds == [EventKind.FILL]
    assert by[("vehicle", "鲁PA8888")].events == 4
    assert ("site", "鲁通古楼供应站") in by


def test_recall_returns_exactly_the_customers_of_each_batch(
    session: Session, world: World, hist: History
) -> None:
    reg = who(session, world, "reg_staff")
    r1 = recalls.recall(session=session, principal=reg, batch_id=hist.batch1)
    assert [d.event_id for d in r1.deliveries] == [hist.ids["d_home"], hist.ids["d_ok2"]]
    assert {d.customer.code for d in r1.deliveries if d.customer} == {"CU-HOME", "CU-DINER-OK"}
    assert r1.totals.customers == 2 and r1.totals.cylinders == 2 and r1.totals.fills == 2
    first = r1.deliveries[0]
    assert first.filling_station and first.filling_station.name == "鲁通储配站"
    assert first.filling_operator and first.filling_operator.name == "钱充装"
    assert [v.name for v in first.vehicles] == ["鲁PA8888"]
    assert [s.name for s in first.supply_stations] == ["鲁通古楼供应站"]
    assert [p.name for p in first.delivery_workers] == ["赵送气"]
    # the late fill's gas is recalled with its delivery; the refused delivery is not
    late = r1.deliveries[1]
    assert late.fill_event_id == hist.ids["late_fill"] and late.cylinder.tag_code == "LPG-T-OK2"
    assert {a.area.name for a in r1.totals.by_area if a.area} == {"古楼一网格", "柳园一网格"}
    assert r1.undelivered == []

    r2 = recalls.recall(session=session, principal=reg, batch_id=hist.batch2)
    assert [d.event_id for d in r2.deliveries] == [hist.ids["d_diner"]]
    assert r2.totals.customers == 1
    assert [u.fill_event_id for u in r2.undelivered] == [hist.ids["undelivered"]]
    assert r2.undelivered[0].still_holds_this_gas


def test_overdue_with_users_lists_only_overdue_or_expired_with_users(
    session: Session, world: World, hist: History
) -> None:
    lpg = hist.lpg
    home = lpg.ids["cust_home"]
    for key in ("overdue", "old"):
        c = cyl(session, lpg, key)
        c.status, c.customer_id = CylinderStatus.WITH_USER, home
    cyl(session, lpg, "lost").next_inspection_on = date(2020, 1, 1)  # lost: not with a user
    session.flush()
    admin = who(session, world, "ent_b_admin")
    page = fleet.overdue_with_users(session=session, principal=admin, today=TODAY)
    assert page.total == 2
    got = {r.cylinder.tag_code: r for r in page.items}
    assert set(got) == {"LPG-T-OVERDUE", "LPG-T-OLD"}
    assert got["LPG-T-OVERDUE"].inspection_overdue and not got["LPG-T-OVERDUE"].life_expired
    assert got["LPG-T-OLD"].life_expired and not got["LPG-T-OLD"].inspection_overdue
    assert got["LPG-T-OLD"].customer and got["LPG-T-OLD"].customer.code == "CU-HOME"
    one = fleet.overdue_with_users(session=session, principal=admin, today=TODAY, size=1, page=2)
    assert one.total == 2 and len(one.items) == 1
    # a day when nothing is overdue yet
    early = fleet.overdue_with_users(session=session, principal=admin, today=date(2024, 12, 1))
    assert early.total == 0
    other = who(session, world, "ent_a_admin")
    assert fleet.overdue_with_users(session=session, principal=other, today=TODAY).total == 0


def test_whereabouts_counts(session: Session, world: World, hist: History) -> None:
    admin = who(session, world, "ent_b_admin")
    w = fleet.whereabouts(session=session, principal=admin)
    status = {c.key: c.count for c in w.by_status}
    assert w.total == 6  # ent_b's seven test cylinders but the other enterprise's one
    assert status["with_user"] == 1 and status["filled"] == 1
    assert status["scrapped"] == 1 and status["lost"] == 1
    areas = {c.label: c.count for c in w.by_area}
    assert areas["柳园一网格"] == 1
    assert (
        fleet.whereabouts(session=session, principal=who(session, world, "ent_a_admin")).total == 0
    )


def test_unknown_codes_grouped_by_code(session: Session, world: World, hist: History) -> None:
    w = world.ids
    for hours, code in ((-3, "X-UNKNOWN-1"), (-2, "X-UNKNOWN-1"), (-1, "X-UNKNOWN-2")):
        session.add(
            CylinderAnomaly(
                kind=AnomalyKind.UNKNOWN_CODE,
                tag_code=code,
                owner_id=w["ent_b"],
                found_at=at(hours),
                detail="未登记的气瓶码",
                reviewed=code == "X-UNKNOWN-2",
            )
        )
    session.add(
        CylinderAnomaly(
            kind=AnomalyKind.DOUBLE_FILL,
            tag_code="LPG-T-OK",
            owner_id=w["ent_b"],
            found_at=at(-1),
            detail="x",
        )
    )
    session.flush()
    codes = fleet.unknown_codes(session=session, principal=who(session, world, "ent_b_admin"))
    assert [(c.tag_code, c.count, c.open) for c in codes] == [
        ("X-UNKNOWN-2", 1, 0),
        ("X-UNKNOWN-1", 2, 2),
    ]
    assert codes[1].first_seen == at(-3) and codes[1].last_seen == at(-2)
    assert fleet.unknown_codes(session=session, principal=who(session, world, "ent_a_admin")) == []


def test_customer_history(session: Session, world: World, hist: History) -> None:
    lpg = hist.lpg
    session.add(
        SafetyCheck(
            customer_id=lpg.ids["cust_diner_ok"],
            checked_at=at(-100),
            checker_name="检查员",
            hose_ok=True,
            valve_ok=True,
            alarm_ok=True,
            ventilation_ok=True,
            passed=True,
        )
    )
    session.flush()
    h = tracing.customer_history(
        session=session,
        principal=who(session, world, "ent_b_admin"),
        customer_id=lpg.ids["cust_diner_ok"],
        now=NOW,
    )
    kinds = [(d.kind, d.tag_code) for d in h.deliveries]
    assert kinds == [
        (EventKind.COLLECT, "LPG-T-OK2"),
        (EventKind.DELIVER, "LPG-T-OK"),
        (EventKind.DELIVER, "LPG-T-OK2"),
    ]
    assert [c.tag_code for c in h.held] == ["LPG-T-OK"]
    assert len(h.checks) == 1 and h.checks[0].passed
    assert h.kg_last_30_days == 30.0  # two 15 kg deliveries within 30 days
    assert h.deliveries[1].batch and h.deliveries[1].batch.name == "B-2026-12"


def test_scope_other_enterprise_sees_nothing(session: Session, world: World, hist: History) -> None:
    other = who(session, world, "ent_a_admin")
    with pytest.raises(NotFound):
        tracing.timeline(session=session, principal=other, cylinder_id=hist.lpg.ids["cyl_ok"])
    with pytest.raises(NotFound):
        recalls.recall(session=session, principal=other, batch_id=hist.batch1)
    with pytest.raises(NotFound):
        tracing.customer_history(
            session=session, principal=other, customer_id=hist.lpg.ids["cust_home"]
        )
    assert recalls.batches(session=session, principal=other) == []
    assert {b.code for b in recalls.batches(session=session, principal=SYSTEM)} >= {
        "B-2026-11",
        "B-2026-12",
    }


def test_grid_supervisor_sees_customers_of_the_grid_masked(
    session: Session, world: World, hist: History
) -> None:
    lpg = hist.lpg
    grid = who(session, world, "grid_sup")
    h = tracing.customer_history(session=session, principal=grid, customer_id=lpg.ids["cust_home"])
    assert h.customer.name == "孙**"
    assert h.customer.id_number == "1101**********4514"
    assert h.customer.phone == "138****0000"
    with pytest.raises(NotFound):  # another grid
        tracing.customer_history(
            session=session, principal=grid, customer_id=lpg.ids["cust_diner_ok"]
        )
    # the cylinder that went to 孙居民's grid is not with them now: not theirs to read
    with pytest.raises(NotFound):
        tracing.timeline(session=session, principal=grid, cylinder_id=lpg.ids["cyl_ok"])
    # the enterprise sees its customer's name, but never the ID number or phone in full
    own = tracing.customer_history(
        session=session,
        principal=who(session, world, "ent_b_admin"),
        customer_id=lpg.ids["cust_home"],
    )
    assert own.customer.name == "孙居民" and own.customer.id_number == "1101**********4514"
