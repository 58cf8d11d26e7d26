"""Reads of telemetry, scoped through the device: latest values, history (raw or hourly),
health, online rates, quarantine. Writes happen only in ingestion/ (in bulk)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.scope import located
from gaswarden.domains.device.models import Device
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.telemetry.models import (
    DeviceHealth,
    HourlyRollup,
    LatestValue,
    QuarantineRecord,
    Reading,
)
from gaswarden.ingestion.contract import METRICS, RejectReason

RAW_LIMIT = timedelta(days=2)  # longer ranges chart from the hourly roll-ups
MAX_RAW_POINTS = 20_000
OFFLINE_AFTER_INTERVALS = 3  # no message for 3 reporting intervals: offline
OFFLINE_MIN = timedelta(minutes=5)


def latest(*, session: Session, principal: Principal, device_id: int) -> list[dict[str, Any]]:
    devices.get(session=session, principal=principal, id=device_id)  # scope: 404 if not visible
    rows = session.scalars(
        select(LatestValue).where(LatestValue.device_id == device_id).order_by(LatestValue.metric)
    )
    out = []
    for row in rows:
        metric = METRICS.get(row.metric)
        out.append(
            {
                "metric": row.metric,
                "value": row.value,
                "ts": row.ts,
                "unit": metric.unit if metric else "",
                "zh": metric.zh if metric else row.metric,
                "en": metric.en if metric else row.metric,
            }
        )
    return out


@dataclass
class Series:
    metric: str
    resolution: str  # "raw" | "hour"
    ts: list[datetime]
    value: list[float]  # raw value, or the hour's mean
    min: list[float] | None = None
    max: list[float] | None = None


def readings(
    *,
    session: Session,
    principal: Principal,
    device_id: int,
    start: datetime,
    end: datetime,
    metric: str | None = None,
    resolution: str = "auto",
) -> list[Series]:
    """One series per metric. `auto` reads raw rows for up to two days, roll-ups beyond."""
    devices.get(session=session, principal=principal, id=device_id)
    if resolution == "auto":
        resolution = "raw" if end - start <= RAW_LIMIT else "hour"
    series: dict[str, Series] = {}
    if resolution == "raw":
        query = (
            select(Reading.metric, Reading.ts, Reading.value)
            .where(Reading.device_id == device_id, Reading.ts >= start, Reading.ts < end)
            .order_by(Reading.metric, Reading.ts)
            .limit(MAX_RAW_POINTS)
        )
        if metric:
            query = query.where(Reading.metric == metric)
        for name, ts, value in session.execute(query):
            s = series.setdefault(name, Series(name, "raw", [], []))
            s.ts.append(ts)
            s.value.append(value)
    else:
        hq = (
            select(HourlyRollup)
            .where(
                HourlyRollup.device_id == device_id,
                HourlyRollup.hour >= start.replace(minute=0, second=0, microsecond=0),
                HourlyRollup.hour < end,
            )
            .order_by(HourlyRollup.metric, HourlyRollup.hour)
        )
        if metric:
            hq = hq.where(HourlyRollup.metric == metric)
        for row in session.scalars(hq):
            s = series.setdefault(row.metric, Series(row.metric, "hour", [], [], [], []))
            s.ts.append(row.hour)
            s.value.append(row.sum / row.count if row.count else 0.0)
            assert s.min is not None and s.max is not None
            s.min.append(row.min)
            s.max.append(row.max)
    return list(series.values())


def is_online(health: DeviceHealth | None, interval_s: int, now: datetime) -> bool:
    if health is None or not health.online or health.last_seen is None:
        return False
    window = max(timedelta(seconds=interval_s * OFFLINE_AFTER_INTERVALS), OFFLINE_MIN)
    return now - health.last_seen <= window


def health(
    *,
    session: Session,
    principal: Principal,
    filters: dict[str, Any],
    page: int = 1,
    size: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    now = datetime.now(UTC)
    query = (
        select(Device, DeviceHealth)
        .outerjoin(DeviceHealth, DeviceHealth.device_id == Device.id)
        .where(devices.scope(principal))
    )
    for name in ("owner_id", "area_id", "site_id", "kind"):
        if filters.get(name) is not None:
            query = query.where(getattr(Device, name) == filters[name])
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Device.serial).offset((page - 1) * size).limit(size)
    ).all()
    items = []
    for device, h in rows:
        items.append(
            {
                "device_id": device.id,
                "serial": device.serial,
                "kind": device.kind.value,
                "owner_id": device.owner_id,
                "owner_name": device.owner_name,
                "online": is_online(h, device.report_interval_s, now),
                "last_seen": h.last_seen if h else None,
                "battery_pct": h.battery_pct if h else None,
                "rssi_dbm": h.rssi_dbm if h else None,
                "firmware": h.firmware if h else None,
                "messages": h.messages if h else 0,
                "rejections": h.rejections if h else 0,
                "expiry_date": device.expiry_date,
            }
        )
    return items, total


def online_rate(*, session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Per enterprise: devices in use, online now, and the rate."""
    now = datetime.now(UTC)
    rows = session.execute(
        select(Device.owner_id, Device.report_interval_s, DeviceHealth)
        .outerjoin(DeviceHealth, DeviceHealth.device_id == Device.id)
        .where(devices.scope(principal), Device.status == "active")
    ).all()
    totals: dict[int | None, list[int]] = {}
    for owner_id, interval, h in rows:
        t = totals.setdefault(owner_id, [0, 0])
        t[0] += 1
        t[1] += is_online(h, interval, now)
    owners = [k for k in totals if k]
    query = select(Organization.id, Organization.name).where(Organization.id.in_(owners))
    names = {oid: name for oid, name in session.execute(query)}
    return [
        {
            "owner_id": owner_id,
            "owner_name": names.get(owner_id) if owner_id else None,
            "devices": t[0],
            "online": t[1],
            "online_rate": round(t[1] / t[0], 4) if t[0] else None,
        }
        for owner_id, t in sorted(totals.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
    ]


def quarantine_scope(principal: Principal) -> ColumnElement[bool]:
    """Rows of a device: through the device's owner and area. Rows no device claims (unknown
    serials, bad topics) are shown to regulators, who supervise what tries to get in."""
    clause = located(principal, owner=QuarantineRecord.owner_id, area=QuarantineRecord.area_id)
    if principal.scope_kind is ScopeKind.AREA and principal.is_regulator:
        return or_(clause, QuarantineRecord.device_id.is_(None))
    return clause


def quarantine(
    *,
    session: Session,
    principal: Principal,
    reason: RejectReason | None = None,
    serial: str | None = None,
    transport: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    page: int = 1,
    size: int = 50,
) -> tuple[list[QuarantineRecord], int]:
    query = select(QuarantineRecord).where(quarantine_scope(principal))
    if reason is not None:
        query = query.where(QuarantineRecord.reason == reason)
    if serial:
        query = query.where(QuarantineRecord.serial == serial)
    if transport:
        query = query.where(QuarantineRecord.transport == transport)
    if start is not None:
        query = query.where(QuarantineRecord.received_at >= start)
    if end is not None:
        query = query.where(QuarantineRecord.received_at < end)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(QuarantineRecord.received_at.desc(), QuarantineRecord.id.desc())
        .offset((page - 1) * size)
        .limit(size)
    ).all()
    return list(rows), total
