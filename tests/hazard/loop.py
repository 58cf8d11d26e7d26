"""Driving a hazard into any status of the loop, and taking any step, through the service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.domains.hazard import service
from gaswarden.domains.hazard.enums import HazardSource, HazardStatus
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.hazard.workflow import Step
from gaswarden.standards.hazards import HazardGrade
from tests.factories import World
from tests.hazard.helpers import who

# Per site of the test world: the enterprise user who rectifies there.
RECTIFIER = {
    "gate": "ent_a_admin",
    "box": "ent_a_admin",
    "filling": "ent_b_admin",
    "supply": "ent_b_admin",
}


def new_hazard(
    session: Session,
    world: World,
    *,
    site: str = "gate",
    grade: HazardGrade = HazardGrade.GENERAL,
    by: str = "reg_staff",
    assign: bool = False,
    **kw: Any,
) -> Hazard:
    kw.setdefault("title", "灭火器过期")
    kw.setdefault("category", "消防")
    return service.report(
        session=session,
        principal=who(session, world, by),
        source=kw.pop("source", HazardSource.INSPECTION),
        grade=grade,
        site_id=world.ids[site],
        assign=assign,
        **kw,
    )


def plan(session: Session, principal: Principal, hazard_id: int) -> Hazard:
    return service.submit_plan(
        session=session,
        principal=principal,
        id=hazard_id,
        measures="加装液位报警",
        responsible_person="李明",
        deadline=date(2030, 1, 1),
        interim_measures="人工值守",
        funds_yuan=12000,
    )


def drive(
    session: Session,
    world: World,
    status: HazardStatus,
    *,
    grade: HazardGrade = HazardGrade.GENERAL,
    site: str = "gate",
    **kw: Any,
) -> Hazard:
    """A hazard at `site` brought into `status` the usual way (a major one with its plan)."""
    if status is HazardStatus.REPORTED:
        return new_hazard(session, world, site=site, grade=grade, **kw)
    h = new_hazard(session, world, site=site, grade=grade, assign=True, **kw)
    ent = who(session, world, RECTIFIER[site])
    if grade is HazardGrade.MAJOR:
        plan(session, ent, h.id)
    if status is HazardStatus.ASSIGNED:
        return h
    service.start(session=session, principal=ent, id=h.id)
    if status is HazardStatus.RECTIFYING:
        return h
    service.submit(session=session, principal=ent, id=h.id, description="已整改")
    if status is HazardStatus.SUBMITTED:
        return h
    service.verify(session=session, principal=who(session, world, "reg_staff"), id=h.id)
    assert h.status is HazardStatus.CLOSED
    return h


def _do(step: Step) -> Callable[[Session, Principal, int], Any]:
    calls: dict[Step, Callable[[Session, Principal, int], Any]] = {
        Step.ASSIGN: lambda s, p, i: service.assign(session=s, principal=p, id=i),
        Step.PLAN: lambda s, p, i: plan(s, p, i),
        Step.START: lambda s, p, i: service.start(session=s, principal=p, id=i),
        Step.SUBMIT: lambda s, p, i: service.submit(
            session=s, principal=p, id=i, description="已更换"
        ),
        Step.VERIFY: lambda s, p, i: service.verify(session=s, principal=p, id=i),
        Step.RETURN: lambda s, p, i: service.send_back(session=s, principal=p, id=i, note="不合格"),
        Step.REOPEN: lambda s, p, i: service.reopen(session=s, principal=p, id=i, note="复查未改"),
        Step.DEADLINE: lambda s, p, i: service.change_deadline(
            session=s, principal=p, id=i, deadline=date(2031, 1, 1), note="申请延期"
        ),
        Step.COMMENT: lambda s, p, i: service.comment(session=s, principal=p, id=i, note="备注"),
    }
    return calls[step]


def take(session: Session, principal: Principal, step: Step, hazard_id: int) -> Any:
    """Take `step` with valid arguments (a reason where one is needed)."""
    return _do(step)(session, principal, hazard_id)
