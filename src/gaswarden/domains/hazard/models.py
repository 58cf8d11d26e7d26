"""Hazards, their timeline, rectification plans and submissions, and enterprise systems."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.db.base import Base, IdMixin, LocatedMixin, TimestampMixin, utcnow
from gaswarden.db.types import UTCDateTime, enum_type
from gaswarden.domains.hazard.enums import (
    HazardEventKind,
    HazardSource,
    HazardStatus,
    SystemKind,
    SystemStatus,
    Verdict,
)
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.site.models import Site
from gaswarden.standards.hazards import HazardGrade


class Hazard(IdMixin, TimestampMixin, LocatedMixin, Base):
    """A hazard (隐患), owned by the responsible enterprise (`owner_id`) and lying in a grid.

    Nothing is deleted: every step is a HazardEvent. `item_code` (the checklist item's stable
    code) with `site_id` is what makes a finding recurring.
    """

    __tablename__ = "hazard"

    code: Mapped[str] = mapped_column(String(32), unique=True)  # YH-<year>-<serial>
    source: Mapped[HazardSource] = mapped_column(enum_type(HazardSource, 16), index=True)
    grade: Mapped[HazardGrade] = mapped_column(enum_type(HazardGrade, 8), index=True)
    category: Mapped[str] = mapped_column(String(60), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("site.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[HazardStatus] = mapped_column(
        enum_type(HazardStatus, 16), default=HazardStatus.REPORTED, index=True
    )

    found_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    found_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    found_by_name: Mapped[str] = mapped_column(String(100))
    found_by_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    deadline: Mapped[date] = mapped_column(Date, index=True)
    plan_due_on: Mapped[date | None] = mapped_column(Date)  # major hazards: the plan's deadline

    # Where it came from (the inspection result and enforcement cases point here).
    inspection_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection.id", ondelete="SET NULL"), index=True
    )
    item_code: Mapped[str | None] = mapped_column(String(40), index=True)
    alarm_id: Mapped[int | None] = mapped_column(
        ForeignKey("alarm.id", ondelete="SET NULL"), index=True
    )
    recurring: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("hazard.id", ondelete="SET NULL")
    )  # the earlier hazard at the same site and item

    # Progress and figures kept for statistics.
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # latest submission
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    closed_on_time: Mapped[bool | None] = mapped_column(Boolean)
    days_to_close: Mapped[float | None] = mapped_column()
    returns: Mapped[int] = mapped_column(Integer, default=0)  # rectifications sent back
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)  # 1 enterprise head, 2 reg.

    site: Mapped[Site | None] = relationship(lazy="joined")
    found_by_org: Mapped[Organization | None] = relationship(
        foreign_keys=[found_by_org_id], lazy="joined"
    )
    events: Mapped[list[HazardEvent]] = relationship(
        back_populates="hazard", order_by="HazardEvent.id", lazy="select"
    )
    plan: Mapped[RectificationPlan | None] = relationship(
        back_populates="hazard", lazy="select", uselist=False
    )
    rectifications: Mapped[list[Rectification]] = relationship(
        back_populates="hazard", order_by="Rectification.id", lazy="select"
    )

    @property
    def site_name(self) -> str | None:
        return self.site.name if self.site else None

    @property
    def is_open(self) -> bool:
        return self.status is not HazardStatus.CLOSED

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class HazardEvent(IdMixin, Base):
    """The hazard's timeline: every step with who, when, why."""

    __tablename__ = "hazard_event"

    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazard.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[HazardEventKind] = mapped_column(enum_type(HazardEventKind, 16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(100))
    from_status: Mapped[HazardStatus | None] = mapped_column(enum_type(HazardStatus, 16))
    to_status: Mapped[HazardStatus | None] = mapped_column(enum_type(HazardStatus, 16))
    note: Mapped[str | None] = mapped_column(String(2000))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    hazard: Mapped[Hazard] = relationship(back_populates="events")


class RectificationPlan(IdMixin, TimestampMixin, Base):
    """A major hazard's rectification plan (整改方案): measures, funds, person, deadline, and
    interim safety measures until it is done. Resubmitting replaces it (audited)."""

    __tablename__ = "rectification_plan"

    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazard.id", ondelete="CASCADE"), unique=True)
    measures: Mapped[str] = mapped_column(Text)
    funds_yuan: Mapped[float | None] = mapped_column(Numeric(14, 2))
    responsible_person: Mapped[str] = mapped_column(String(100))
    deadline: Mapped[date] = mapped_column(Date)
    interim_measures: Mapped[str] = mapped_column(Text)
    submitted_by_name: Mapped[str] = mapped_column(String(100))

    hazard: Mapped[Hazard] = relationship(back_populates="plan")


class Rectification(IdMixin, Base):
    """One submission of the rectification with evidence, and the verifier's verdict."""

    __tablename__ = "rectification"

    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazard.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer)  # 1, 2, ... (after each return)
    description: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    submitted_by_name: Mapped[str] = mapped_column(String(100))
    verdict: Mapped[Verdict | None] = mapped_column(enum_type(Verdict, 8))
    verdict_note: Mapped[str | None] = mapped_column(String(2000))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    verified_by_name: Mapped[str | None] = mapped_column(String(100))

    hazard: Mapped[Hazard] = relationship(back_populates="rectifications")


class EnterpriseSystem(IdMixin, TimestampMixin, Base):
    """Whether an enterprise has one of the required systems (规章制度)."""

    __tablename__ = "enterprise_system"
    __table_args__ = (UniqueConstraint("org_id", "kind"),)

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[SystemKind] = mapped_column(enum_type(SystemKind, 24))
    status: Mapped[SystemStatus] = mapped_column(enum_type(SystemStatus, 16))
    document: Mapped[str | None] = mapped_column(String(200))  # title / number of the document
    adopted_on: Mapped[date | None] = mapped_column(Date)
    improved_on: Mapped[date | None] = mapped_column(Date)  # when a missing one was put right
    note: Mapped[str | None] = mapped_column(String(1000))

    org: Mapped[Organization] = relationship(lazy="joined", innerjoin=True)
