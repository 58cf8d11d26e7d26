"""The chain of scans: each step moves the cylinder; a full round trip; inspection."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from gaswarden.domains.cylinder.enums import CylinderStatus, EventKind, EventResult
from tests.cylinder.lpg import build_lpg
from tests.cylinder.scans import cylinder, deliver, fill, scan, send, stored
from tests.factories import World

S = CylinderStatus


def test_a_round_trip_moves_the_cylinder_and_carries_the_batch(
    session: Session, world: World
) -> None:
    lpg = build_lpg(session, world)
    tag, cid = lpg.codes["ok"], lpg.ids["cyl_ok"]
    out = send(
        session,
        world,
        fill("k1", tag, 0, lpg),
        scan("k2", "load", tag, 1, vehicle_plate="鲁PA8888", worker_id=world.ids["person_b"]),
        scan("k3", "arrive", tag, 2, site_code="S-B-SUP"),
        deliver("k4", tag, 3, world),
        scan("k5", "collect", tag, 400, customer_code="CU-HOME"),
        scan("k6", "return", tag, 402, site_code="S-B-FILL"),
    )
    assert [o.result for o in out] == [EventResult.ACCEPTED] * 6, out
    assert [o.status_after for o in out] == [
        S.FILLED,
        S.IN_TRANSIT,
        S.AT_STATION,
        S.WITH_USER,
        S.EMPTY_RETURNED,
        S.IN_STOCK,
    ]
    fill_id = out[0].event_id
    delivered = stored(session, "k4")
    assert delivered.batch_id == lpg.ids["batch"] and delivered.fill_event_id == fill_id
    assert delivered.customer_id == lpg.ids["cust_home"]
    assert delivered.area_id == world.ids["g11"]  # the customer's grid
    assert stored(session, "k2").vehicle_id == world.ids["veh_b"]
    assert stored(session, "k1").net_kg == 14.5  # 30.5 gross - 16 tare
    c = cylinder(session, cid)
    assert c.status is S.IN_STOCK and not c.holds_gas and c.site_id == world.ids["filling"]
    assert c.last_event_id == out[-1].event_id
    # loaded after a fill: in transit on the vehicle, holding the batch's gas
    tag2 = lpg.codes["ok2"]
    first = send(
        session,
        world,
        fill("k7", tag2, 0, lpg),
        scan("k8", "load", tag2, 1, vehicle_plate="鲁PA8888"),
    )
    assert first[1].result is EventResult.ACCEPTED
    c2 = cylinder(session, lpg.ids["cyl_ok2"])
    assert c2.status is S.IN_TRANSIT and c2.holds_gas and c2.batch_id == lpg.ids["batch"]
    assert c2.fill_event_id == first[0].event_id and c2.vehicle_id == world.ids["veh_b"]


def test_inspection_pass_sets_dates_and_extends_life_once(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    tag = lpg.codes["old"]  # made 2017-01-01: design life ends 2025-01-01
    c = cylinder(session, lpg.ids["cyl_old"])
    assert c.life_ends_on == date(2025, 1, 1)
    # scrapped would be right for a past-life cylinder; here the inspection is in the last
    # interval before the design life ends (the scan is dated 2026: out of it) -> no extension
    out = send(
        session,
        world,
        scan("i1", "send_inspection", tag, 0),
        scan("i2", "inspect", tag, 1, passed=True),
    )
    assert [o.result for o in out] == [EventResult.ACCEPTED] * 2
    c = cylinder(session, lpg.ids["cyl_old"])
    assert c.status is S.IN_STOCK and c.last_inspected_on == date(2026, 11, 29)
    assert c.next_inspection_on == date(2030, 11, 29) and not c.life_extended

    tag = lpg.codes["ok"]  # made 2022-03-01: design life ends 2030-03-01; last interval 2026-
    out = send(session, world, scan("i3", "inspect", tag, 2, passed=True))
    c = cylinder(session, lpg.ids["cyl_ok"])
    assert c.life_extended and c.life_ends_on == date(2034, 3, 1)
    out = send(
        session, world, scan("i4", "inspect", tag, 3, passed=True, next_inspection_on="2029-06-01")
    )
    c = cylinder(session, lpg.ids["cyl_ok"])
    assert c.life_ends_on == date(2034, 3, 1) and c.next_inspection_on == date(2029, 6, 1)


def test_failed_inspection_and_scrap_revoke_the_code(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    out = send(session, world, scan("f1", "inspect", lpg.codes["ok"], 0, passed=False))
    assert out[0].status_after is S.SCRAPPED
    c = cylinder(session, lpg.ids["cyl_ok"])
    assert c.status is S.SCRAPPED and c.revoked and c.scrapped_on == date(2026, 11, 29)
    out = send(
        session,
        world,
        scan("f2", "scrap", lpg.codes["ok2"], 0),
        scan("f3", "return", lpg.codes["ok2"], 1, site_code="S-B-FILL"),
    )
    assert out[0].result is EventResult.ACCEPTED and out[1].result is EventResult.REFUSED
    c = cylinder(session, lpg.ids["cyl_ok2"])
    assert c.status is S.SCRAPPED and c.revoked


def test_lost_and_found(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    tag = lpg.codes["ok"]
    out = send(
        session, world, scan("l1", "lost", tag, 0), scan("l2", "found", tag, 5, site_code="S-B-SUP")
    )
    assert [o.status_after for o in out] == [S.LOST, S.IN_STOCK]
    assert [o.result for o in out] == [EventResult.ACCEPTED] * 2
    assert cylinder(session, lpg.ids["cyl_ok"]).site_id == world.ids["supply"]
    assert stored(session, "l2").kind is EventKind.FOUND
