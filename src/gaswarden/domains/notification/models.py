"""Who wants to be told (subscriptions) and what is to be told (the outbox, one row per alarm
change or hazard escalation and subscription, written in the same transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.db.base import Base, IdMixin, TimestampMixin, utcnow
from gaswarden.db.types import ProtectedText, UTCDateTime, enum_type
from gaswarden.domains.alarm.models import Alarm, AlarmEvent
from gaswarden.domains.area.models import Area
from gaswarden.domains.notification.enums import Audience, Channel, DeliveryStatus
from gaswarden.domains.organization.models import Organization
from gaswarden.rules.grades import Grade


class Subscription(IdMixin, TimestampMixin, Base):
    """A target told about the alarms of one organisation (an enterprise's own alarms; for a
    regulator, every alarm in its area), for one audience, optionally only in a grid or town
    and only from a minimum grade up. Targets and secrets are encrypted at rest."""

    __tablename__ = "notification_subscription"

    name: Mapped[str | None] = mapped_column(String(100))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, 8), index=True)
    target: Mapped[str] = mapped_column(ProtectedText)
    audience: Mapped[Audience] = mapped_column(enum_type(Audience, 16), index=True)
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    min_grade: Mapped[Grade] = mapped_column(enum_type(Grade, 8), default=Grade.BLUE)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    secret: Mapped[str | None] = mapped_column(ProtectedText)  # webhook HMAC key; never shown

    owner: Mapped[Organization] = relationship(lazy="joined", innerjoin=True)
    area: Mapped[Area | None] = relationship(lazy="joined")

    @property
    def owner_name(self) -> str:
        return self.owner.name

    @property
    def area_name(self) -> str | None:
        return self.area.name if self.area else None

    @property
    def has_secret(self) -> bool:
        return bool(self.secret)

    def __str__(self) -> str:
        return self.name or f"{self.channel.value}:{self.audience.value}"


class Notification(IdMixin, TimestampMixin, Base):
    """The outbox: one delivery of one alarm change (or hazard escalation) to one subscription,
    and its outcome.

    Scoped like its alarm or hazard (owner, area, site copied). `next_attempt_at` is when the
    sender may take it next; a sender that takes it moves it on by a lease, so a crashed
    sender's rows come back by themselves.
    """

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("event_id", "subscription_id"),
        UniqueConstraint("hazard_event_id", "subscription_id"),
        Index("ix_notification_due", "status", "next_attempt_at"),
    )

    # What the notice is about: an alarm change, or a hazard's step (an overdue escalation).
    alarm_id: Mapped[int | None] = mapped_column(
        ForeignKey("alarm.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("alarm_event.id", ondelete="CASCADE"))
    hazard_id: Mapped[int | None] = mapped_column(
        ForeignKey("hazard.id", ondelete="CASCADE"), index=True
    )
    hazard_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("hazard_event.id", ondelete="CASCADE")
    )
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification_subscription.id", ondelete="SET NULL"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(index=True)
    area_id: Mapped[int | None] = mapped_column(index=True)
    site_id: Mapped[int | None] = mapped_column(index=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, 8), index=True)
    target: Mapped[str] = mapped_column(ProtectedText)
    audience: Mapped[Audience] = mapped_column(enum_type(Audience, 16))
    grade: Mapped[Grade] = mapped_column(enum_type(Grade, 8), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_type(DeliveryStatus, 8), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    alarm: Mapped[Alarm | None] = relationship(lazy="raise")
    event: Mapped[AlarmEvent | None] = relationship(lazy="raise")
    subscription: Mapped[Subscription | None] = relationship(lazy="raise")

    def __str__(self) -> str:
        return f"{self.channel.value}#{self.id}"
