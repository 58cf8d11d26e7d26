"""Telemetry storage: raw readings, latest values, hourly roll-ups, events, health, quarantine.

The ingestion pipeline writes these tables in bulk (ingestion/store.py), never through the ORM
per message; the classes here describe the schema and serve the read API.

On PostgreSQL `reading` is range-partitioned by `ts`, one partition a month, in the schema
`reading_part` (the migration creates the parent; ingestion/partitions.py the months).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gaswarden.db.base import HOT_FILLFACTOR, Base, IdMixin
from gaswarden.db.types import UTCDateTime, enum_type
from gaswarden.ingestion.contract import EventKind, RejectReason


class Reading(Base):
    """One value of one metric of one device at one time; (device, metric, ts) is unique."""

    __tablename__ = "reading"

    # No foreign key to device: the hot path checks devices against its cache, and a
    # partitioned table with a foreign key costs a lookup per row.
    device_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    seq: Mapped[int | None] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LatestValue(Base):
    """The newest reading of each metric of each device."""

    __tablename__ = "reading_latest"
    __table_args__ = ({"postgresql_with": {"fillfactor": HOT_FILLFACTOR}},)  # updated in place

    device_id: Mapped[int] = mapped_column(
        ForeignKey("device.id", ondelete="CASCADE"), primary_key=True
    )
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime)
    value: Mapped[float] = mapped_column(Float)
    seq: Mapped[int | None] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HourlyRollup(Base):
    """min/max/sum/count of one metric of one device in one UTC hour (mean = sum / count)."""

    __tablename__ = "reading_hourly"
    __table_args__ = ({"postgresql_with": {"fillfactor": HOT_FILLFACTOR}},)  # updated in place

    device_id: Mapped[int] = mapped_column(
        ForeignKey("device.id", ondelete="CASCADE"), primary_key=True
    )
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    min: Mapped[float] = mapped_column(Float)
    max: Mapped[float] = mapped_column(Float)
    sum: Mapped[float] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer)


class DeviceEventRecord(IdMixin, Base):
    """An event a device (or camera) reported; (device, ts, event) is unique."""

    __tablename__ = "device_event"

    device_id: Mapped[int] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"))
    ts: Mapped[datetime] = mapped_column(UTCDateTime)
    event: Mapped[EventKind] = mapped_column(enum_type(EventKind, 24))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    snapshot_url: Mapped[str | None] = mapped_column(String(1000))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # the dedup key, and the index for a device's event history
    __table_args__ = (UniqueConstraint("device_id", "ts", "event"),)


class DeviceHealth(Base):
    """What the pipeline knows of a device's link: last seen, battery, signal, counters."""

    __tablename__ = "device_health"
    __table_args__ = ({"postgresql_with": {"fillfactor": HOT_FILLFACTOR}},)  # updated in place

    device_id: Mapped[int] = mapped_column(
        ForeignKey("device.id", ondelete="CASCADE"), primary_key=True
    )
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    battery_pct: Mapped[float | None] = mapped_column(Float)
    rssi_dbm: Mapped[float | None] = mapped_column(Float)
    firmware: Mapped[str | None] = mapped_column(String(64))
    last_seq: Mapped[int | None] = mapped_column(BigInteger)
    messages: Mapped[int] = mapped_column(BigInteger, default=0)
    rejections: Mapped[int] = mapped_column(BigInteger, default=0)
    last_rejection_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QuarantineRecord(IdMixin, Base):
    """A refused message (or item of one), kept for regulators to browse."""

    __tablename__ = "quarantine"

    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    transport: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str | None] = mapped_column(String(255))
    serial: Mapped[str | None] = mapped_column(String(64), index=True)
    device_id: Mapped[int | None] = mapped_column(Integer, index=True)
    reason: Mapped[RejectReason] = mapped_column(enum_type(RejectReason, 24), index=True)
    detail: Mapped[str] = mapped_column(String(500))
    payload: Mapped[str] = mapped_column(Text)  # truncated, decoded leniently
    owner_id: Mapped[int | None] = mapped_column(Integer, index=True)  # scope, copied
    area_id: Mapped[int | None] = mapped_column(Integer, index=True)
