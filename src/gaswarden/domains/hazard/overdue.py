"""Overdue hazards and their escalation (逾期督办).

`sweep` marks every hazard still waiting on the enterprise (reported, assigned, rectifying)
whose deadline has passed as overdue (an OVERDUE step, once), and escalates it per
`standards.hazards.ESCALATION_STEPS`: level 1 tells the enterprise head (its
enterprise_admin users and subscriptions), level 2 the regulator of the area. Each level is
one ESCALATED step with its audit row, once; a new deadline or a reopening starts afresh.

Delivery: each ESCALATED step writes one row per matching subscription into the notification
outbox (domains.notification; `hazard_id`/`hazard_event_id` instead of an alarm), which the
sender delivers like alarm notices; the step's `data` also records whom it is for (users,
subscriptions) and how many rows were `queued`.

gaswarden/maintenance.py runs the sweep in the background of `serve` and `demo`;
`gaswarden hazards sweep` runs it once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.core.enums import Role
from gaswarden.db.base import utcnow
from gaswarden.domains.account.models import User
from gaswarden.domains.area.models import Area
from gaswarden.domains.hazard.enums import HazardEventKind, HazardStatus
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.hazard.service import DEFAULT_TZ, local_date
from gaswarden.domains.hazard.timeline import record
from gaswarden.domains.notification.enums import Audience, DeliveryStatus
from gaswarden.domains.notification.models import Notification, Subscription
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.rules.grades import Grade
from gaswarden.standards.hazards import ESCALATION_STEPS, HazardGrade

log = logging.getLogger(__name__)

# Waiting on the enterprise; a submitted rectification waits on the verifier instead.
WAITING = (HazardStatus.REPORTED, HazardStatus.ASSIGNED, HazardStatus.RECTIFYING)

# Level -> who is told. 1: the enterprise head; 2: the regulator of the area.
LEVEL_AUDIENCE: dict[int, Audience] = {1: Audience.ENTERPRISE_ADMIN, 2: Audience.REGULATOR}
_LEVEL_ROLES: dict[int, tuple[Role, ...]] = {
    1: (Role.ENTERPRISE_ADMIN,),
    2: (Role.REGULATOR_ADMIN, Role.REGULATOR_STAFF),
}


@dataclass
class SweepResult:
    overdue: list[int] = field(default_factory=list)  # hazards marked overdue in this sweep
    escalated: list[tuple[int, int]] = field(default_factory=list)  # (hazard id, level)

    def __str__(self) -> str:
        return f"{len(self.overdue)} newly overdue, {len(self.escalated)} escalations"


def due_level(days_over: int) -> int:
    """The escalation level a hazard `days_over` days past its deadline has reached."""
    if days_over <= 0:
        return 0
    return max((level for days, level in ESCALATION_STEPS if days_over >= days), default=0)


def sweep(session: Session, now: datetime | None = None, tz: str = DEFAULT_TZ) -> SweepResult:
    """One pass over the overdue hazards; flushes, never commits. Several sweepers may run:
    rows another one holds are skipped (PostgreSQL), and every step happens once by its flag."""
    now = now or utcnow()
    today = local_date(now, tz)
    stmt = (
        select(Hazard)
        .where(Hazard.status.in_(WAITING), Hazard.deadline < today)
        .order_by(Hazard.deadline, Hazard.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Hazard, skip_locked=True)
    result = SweepResult()
    for hazard in session.scalars(stmt).unique().all():
        days_over = (today - hazard.deadline).days
        if not hazard.overdue:
            hazard.overdue = True
            session.flush()
            record(
                session,
                hazard,
                HazardEventKind.OVERDUE,
                at=now,
                principal=SYSTEM,
                note=f"超过整改期限 {hazard.deadline.isoformat()} Past the deadline",
                data={"deadline": hazard.deadline.isoformat(), "days_over": days_over},
                changes={"overdue": [False, True]},
            )
            result.overdue.append(hazard.id)
        reached = due_level(days_over)
        for level in sorted({lvl for _, lvl in ESCALATION_STEPS}):
            if hazard.escalation_level < level <= reached:
                escalate(session, hazard, level, now=now, today=today, tz=tz)
                result.escalated.append((hazard.id, level))
    session.flush()
    return result


def escalate(
    session: Session, hazard: Hazard, level: int, *, now: datetime, today: date, tz: str
) -> None:
    """One escalation step: the level recorded, who is to be told, the notice."""
    before = hazard.escalation_level
    hazard.escalation_level = level
    session.flush()
    audience = LEVEL_AUDIENCE.get(level, Audience.REGULATOR)
    orgs = _orgs(session, hazard, level)
    users = _users(session, orgs, level)
    subs = _subscriptions(session, hazard, orgs, audience)
    days_over = (today - hazard.deadline).days
    notice = payload(hazard, level=level, audience=audience, days_over=days_over)
    who_zh = "企业负责人" if level == 1 else "燃气主管部门"
    event = record(
        session,
        hazard,
        HazardEventKind.ESCALATED,
        at=now,
        principal=SYSTEM,
        note=f"逾期{days_over}天,督办通知{who_zh} Overdue {days_over} d: level {level}",
        data={
            "level": level,
            "audience": audience.value,
            "days_over": days_over,
            "org_ids": [o.id for o in orgs],
            "user_ids": [u.id for u in users],
            "subscription_ids": [s.id for s in subs],
            "queued": len(subs),
            "notice": notice,
        },
        changes={"escalation_level": [before, level]},
    )
    session.flush()
    grade = Grade.RED if hazard.grade is HazardGrade.MAJOR else Grade.ORANGE
    for sub in subs:
        session.add(
            Notification(
                hazard_id=hazard.id,
                hazard_event_id=event.id,
                subscription=sub,
                owner_id=hazard.owner_id,
                area_id=hazard.area_id,
                site_id=hazard.site_id,
                channel=sub.channel,
                target=sub.target,
                audience=sub.audience,
                grade=grade,
                reason="hazard_overdue",
                payload=notice,
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
            )
        )


def payload(hazard: Hazard, *, level: int, audience: Audience, days_over: int) -> dict[str, Any]:
    """The notice, JSON-safe, shaped like an alarm notice where the fields mean the same."""
    site = hazard.site_name or hazard.address or ""
    text_zh = (
        f"[{hazard.grade.zh}] 隐患逾期督办:{site} {hazard.code} {hazard.title},"
        f"整改期限 {hazard.deadline.isoformat()},已逾期{days_over}天。请督促整改。"
    )
    text_en = (
        f"[{hazard.grade.en}] Overdue hazard: {site} {hazard.code} {hazard.title}, "
        f"deadline {hazard.deadline.isoformat()}, {days_over} days overdue. Please follow up."
    )
    return {
        "hazard_id": hazard.id,
        "code": hazard.code,
        "reason": "hazard_overdue",
        "audience": audience.value,
        "level": level,
        "grade": hazard.grade.value,
        "grade_zh": hazard.grade.zh,
        "title": hazard.title,
        "site_id": hazard.site_id,
        "site": site,
        "owner_id": hazard.owner_id,
        "area_id": hazard.area_id,
        "deadline": hazard.deadline.isoformat(),
        "days_over": days_over,
        "link": f"/hazards/{hazard.id}",
        "text_zh": text_zh,
        "text_en": text_en,
    }


def _area_path(session: Session, area_id: int | None) -> str | None:
    if area_id is None:
        return None
    return session.scalar(select(Area.path).where(Area.id == area_id))


def _orgs(session: Session, hazard: Hazard, level: int) -> list[Organization]:
    """Level 1: the responsible enterprise; level 2: the regulators whose area holds it."""
    if level == 1:
        org = session.get(Organization, hazard.owner_id) if hazard.owner_id else None
        return [org] if org is not None else []
    path = _area_path(session, hazard.area_id)
    if not path:
        return []
    regulators = session.scalars(
        select(Organization)
        .where(Organization.kind == OrgKind.REGULATOR, Organization.active.is_(True))
        .order_by(Organization.id)
    ).all()
    out = []
    for org in regulators:
        home = _area_path(session, org.area_id)
        if home and path.startswith(home):
            out.append(org)
    return out


def _users(session: Session, orgs: list[Organization], level: int) -> list[User]:
    if not orgs:
        return []
    stmt = (
        select(User)
        .where(
            User.org_id.in_([o.id for o in orgs]),
            User.role.in_(_LEVEL_ROLES.get(level, ())),
            User.active.is_(True),
        )
        .order_by(User.id)
    )
    return list(session.scalars(stmt).unique())


def _subscriptions(
    session: Session, hazard: Hazard, orgs: list[Organization], audience: Audience
) -> list[Subscription]:
    """Active subscriptions of these organisations for the audience whose area filter (if
    any) covers the hazard."""
    if not orgs:
        return []
    subs = session.scalars(
        select(Subscription)
        .where(
            Subscription.active.is_(True),
            Subscription.audience == audience,
            Subscription.owner_id.in_([o.id for o in orgs]),
        )
        .order_by(Subscription.id)
    ).all()
    path = _area_path(session, hazard.area_id)
    out = []
    for sub in subs:
        if sub.area_id is not None:
            wanted = _area_path(session, sub.area_id)
            if not (path and wanted and path.startswith(wanted)):
                continue
        out.append(sub)
    return out
