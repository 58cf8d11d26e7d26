"""Response-time targets per grade: missed ones escalate and notify the next level; measured
times are reported per enterprise, grade and month."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.domains.alarm import notify
from gaswarden.domains.alarm.enums import AlarmEventKind, AlarmStage, ScopeLevel
from gaswarden.domains.alarm.models import Alarm, RuleSetting
from gaswarden.domains.alarm.scope import alarm_scope
from gaswarden.domains.alarm.timeline import record
from gaswarden.domains.organization.models import Organization
from gaswarden.rules.catalog import RESPONSE, response_targets
from gaswarden.rules.grades import Grade

_BEFORE_ON_SITE = (AlarmStage.NEW, AlarmStage.ACKNOWLEDGED, AlarmStage.ASSIGNED)


def targets(session: Session) -> dict[Grade, tuple[int, int]]:
    """(to acknowledge, to be on site) seconds per grade: defaults with the deployment's
    overrides (the global rule setting "response")."""
    setting = session.scalars(
        select(RuleSetting).where(
            RuleSetting.scope == ScopeLevel.GLOBAL,
            RuleSetting.scope_id == 0,
            RuleSetting.rule == RESPONSE,
        )
    ).first()
    return response_targets(setting.params if setting is not None else None)


def check_targets(session: Session, *, now: datetime) -> list[Alarm]:
    """Flag open alarms whose acknowledge or on-site target has passed: escalate one grade,
    record the miss and notify the next level. Each target is missed once per opening."""
    goals = targets(session)
    stmt = select(Alarm).where(
        Alarm.open_key.is_not(None),
        or_(
            and_(Alarm.stage == AlarmStage.NEW, Alarm.ack_overdue.is_(False)),
            and_(Alarm.stage.in_(_BEFORE_ON_SITE), Alarm.on_site_overdue.is_(False)),
        ),
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Alarm, skip_locked=True)
    missed: list[Alarm] = []
    for alarm in session.scalars(stmt).unique():
        elapsed = (now - alarm.opened_at).total_seconds()
        ack_s, on_site_s = goals[alarm.grade]
        if alarm.stage is AlarmStage.NEW and not alarm.ack_overdue and elapsed > ack_s:
            alarm.ack_overdue = True
            _missed(session, alarm, now, "ack", ack_s)
            missed.append(alarm)
        if alarm.stage in _BEFORE_ON_SITE and not alarm.on_site_overdue and elapsed > on_site_s:
            alarm.on_site_overdue = True
            _missed(session, alarm, now, "on_site", on_site_s)
            missed.append(alarm)
    session.flush()
    return missed


def _missed(session: Session, alarm: Alarm, now: datetime, target: str, target_s: int) -> None:
    record(
        session,
        alarm,
        AlarmEventKind.OVERDUE,
        at=now,
        data={"target": target, "target_s": target_s},
        note=f"超过{'确认' if target == 'ack' else '到场'}时限 {target} target missed",
    )
    before = alarm.grade
    alarm.grade = before.raised()
    if alarm.grade is not before:
        record(
            session,
            alarm,
            AlarmEventKind.ESCALATED,
            at=now,
            data={"reason": f"{target}_overdue"},
            changes={"grade": [before.value, alarm.grade.value]},
        )
    notify.next_level(session, alarm, now=now, reason=f"{target}_overdue")


# ---- report -----------------------------------------------------------------------------------
def _figures(values: list[int]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "mean_s": None, "median_s": None, "max_s": None}
    return {
        "n": len(values),
        "mean_s": round(statistics.fmean(values), 1),
        "median_s": statistics.median(values),
        "max_s": max(values),
    }


def report(
    session: Session,
    principal: Principal,
    *,
    date_from: date | None,
    date_to: date | None,
    timezone: str,
    owner_id: int | None = None,
) -> list[dict[str, Any]]:
    """Measured response times per enterprise, grade and month (months in `timezone`).

    Grouped in Python: a district has thousands of alarms a month, not millions.
    """
    tz = ZoneInfo(timezone)
    stmt = select(Alarm).where(alarm_scope(principal))
    if date_from is not None:
        stmt = stmt.where(Alarm.raised_at >= datetime.combine(date_from, time.min, tz))
    if date_to is not None:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tz)
        stmt = stmt.where(Alarm.raised_at < end.astimezone(UTC))
    if owner_id is not None:
        stmt = stmt.where(Alarm.owner_id == owner_id)
    groups: dict[tuple[int | None, str, str], list[Alarm]] = defaultdict(list)
    for alarm in session.scalars(stmt):
        month = alarm.raised_at.astimezone(tz).strftime("%Y-%m")
        groups[(alarm.owner_id, alarm.first_grade.value, month)].append(alarm)
    owner_ids = {k[0] for k in groups if k[0] is not None}
    names: dict[int, str] = {
        org_id: name
        for org_id, name in session.execute(
            select(Organization.id, Organization.name).where(Organization.id.in_(owner_ids))
        )
    }
    rows = []
    for (owner, grade, month), alarms in sorted(
        groups.items(), key=lambda kv: (kv[0][2], kv[0][0] or 0, Grade(kv[0][1]).rank)
    ):
        rows.append(
            {
                "owner_id": owner,
                "owner_name": names.get(owner) if owner is not None else None,
                "grade": grade,
                "month": month,
                "alarms": len(alarms),
                "ack": _figures([a.ack_s for a in alarms if a.ack_s is not None]),
                "on_site": _figures([a.on_site_s for a in alarms if a.on_site_s is not None]),
                "resolve": _figures([a.resolve_s for a in alarms if a.resolve_s is not None]),
                "ack_overdue": sum(a.ack_overdue for a in alarms),
                "on_site_overdue": sum(a.on_site_overdue for a in alarms),
            }
        )
    return rows
