"""Raising alarms through the rules engine and subscribing through the service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.notification.models import Notification, Subscription
from gaswarden.domains.notification.service import subscriptions
from gaswarden.ingestion.contract import Reading, StoredBatch
from gaswarden.rules.engine import AlarmEngine


def raise_alarm(session: Session, device_id: int, value: float = 30.0) -> Alarm:
    """A methane reading at a station: 30 %LEL is yellow, 55 %LEL orange (GB/T 50493)."""
    now = datetime.now(UTC) - timedelta(seconds=60)
    batch = StoredBatch(
        readings=[Reading(device_id, "methane_lel_pct", now, value)],
        events=[],
        statuses=[],
        received_at=now,
    )
    AlarmEngine().consume(session, batch)
    session.flush()
    stmt = select(Alarm).where(Alarm.device_id == device_id).order_by(Alarm.id.desc())
    alarm = session.scalars(stmt).first()
    assert alarm is not None
    return alarm


def subscribe(session: Session, **data: Any) -> Subscription:
    sub = subscriptions.create(session=session, principal=SYSTEM, data=data)
    session.flush()
    return sub


def outbox(session: Session, alarm_id: int | None = None) -> list[Notification]:
    session.expire_all()
    stmt = select(Notification).order_by(Notification.id)
    if alarm_id is not None:
        stmt = stmt.where(Notification.alarm_id == alarm_id)
    return list(session.scalars(stmt))
