"""Idempotent repeats and late scans (offline apps): stored once, placed in time, checked
against the scan just before, never moving the cylinder back; a late fill re-links."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.domains.cylinder.enums import AnomalyKind, CylinderStatus, EventResult
from gaswarden.domains.cylinder.models import CylinderEvent
from tests.cylinder.lpg import build_lpg
from tests.cylinder.scans import cylinder, deliver, fill, scan, send, stored, to_station
from tests.factories import World

S = CylinderStatus


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(CylinderEvent)) or 0


def test_the_same_key_twice_in_one_batch_is_stored_once(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    one = fill("same", lpg.codes["ok"], 0, lpg)
    out = send(session, world, one, one)
    assert [o.duplicate for o in out] == [False, True]
    assert out[1].event_id == out[0].event_id and out[1].index == 1
    assert out[1].result is out[0].result is EventResult.ACCEPTED
    assert count(session) == 1


def test_the_same_key_in_a_later_batch_returns_the_stored_outcome(
    session: Session, world: World
) -> None:
    lpg = build_lpg(session, world)
    first = send(session, world, fill("f1", lpg.codes["overdue"], 0, lpg))
    again = send(
        session,
        world,
        fill("f1", lpg.codes["overdue"], 0, lpg),
        fill("f2", lpg.codes["ok"], 0, lpg),
    )
    assert again[0].duplicate and again[0].event_id == first[0].event_id
    assert again[0].reason is first[0].reason and again[0].result is EventResult.REFUSED
    assert not again[1].duplicate
    assert count(session) == 2
    # an anomaly's kinds come back too
    a = send(session, world, fill("f3", lpg.codes["ok"], 1, lpg))
    b = send(session, world, fill("f3", lpg.codes["ok"], 1, lpg))
    assert a[0].anomalies == b[0].anomalies == [AnomalyKind.DOUBLE_FILL] and b[0].duplicate


def test_a_late_scan_is_placed_in_time_and_does_not_move_the_state_back(
    session: Session, world: World
) -> None:
    lpg = build_lpg(session, world)
    tag, cid = lpg.codes["ok"], lpg.ids["cyl_ok"]
    send(session, world, *to_station(tag, 0, lpg, "a"), deliver("d", tag, 3, world))
    assert cylinder(session, cid).status is S.WITH_USER
    # the load's scan had been made offline; an extra arrive arrives late, between load and
    # the arrive already stored: checked against the load (in transit) -> in order
    [late] = send(session, world, scan("late-arrive", "arrive", tag, 1.5, site_code="S-B-SUP"))
    assert late.result is EventResult.ACCEPTED and late.status_after is S.AT_STATION
    c = cylinder(session, cid)
    assert c.status is S.WITH_USER and c.customer_id == lpg.ids["cust_home"]
    assert c.last_event_id == stored(session, "d").id
    # the late arrive carries the gas of the fill before it
    row = stored(session, "late-arrive")
    assert row.fill_event_id == stored(session, "a-fill").id
    # the timeline, by device time
    times = session.scalars(
        select(CylinderEvent.key)
        .where(CylinderEvent.cylinder_id == cid)
        .order_by(CylinderEvent.occurred_at)
    ).all()
    assert times == ["a-fill", "a-load", "late-arrive", "a-arrive", "d"]
    # a late collect before the delivery is out of order against the arrive before it
    [odd] = send(session, world, scan("late-collect", "collect", tag, 2.5))
    assert odd.anomalies == [AnomalyKind.OUT_OF_ORDER]
    assert cylinder(session, cid).status is S.WITH_USER


def test_a_late_fill_relinks_the_delivery_to_its_batch(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    tag, cid = lpg.codes["ok"], lpg.ids["cyl_ok"]
    # load, arrive and deliver reach the server first: delivered without a fill
    out = send(
        session,
        world,
        scan("l", "load", tag, 1, vehicle_plate="鲁PA8888"),
        scan("a", "arrive", tag, 2, site_code="S-B-SUP"),
        deliver("d", tag, 3, world),
    )
    assert out[2].anomalies == [AnomalyKind.DELIVERED_UNFILLED]
    assert stored(session, "d").batch_id is None
    # then the fill, made before them, arrives
    [late] = send(session, world, fill("f", tag, 0, lpg))
    assert late.result is EventResult.ACCEPTED
    session.expire_all()
    for key in ("l", "a", "d"):
        row = stored(session, key)
        assert row.batch_id == lpg.ids["batch"] and row.fill_event_id == late.event_id, key
    c = cylinder(session, cid)
    assert c.status is S.WITH_USER and c.holds_gas and c.batch_id == lpg.ids["batch"]
    assert c.fill_event_id == late.event_id and c.last_event_id == stored(session, "d").id
    # a recall of the batch reads the delivery
    recalled = session.scalars(
        select(CylinderEvent.customer_id).where(
            CylinderEvent.batch_id == lpg.ids["batch"], CylinderEvent.kind == "deliver"
        )
    ).all()
    assert recalled == [lpg.ids["cust_home"]]


def test_a_late_fill_stops_relinking_at_the_next_fill(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    tag = lpg.codes["ok"]
    from datetime import date

    from gaswarden.domains.cylinder.models import GasBatch

    other = GasBatch(
        code="B-OLD",
        owner_id=world.ids["ent_b"],
        supplier="x",
        quantity_t=1,
        arrived_on=date(2026, 10, 1),
    )
    session.add(other)
    session.flush()
    send(
        session,
        world,
        scan("c", "collect", tag, 10),  # out of order, no matter
        fill("f2", tag, 20, lpg),
        scan("l2", "load", tag, 21, vehicle_plate="鲁PA8888"),
    )
    # a late fill (older batch) and a late load before f2: the load takes the late fill's gas,
    # the scans after f2 keep f2's
    out = send(
        session,
        world,
        fill("f1", tag, 5, lpg, batch_code="B-OLD"),
        scan("l1", "load", tag, 6, vehicle_plate="鲁PA8888"),
    )
    session.expire_all()
    assert stored(session, "l1").batch_id == other.id
    assert stored(session, "l1").fill_event_id == out[0].event_id
    assert stored(session, "l2").batch_id == lpg.ids["batch"]
    assert stored(session, "l2").fill_event_id == stored(session, "f2").id
    c = cylinder(session, lpg.ids["cyl_ok"])
    assert c.batch_id == lpg.ids["batch"] and c.status is S.IN_TRANSIT
