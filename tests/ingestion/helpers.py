"""Shared helpers for the ingestion tests: device credentials, payloads, clocks."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.device.models import Device


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(ts: datetime) -> str:
    return ts.isoformat().replace("+00:00", "Z")


def ago(**kw: float) -> datetime:
    return now() - timedelta(**kw)


def credentials(session: Session, device_id: int) -> tuple[str, str]:
    device = session.get(Device, device_id)
    assert device is not None and device.token
    return device.serial, device.token


def serials(session: Session, *device_ids: int) -> list[str]:
    rows = session.execute(select(Device.id, Device.serial).where(Device.id.in_(device_ids)))
    by_id = {i: serial for i, serial in rows}
    return [by_id[i] for i in device_ids]


def telemetry(ts: datetime | None = None, seq: int | None = None, **values: Any) -> bytes:
    doc: dict[str, Any] = {"values": values}
    if ts is not None:
        doc["ts"] = iso(ts)
    if seq is not None:
        doc["seq"] = seq
    return json.dumps(doc).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
