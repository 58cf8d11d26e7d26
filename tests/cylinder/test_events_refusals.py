"""Every refusal rule: stored with its reason, never applied to the cylinder."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.errors import Forbidden
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.customer.models import Customer
from gaswarden.domains.cylinder import events
from gaswarden.domains.cylinder.enums import CylinderStatus, EventResult, RefusalReason
from gaswarden.domains.cylinder.models import CylinderAnomaly, CylinderEvent
from tests.cylinder.lpg import NOW, build_lpg
from tests.cylinder.scans import cylinder, deliver, fill, scan, send, stored, to_station
from tests.factories import World
from tests.hazard.helpers import who

R = RefusalReason


@pytest.mark.parametrize(
    ("case", "gross", "reason"),
    [
        ("other", 30.0, R.NOT_OWN),
        ("overdue", 30.0, R.INSPECTION_OVERDUE),
        ("old", 30.0, R.LIFE_EXPIRED),
        ("scrapped", 30.0, R.SCRAPPED),
        ("lost", 30.0, R.LOST),
        ("ok", 31.6, R.OVERFILL),  # 15.6 kg net > 15 + 0.5
    ],
)
def test_fill_refusals(
    session: Session, world: World, case: str, gross: float, reason: RefusalReason
) -> None:
    lpg = build_lpg(session, world)
    before = cylinder(session, lpg.ids[f"cyl_{case}"]).status
    [out] = send(session, world, fill("r1", lpg.codes[case], 0, lpg, gross_kg=gross))
    assert out.result is EventResult.REFUSED and out.reason is reason
    assert (
        out.reason_text and out.reason_text.startswith(reason.zh) and reason.en in out.reason_text
    )
    row = stored(session, "r1")
    assert row.result is EventResult.REFUSED and row.reason is reason and row.status_after is None
    assert row.cylinder_id == lpg.ids[f"cyl_{case}"]
    after = cylinder(session, lpg.ids[f"cyl_{case}"])
    assert after.status is before and after.last_event_id is None


def test_a_fill_within_the_tolerance_is_accepted(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    [out] = send(session, world, fill("r1", lpg.codes["ok"], 0, lpg, gross_kg=31.5))
    assert out.result is EventResult.ACCEPTED


def test_unknown_code_is_refused_and_raised(session: Session, world: World) -> None:
    build_lpg(session, world)
    [out] = send(session, world, scan("u1", "collect", "NOBODY-0001", 0, site_code="S-B-SUP"))
    assert out.result is EventResult.REFUSED and out.reason is R.UNKNOWN_CODE
    assert [a.value for a in out.anomalies] == ["unknown_code"]
    found = session.scalars(
        select(CylinderAnomaly).where(CylinderAnomaly.tag_code == "NOBODY-0001")
    ).one()
    assert found.owner_id == world.ids["ent_b"] and found.cylinder_id is None
    assert found.event_id == out.event_id and found.site_id == world.ids["supply"]


def test_any_scan_of_a_scrapped_cylinder_is_refused(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    [out] = send(
        session, world, scan("s1", "return", lpg.codes["scrapped"], 0, site_code="S-B-FILL")
    )
    assert out.reason is R.SCRAPPED


@pytest.mark.parametrize(
    ("customer", "reason"),
    [
        ("CU-NOBODY", R.CUSTOMER_UNREGISTERED),
        ("CU-FAIL", R.SAFETY_CHECK_FAILED),
        ("CU-DINER", R.NO_ALARM),
    ],
)
def test_deliver_refusals(
    session: Session, world: World, customer: str, reason: RefusalReason
) -> None:
    lpg = build_lpg(session, world)
    tag = lpg.codes["ok"]
    out = send(
        session,
        world,
        fill("d0", tag, 0, lpg),
        deliver("d1", tag, 2, world, customer_code=customer),
    )
    assert out[1].result is EventResult.REFUSED and out[1].reason is reason
    assert cylinder(session, lpg.ids["cyl_ok"]).status is CylinderStatus.FILLED


def test_inactive_or_other_enterprises_customer_is_unregistered(
    session: Session, world: World
) -> None:
    lpg = build_lpg(session, world)
    home = session.get(Customer, lpg.ids["cust_home"])
    assert home is not None
    home.active = False
    session.add(
        Customer(code="CU-OTHER", kind="residential", name="别家用户", owner_id=lpg.ids["other"])
    )
    session.flush()
    tag = lpg.codes["ok"]
    out = send(
        session,
        world,
        fill("d0", tag, 0, lpg),
        deliver("d1", tag, 2, world),
        deliver("d2", tag, 3, world, customer_code="CU-OTHER"),
    )
    assert [o.reason for o in out[1:]] == [R.CUSTOMER_UNREGISTERED] * 2


def test_a_business_with_alarm_and_valve_is_served(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    tag = lpg.codes["ok"]
    out = send(
        session,
        world,
        *to_station(tag, 0, lpg, "d0"),
        deliver("d1", tag, 3, world, customer_code="CU-DINER-OK"),
    )
    assert [o.result for o in out] == [EventResult.ACCEPTED] * 4


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("fill", {"gross_kg": 30.0}),  # no site
        ("fill", {"site_code": "S-B-FILL"}),  # no weight
        ("deliver", {}),  # no customer
        ("fill", {"site_code": "S-NOWHERE", "gross_kg": 30.0}),  # unknown site
        ("fill", {"site_code": "S-B-FILL", "gross_kg": 30.0, "batch_code": "B-NONE"}),
    ],
)
def test_incomplete_scans_are_invalid(
    session: Session, world: World, kind: str, fields: dict[str, object]
) -> None:
    lpg = build_lpg(session, world)
    [out] = send(session, world, scan("v1", kind, lpg.codes["ok"], 0, **fields))
    assert out.result is EventResult.REFUSED and out.reason is R.INVALID


def test_scope_other_enterprise_and_non_scanners(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    # ent_b's staff filling the other enterprise's cylinder: NOT_OWN (above); ent_a (a
    # pipeline company) may not scan at all, nor may regulators, grid supervisors, viewers
    for user in ("ent_a_admin", "reg_admin", "reg_staff", "grid_sup", "viewer", "inspector"):
        with pytest.raises(Forbidden):
            send(session, world, fill("x1", lpg.codes["ok"], 0, lpg), user=user)
    assert session.scalar(select(func.count()).select_from(CylinderEvent)) == 0
    principal = who(session, world, "worker_b")
    with pytest.raises(Forbidden):
        events.submit(
            session=session,
            principal=principal,
            events=[fill("x1", lpg.codes["ok"], 0, lpg)],
            org_id=lpg.ids["other"],
            now=NOW,
        )


def test_one_audit_row_per_submission(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    send(
        session,
        world,
        fill("a1", lpg.codes["ok"], 0, lpg),
        fill("a2", lpg.codes["overdue"], 0, lpg),
    )
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "cylinder_event")
    ).all()
    assert len(rows) == 1
    assert rows[0].changes["accepted"] == [None, 1] and rows[0].changes["refused"] == [None, 1]
    assert rows[0].owner_id == world.ids["ent_b"]
