"""Who is told about an alarm, and when: on raise, and one level up at each missed target.

Audiences by level: 0 the responsible enterprise (its staff on duty), 1 the enterprise's
admins, 2 the regulator. Orange and red alarms go to the regulator at once (government report
within 0.5 h verbally, 1 h in writing; rules.setpoints). Each notice is a NOTIFIED step in the
alarm's timeline, and each matching notification subscription gets an outbox row in the same
transaction (domains.notification delivers them).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gaswarden.domains.alarm.enums import AlarmEventKind
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.alarm.timeline import record
from gaswarden.rules.grades import Grade

AUDIENCES = ("enterprise", "enterprise_admin", "regulator")
_REPORT_AT_ONCE = frozenset({Grade.RED, Grade.ORANGE})


def audiences_for(alarm: Alarm) -> list[str]:
    out = list(AUDIENCES[: alarm.notify_level + 1])
    if alarm.grade in _REPORT_AT_ONCE and "regulator" not in out:
        out.append("regulator")
    return out


def raised(session: Session, alarm: Alarm, *, now: datetime) -> None:
    _send(session, alarm, now=now, reason="raised")


def escalated(session: Session, alarm: Alarm, *, now: datetime) -> None:
    _send(session, alarm, now=now, reason="escalated")


def next_level(session: Session, alarm: Alarm, *, now: datetime, reason: str) -> None:
    """A response target was missed: tell the next level up."""
    alarm.notify_level = min(alarm.notify_level + 1, len(AUDIENCES) - 1)
    _send(session, alarm, now=now, reason=reason)


def _send(session: Session, alarm: Alarm, *, now: datetime, reason: str) -> None:
    from gaswarden.domains.notification import outbox  # builds on the alarm domain

    audiences = audiences_for(alarm)
    event = record(
        session,
        alarm,
        AlarmEventKind.NOTIFIED,
        at=now,
        data={"reason": reason, "audiences": audiences, "level": alarm.notify_level},
    )
    outbox.enqueue(session, alarm, event, audiences=audiences, reason=reason, now=now)
