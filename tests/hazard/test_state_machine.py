"""Every (status, step, role) of the loop, from workflow.MOVES: a step succeeds exactly when
the workflow allows it; otherwise a role not allowed is Forbidden and a wrong status (or a
plan for a general hazard) is a Conflict. Each combination is tried in a savepoint that is
rolled back, so every role meets the hazard in the same status."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.enums import Role
from gaswarden.core.errors import Conflict, Forbidden, GasWardenError, Invalid
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.hazard import service
from gaswarden.domains.hazard.enums import HazardEventKind, HazardStatus
from gaswarden.domains.hazard.models import HazardEvent
from gaswarden.domains.hazard.workflow import MOVES, Step, allowed_steps
from gaswarden.standards.hazards import HazardGrade
from tests.factories import World
from tests.hazard.helpers import who
from tests.hazard.loop import drive, new_hazard, take

# One user per role; the field worker works for ent_b, so its hazard is at ent_b's site.
USERS: dict[Role, tuple[str, str]] = {
    Role.REGULATOR_ADMIN: ("reg_admin", "gate"),
    Role.REGULATOR_STAFF: ("reg_staff", "gate"),
    Role.VIEWER: ("viewer", "gate"),
    Role.GRID_SUPERVISOR: ("grid_sup", "gate"),
    Role.INSPECTOR: ("inspector", "gate"),
    Role.ENTERPRISE_ADMIN: ("ent_a_admin", "gate"),
    Role.ENTERPRISE_STAFF: ("ent_a_staff", "gate"),
    Role.FIELD_WORKER: ("worker_b", "supply"),
}


def test_every_role_has_a_user() -> None:
    assert set(USERS) == set(Role)


@pytest.mark.parametrize("grade", list(HazardGrade), ids=lambda g: g.value)
@pytest.mark.parametrize("step", list(Step), ids=lambda s: s.value)
@pytest.mark.parametrize("status", list(HazardStatus), ids=lambda s: s.value)
def test_step_allowed_iff_workflow_says_so(
    session: Session, world: World, status: HazardStatus, step: Step, grade: HazardGrade
) -> None:
    hazards = {
        site: drive(session, world, status, grade=grade, site=site)
        for site in {s for _, s in USERS.values()}
    }
    move = MOVES[step]
    mismatches = []
    for role, (username, site) in USERS.items():
        hazard = hazards[site]
        allowed = step in allowed_steps(status, grade, role)
        principal = who(session, world, username)
        nested = session.begin_nested()
        try:
            take(session, principal, step, hazard.id)
            session.flush()
            outcome: str = "ok"
            if move.target is not None and hazard.status is not move.target:
                outcome = f"ok but {hazard.status.value}"
        except GasWardenError as exc:
            outcome = type(exc).__name__
        finally:
            nested.rollback()
        session.expire_all()
        if allowed:
            expected = "ok"
        elif role not in move.roles_for(grade):
            expected = Forbidden.__name__
        else:
            expected = Conflict.__name__  # wrong status, or a plan for a general hazard
        if outcome != expected:
            mismatches.append(f"{role.value}: expected {expected}, got {outcome}")
    assert not mismatches, f"{status.value} --{step.value}--> ({grade.value}): {mismatches}"


def test_allowed_steps_cover_every_move(session: Session, world: World) -> None:
    """Each step is allowed somewhere, and closed hazards only take reopen and comments."""
    seen = {
        s for st in HazardStatus for g in HazardGrade for r in Role for s in allowed_steps(st, g, r)
    }
    assert seen == set(Step)
    closed = {s for r in Role for s in allowed_steps(HazardStatus.CLOSED, HazardGrade.MAJOR, r)}
    assert closed == {Step.REOPEN, Step.COMMENT}


def test_every_step_leaves_an_event_and_an_audit_row(session: Session, world: World) -> None:
    h = drive(session, world, HazardStatus.CLOSED, grade=HazardGrade.MAJOR)
    reg = who(session, world, "reg_staff")
    service.reopen(session=session, principal=reg, id=h.id, note="复查发现未整改")
    service.change_deadline(
        session=session, principal=reg, id=h.id, deadline=h.deadline, note="保持期限"
    )
    service.comment(session=session, principal=reg, id=h.id, note="督促")
    session.flush()
    events = service.timeline(session=session, hazard=h)
    assert [e.kind for e in events] == [
        HazardEventKind.REPORTED,
        HazardEventKind.ASSIGNED,
        HazardEventKind.PLAN_SUBMITTED,
        HazardEventKind.STARTED,
        HazardEventKind.SUBMITTED,
        HazardEventKind.VERIFIED,
        HazardEventKind.REOPENED,
        HazardEventKind.DEADLINE_CHANGED,
        HazardEventKind.COMMENT,
    ]
    assert all(e.actor_name for e in events)
    audits = session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "hazard", AuditEntry.entity_id == h.id)
        .order_by(AuditEntry.id)
    ).all()
    assert audits == [f"hazard_{e.kind.value}" for e in events]


def test_reopened_hazard_goes_round_again(session: Session, world: World) -> None:
    h = drive(session, world, HazardStatus.CLOSED)
    reg, ent = who(session, world, "reg_admin"), who(session, world, "ent_a_staff")
    with pytest.raises(Invalid):  # a reason is required
        service.reopen(session=session, principal=reg, id=h.id, note=" ")
    service.reopen(session=session, principal=reg, id=h.id, note="复查未改", deadline=h.deadline)
    assert h.status is HazardStatus.RECTIFYING and h.closed_at is None
    assert h.closed_on_time is None and h.days_to_close is None
    service.submit(session=session, principal=ent, id=h.id, description="再次整改")
    service.verify(session=session, principal=who(session, world, "inspector"), id=h.id)
    assert h.status is HazardStatus.CLOSED
    rounds = [r.round for r in h.rectifications]
    assert rounds == [1, 2]


def test_major_hazard_cannot_start_without_its_plan(session: Session, world: World) -> None:
    h = new_hazard(session, world, grade=HazardGrade.MAJOR, assign=True)
    assert h.plan_due_on is not None
    with pytest.raises(Conflict, match="plan"):
        service.start(session=session, principal=who(session, world, "ent_a_admin"), id=h.id)
    general = new_hazard(session, world, assign=True)
    with pytest.raises(Conflict, match="only major"):
        take(session, who(session, world, "ent_a_admin"), Step.PLAN, general.id)


def test_nothing_is_deleted(session: Session, world: World) -> None:
    h = drive(session, world, HazardStatus.CLOSED)
    n = session.scalar(
        select(func.count()).select_from(HazardEvent).where(HazardEvent.hazard_id == h.id)
    )
    assert n == 5  # reported, assigned, started, submitted, verified: all kept
