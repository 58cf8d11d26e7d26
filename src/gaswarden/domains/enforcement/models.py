"""Enforcement cases, their timeline, and activity seen at sites closed by a case."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.db.base import Base, IdMixin, LocatedMixin, TimestampMixin, utcnow
from gaswarden.db.types import ProtectedText, UTCDateTime, enum_type
from gaswarden.domains.enforcement.enums import (
    ActivitySource,
    CaseEventKind,
    CaseSource,
    CaseStatus,
    ClosureKind,
    Decision,
    PartyKind,
)
from gaswarden.domains.site.models import Site


class EnforcementCase(IdMixin, TimestampMixin, LocatedMixin, Base):
    """A case against a party: a licensed enterprise (`owner_id`) or an unlicensed operator
    (name, address, point). A closure decision executed puts the place under watch."""

    __tablename__ = "enforcement_case"

    code: Mapped[str] = mapped_column(String(32), unique=True)  # ZF-<year>-<serial>
    source: Mapped[CaseSource] = mapped_column(enum_type(CaseSource, 16), index=True)
    status: Mapped[CaseStatus] = mapped_column(
        enum_type(CaseStatus, 16), default=CaseStatus.OPENED, index=True
    )
    party_kind: Mapped[PartyKind] = mapped_column(enum_type(PartyKind, 16))
    party_name: Mapped[str] = mapped_column(String(150))
    party_contact: Mapped[str | None] = mapped_column(ProtectedText)  # phone
    party_id_number: Mapped[str | None] = mapped_column(ProtectedText)  # an individual's ID
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("site.id", ondelete="SET NULL"), index=True
    )
    inspection_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection.id", ondelete="SET NULL")
    )
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazard.id", ondelete="SET NULL"))

    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    opened_by_name: Mapped[str] = mapped_column(String(100))
    facts: Mapped[str] = mapped_column(Text)
    rule_violated: Mapped[str | None] = mapped_column(
        String(300)
    )  # e.g. 《城镇燃气管理条例》第四十五条
    decision: Mapped[Decision | None] = mapped_column(enum_type(Decision, 16))
    decision_no: Mapped[str | None] = mapped_column(String(60))  # 决定书文号
    fine_yuan: Mapped[float | None] = mapped_column(Numeric(14, 2))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rectify_by: Mapped[date | None] = mapped_column(Date)
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    execution_note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    closure_kind: Mapped[ClosureKind | None] = mapped_column(enum_type(ClosureKind, 16))
    watched: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    activity_flagged: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    site: Mapped[Site | None] = relationship(lazy="joined")
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", lazy="select"
    )

    def __str__(self) -> str:
        return f"{self.code} {self.party_name}"


class CaseEvent(IdMixin, Base):
    __tablename__ = "case_event"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("enforcement_case.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[CaseEventKind] = mapped_column(enum_type(CaseEventKind, 16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(100))
    from_status: Mapped[CaseStatus | None] = mapped_column(enum_type(CaseStatus, 16))
    to_status: Mapped[CaseStatus | None] = mapped_column(enum_type(CaseStatus, 16))
    note: Mapped[str | None] = mapped_column(String(2000))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    case: Mapped[EnforcementCase] = relationship(back_populates="events")


class SiteActivity(IdMixin, Base):
    """A sign of life at a place closed by a case: flagged until a regulator looks at it."""

    __tablename__ = "site_activity"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("enforcement_case.id", ondelete="CASCADE"), index=True
    )
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    source: Mapped[ActivitySource] = mapped_column(enum_type(ActivitySource, 16))
    detail: Mapped[str] = mapped_column(String(500))
    ref: Mapped[str | None] = mapped_column(String(80), unique=True)  # dedup key of the signal
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewed_by_name: Mapped[str | None] = mapped_column(String(100))
    review_note: Mapped[str | None] = mapped_column(String(1000))
