from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.db.base import HOT_FILLFACTOR, Base, IdMixin, TimestampMixin, utcnow
from gaswarden.db.types import UTCDateTime, enum_type
from gaswarden.domains.alarm.enums import (
    AlarmCause,
    AlarmCondition,
    AlarmEventKind,
    AlarmStage,
    ScopeLevel,
)
from gaswarden.domains.device.enums import DeviceKind
from gaswarden.domains.device.models import Device
from gaswarden.rules.grades import Grade


class Alarm(IdMixin, TimestampMixin, Base):
    """One alarm per device and rule while it is open; repeats update it.

    `open_key` ("<device>:<rule>") is set while the alarm is open and NULL once resolved or
    closed: its unique index is the one-open-alarm-per-device-and-rule guarantee.
    Scoped like its device (owner, area, site), copied when it is raised.
    """

    __tablename__ = "alarm"
    __table_args__ = (Index("ix_alarm_device_rule", "device_id", "rule"),)

    open_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(40), index=True)
    device_kind: Mapped[DeviceKind] = mapped_column(enum_type(DeviceKind, 24), index=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    area_id: Mapped[int | None] = mapped_column(
        ForeignKey("area.id", ondelete="SET NULL"), index=True
    )
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("site.id", ondelete="SET NULL"), index=True
    )
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id", ondelete="SET NULL"))

    grade: Mapped[Grade] = mapped_column(enum_type(Grade, 8), index=True)
    first_grade: Mapped[Grade] = mapped_column(enum_type(Grade, 8))
    level: Mapped[int] = mapped_column(Integer, default=1)
    condition: Mapped[AlarmCondition] = mapped_column(
        enum_type(AlarmCondition, 8), default=AlarmCondition.ACTIVE, index=True
    )
    stage: Mapped[AlarmStage] = mapped_column(
        enum_type(AlarmStage, 16), default=AlarmStage.NEW, index=True
    )
    metric: Mapped[str | None] = mapped_column(String(32))
    first_value: Mapped[float | None] = mapped_column(Float)
    last_value: Mapped[float | None] = mapped_column(Float)
    peak_value: Mapped[float | None] = mapped_column(Float)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # first raised (wall)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)  # response clock starts (reopen)
    device_first_ts: Mapped[datetime | None] = mapped_column(UTCDateTime)
    device_last_ts: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acked_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    assigned_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL")
    )
    assigned_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_site_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cause: Mapped[AlarmCause | None] = mapped_column(enum_type(AlarmCause, 24))
    resolution_note: Mapped[str | None] = mapped_column(String(1000))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))

    # Measured response times, seconds from opened_at; and the targets missed.
    ack_s: Mapped[int | None] = mapped_column(Integer)
    on_site_s: Mapped[int | None] = mapped_column(Integer)
    resolve_s: Mapped[int | None] = mapped_column(Integer)
    ack_overdue: Mapped[bool] = mapped_column(default=False)
    on_site_overdue: Mapped[bool] = mapped_column(default=False)
    notify_level: Mapped[int] = mapped_column(Integer, default=0)  # 0 owner, 1 admin, 2 regulator

    device: Mapped[Device] = relationship(lazy="joined", innerjoin=True)
    events: Mapped[list[AlarmEvent]] = relationship(
        back_populates="alarm", order_by="AlarmEvent.id", lazy="select"
    )

    @property
    def serial(self) -> str:
        return self.device.serial

    @property
    def acknowledged(self) -> bool:
        return self.acked_at is not None

    def __str__(self) -> str:
        return f"{self.device.serial}:{self.rule}"


class AlarmEvent(IdMixin, Base):
    """The alarm's timeline: what happened, when, who did it, with a note."""

    __tablename__ = "alarm_event"

    alarm_id: Mapped[int] = mapped_column(ForeignKey("alarm.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[AlarmEventKind] = mapped_column(enum_type(AlarmEventKind, 16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(100))
    grade: Mapped[Grade | None] = mapped_column(enum_type(Grade, 8))
    stage: Mapped[AlarmStage | None] = mapped_column(enum_type(AlarmStage, 16))
    value: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(String(1000))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    alarm: Mapped[Alarm] = relationship(back_populates="events")


class RuleSetting(IdMixin, TimestampMixin, Base):
    """An override of one rule's parameters for the deployment, a site, an asset or a device."""

    __tablename__ = "rule_setting"
    __table_args__ = (UniqueConstraint("scope", "scope_id", "rule"),)

    scope: Mapped[ScopeLevel] = mapped_column(enum_type(ScopeLevel, 8))
    scope_id: Mapped[int] = mapped_column(Integer, default=0)  # 0 for the global scope
    rule: Mapped[str] = mapped_column(String(40), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(String(500))
    # Where the target lies, so that settings are scoped like their site/asset/device.
    owner_id: Mapped[int | None] = mapped_column(index=True)
    area_id: Mapped[int | None] = mapped_column(index=True)
    site_id: Mapped[int | None] = mapped_column(index=True)

    def __str__(self) -> str:
        return f"{self.scope.value}:{self.scope_id}:{self.rule}"


class RuleStateRow(Base):
    """Per-device rule state: one row per device, locked while a batch evaluates it.

    `states` maps rule id -> RuleState JSON; `last_seen_at` is when anything last arrived
    from the device (received time), which the offline rule compares with the clock.
    """

    __tablename__ = "rule_state"
    # Rewritten by every batch: no index on the changing columns and free room in each page,
    # so PostgreSQL updates in place (HOT) without touching an index.
    __table_args__ = ({"postgresql_with": {"fillfactor": HOT_FILLFACTOR}},)

    device_id: Mapped[int] = mapped_column(
        ForeignKey("device.id", ondelete="CASCADE"), primary_key=True
    )
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    states: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A random stamp set by every write: a worker holding the states in memory re-reads them
    # only when the stamp differs from its own (another worker, a sweep, a rolled-back batch).
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
