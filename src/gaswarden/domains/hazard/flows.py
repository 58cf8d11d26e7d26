"""Alarm -> hazard: an alarm whose disposition found a hazard (a real leak, third-party damage;
any other cause with a note) becomes a hazard in the loop, once per alarm."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Conflict, Invalid
from gaswarden.domains.alarm import service as alarms
from gaswarden.domains.alarm.enums import AlarmCause, AlarmStage
from gaswarden.domains.hazard import service
from gaswarden.domains.hazard.enums import HazardSource
from gaswarden.domains.hazard.models import Hazard
from gaswarden.rules.catalog import RULES
from gaswarden.standards.hazards import HazardGrade

ALARM_CATEGORY = "报警处置"
# Causes that are hazards by themselves; any other cause needs a note saying why.
HAZARD_CAUSES = frozenset({AlarmCause.REAL_LEAK, AlarmCause.THIRD_PARTY_DAMAGE})
_DISPOSED = frozenset({AlarmStage.RESOLVED, AlarmStage.CLOSED})


def hazard_for_alarm(*, session: Session, alarm_id: int) -> Hazard | None:
    stmt = select(Hazard).where(Hazard.alarm_id == alarm_id).order_by(Hazard.id).limit(1)
    return session.scalars(stmt).first()


def alarm_to_hazard(
    *,
    session: Session,
    principal: Principal,
    alarm_id: int,
    grade: HazardGrade = HazardGrade.GENERAL,
    category: str | None = None,
    title: str | None = None,
    description: str | None = None,
    photo_ids: Sequence[int] = (),
    deadline: date | None = None,
    note: str | None = None,
    assign: bool = True,
    tz: str = service.DEFAULT_TZ,
    now: datetime | None = None,
) -> Hazard:
    """The hazard found when the alarm was disposed of: at the alarm's site, of its
    enterprise, in its grid; assigned to that enterprise at once unless `assign` is off."""
    alarm = alarms.get(session=session, principal=principal, id=alarm_id, lock=True)
    if alarm.stage not in _DISPOSED:
        raise Conflict(f"alarm {alarm.id} is {alarm.stage.value}: resolve it first")
    if alarm.cause not in HAZARD_CAUSES and not (note and note.strip()):
        cause = alarm.cause.value if alarm.cause else "none"
        raise Invalid(
            f"note: say why an alarm with cause {cause} is a hazard",
            errors=[{"loc": ["body", "note"], "msg": "required for this cause"}],
        )
    existing = hazard_for_alarm(session=session, alarm_id=alarm.id)
    if existing is not None:
        raise Conflict(f"alarm {alarm.id} is already hazard {existing.code}")
    rule = RULES.get(alarm.rule)
    rule_zh = rule.zh if rule else alarm.rule
    cause_zh = alarm.cause.zh if alarm.cause else ""
    default_title = f"{rule_zh}报警处置发现隐患({cause_zh})" if cause_zh else f"{rule_zh}报警"
    facts = (
        f"报警 Alarm #{alarm.id} {alarm.serial} {rule_zh}, "
        f"{alarm.raised_at.isoformat()}; 原因 cause: {cause_zh or '-'}"
    )
    if alarm.resolution_note:
        facts += f"; 处置 {alarm.resolution_note}"
    return service.report(
        session=session,
        principal=principal,
        source=HazardSource.ALARM,
        grade=grade,
        category=category or ALARM_CATEGORY,
        title=title or default_title,
        description=description or facts,
        site_id=alarm.site_id,
        owner_id=alarm.owner_id,
        area_id=alarm.area_id,
        alarm_id=alarm.id,
        deadline=deadline,
        photo_ids=photo_ids,
        assign=assign and alarm.owner_id is not None,
        note=note,
        tz=tz,
        now=now,
    )
