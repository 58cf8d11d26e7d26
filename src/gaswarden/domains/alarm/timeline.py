"""Recording a step of an alarm: the timeline event, the audit row and the live change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM, Principal
from gaswarden.domains.alarm.enums import AlarmEventKind
from gaswarden.domains.alarm.live import queue_change
from gaswarden.domains.alarm.models import Alarm, AlarmEvent
from gaswarden.domains.audit import service as audit

# Timeline-only steps: frequent, machine-made, and fully described by the timeline.
_NOT_AUDITED = frozenset({AlarmEventKind.REPEATED, AlarmEventKind.CLEARED, AlarmEventKind.NOTIFIED})


def record(
    session: Session,
    alarm: Alarm,
    kind: AlarmEventKind,
    *,
    at: datetime,
    principal: Principal = SYSTEM,
    note: str | None = None,
    value: float | None = None,
    data: dict[str, Any] | None = None,
    changes: dict[str, list[Any]] | None = None,
) -> AlarmEvent:
    entry = AlarmEvent(
        alarm=alarm,
        at=at,
        kind=kind,
        actor_id=principal.user_id,
        actor_name=principal.username,
        grade=alarm.grade,
        stage=alarm.stage,
        value=value,
        note=note,
        data=data or {},
    )
    session.add(entry)
    if kind not in _NOT_AUDITED:
        audit.record(
            session=session,
            principal=principal,
            action=f"alarm_{kind.value}"[:32],
            entity_type="alarm",
            entity_id=alarm.id,
            entity_label=f"{alarm.device.serial} {alarm.rule}",
            changes=changes,
            reason=note[:500] if note else None,
            owner_id=alarm.owner_id,
            area_id=alarm.area_id,
        )
    queue_change(
        session,
        {
            "alarm_id": alarm.id,
            "change": kind.value,
            "device_id": alarm.device_id,
            "serial": alarm.device.serial,
            "rule": alarm.rule,
            "grade": alarm.grade.value,
            "stage": alarm.stage.value,
            "condition": alarm.condition.value,
            "owner_id": alarm.owner_id,
            "area_id": alarm.area_id,
            "site_id": alarm.site_id,
            "at": at.isoformat(),
        },
    )
    return entry
