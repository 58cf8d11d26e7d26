"""Building batches and devices for the alarm tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.asset.service import service as assets
from gaswarden.domains.device.service import service as devices
from gaswarden.ingestion.contract import (
    DeviceEvent,
    EventKind,
    Reading,
    StatusReport,
    StoredBatch,
)

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def readings(device_id: int, metric: str, *points: tuple[float, float]) -> list[Reading]:
    return [Reading(device_id, metric, at(s), v) for s, v in points]


def batch(
    *items: Reading | DeviceEvent | StatusReport, received: float | None = None
) -> StoredBatch:
    rs = [i for i in items if isinstance(i, Reading)]
    es = [i for i in items if isinstance(i, DeviceEvent)]
    ss = [i for i in items if isinstance(i, StatusReport)]
    last = max((i.ts for i in items), default=T0)
    received_at = at(received) if received is not None else last + timedelta(seconds=1)
    return StoredBatch(readings=rs, events=es, statuses=ss, received_at=received_at)


def event(device_id: int, kind: EventKind, s: float, **detail: Any) -> DeviceEvent:
    return DeviceEvent(device_id, at(s), kind, detail)


def device(session: Session, serial: str, kind: str, **data: Any) -> int:
    obj = devices.create(
        session=session, principal=SYSTEM, data={"serial": serial, "kind": kind, **data}
    )
    return int(obj.id)


def regulator(session: Session, code: str, site_id: int, set_kpa: float) -> int:
    obj = assets.create(
        session=session,
        principal=SYSTEM,
        data={
            "code": code,
            "name": f"调压器 {code}",
            "kind": "regulator",
            "site_id": site_id,
            "outlet_set_kpa": set_kpa,
            "inlet_design_mpa": 0.4,
            "outlet_design_mpa": 0.01,
        },
    )
    return int(obj.id)


def alarms(session: Session, device_id: int, rule: str | None = None) -> list[Alarm]:
    stmt = select(Alarm).where(Alarm.device_id == device_id).order_by(Alarm.id)
    if rule is not None:
        stmt = stmt.where(Alarm.rule == rule)
    session.expire_all()
    return list(session.scalars(stmt))
