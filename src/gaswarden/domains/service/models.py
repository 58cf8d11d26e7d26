"""Service requests with their timeline; villages with their gas and heating coverage and its
progress over the years."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.db.base import Base, IdMixin, LocatedMixin, TimestampMixin, utcnow
from gaswarden.db.types import ProtectedText, UTCDateTime, enum_type
from gaswarden.domains.area.models import Area
from gaswarden.domains.service.enums import (
    RequestChannel,
    RequestEventKind,
    RequestKind,
    RequestPriority,
    RequestStatus,
)


class ServiceRequest(IdMixin, TimestampMixin, LocatedMixin, Base):
    """A request from a resident or business. `owner_id` is the gas company that must answer
    it. Targets are set when it is received, from the kind's time targets; a leak report is
    urgent at once and opens an emergency incident (`incident_id`)."""

    __tablename__ = "service_request"

    code: Mapped[str] = mapped_column(String(32), unique=True)  # FW-<yyyymmdd>-<serial>
    kind: Mapped[RequestKind] = mapped_column(enum_type(RequestKind, 16), index=True)
    channel: Mapped[RequestChannel] = mapped_column(enum_type(RequestChannel, 16), index=True)
    priority: Mapped[RequestPriority] = mapped_column(enum_type(RequestPriority, 8))
    status: Mapped[RequestStatus] = mapped_column(
        enum_type(RequestStatus, 16), default=RequestStatus.OPEN, index=True
    )
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(ProtectedText)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="SET NULL"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    received_by_name: Mapped[str] = mapped_column(String(100))  # operator, or "网上服务"
    respond_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    resolve_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    assigned_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    assignee_name: Mapped[str | None] = mapped_column(String(100))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[int | None] = mapped_column(Integer)  # 1..5 at the return visit
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incident.id", ondelete="SET NULL"), index=True
    )

    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", order_by="RequestEvent.id", lazy="select"
    )

    def __str__(self) -> str:
        return f"{self.code} {self.kind.zh}"


class RequestEvent(IdMixin, Base):
    __tablename__ = "service_request_event"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_request.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[RequestEventKind] = mapped_column(enum_type(RequestEventKind, 16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(100))
    from_status: Mapped[RequestStatus | None] = mapped_column(enum_type(RequestStatus, 16))
    to_status: Mapped[RequestStatus | None] = mapped_column(enum_type(RequestStatus, 16))
    note: Mapped[str | None] = mapped_column(String(2000))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    request: Mapped[ServiceRequest] = relationship(back_populates="events")


class Village(IdMixin, TimestampMixin, Base):
    """An administrative village (行政村) or urban community in a town (`area_id`, level town).
    Coverage now; `CoverageYear` keeps the figures at each year's end."""

    __tablename__ = "village"
    __table_args__ = (UniqueConstraint("area_id", "name"),)

    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    households: Mapped[int] = mapped_column(Integer)
    pipe_gas_since: Mapped[int | None] = mapped_column(Integer)  # year the main reached it (村村通)
    households_piped: Mapped[int] = mapped_column(Integer, default=0)  # 户户通
    clean_heating_since: Mapped[int | None] = mapped_column(Integer)  # year (清洁取暖)
    households_clean_heating: Mapped[int] = mapped_column(Integer, default=0)
    lon: Mapped[float | None] = mapped_column()
    lat: Mapped[float | None] = mapped_column()

    area: Mapped[Area] = relationship(lazy="joined")
    years: Mapped[list[CoverageYear]] = relationship(
        back_populates="village",
        order_by="CoverageYear.year",
        lazy="select",
        cascade="all, delete-orphan",
    )

    def __str__(self) -> str:
        return self.name


class CoverageYear(IdMixin, Base):
    """A village's coverage at the end of a year."""

    __tablename__ = "coverage_year"
    __table_args__ = (UniqueConstraint("village_id", "year"),)

    village_id: Mapped[int] = mapped_column(
        ForeignKey("village.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column(Integer)
    piped: Mapped[bool] = mapped_column(Boolean)
    households_piped: Mapped[int] = mapped_column(Integer)
    clean_heating: Mapped[bool] = mapped_column(Boolean)
    households_clean_heating: Mapped[int] = mapped_column(Integer)

    village: Mapped[Village] = relationship(back_populates="years")
