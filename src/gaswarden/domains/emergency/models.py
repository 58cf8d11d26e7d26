"""Emergency plans, equipment and material reserves, emergency contacts, incidents with their
dispatches and timeline, drills with their follow-up actions, and an optional road graph.

Teams, their members and vehicles are the workforce domain's (Team, Person, Vehicle); a team's
duty status, skills and base point live on Team."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.db.base import Base, IdMixin, LocatedMixin, TimestampMixin, utcnow
from gaswarden.db.types import ProtectedText, UTCDateTime, enum_type
from gaswarden.domains.emergency.enums import (
    DistanceMethod,
    DrillKind,
    DrillRating,
    DrillStatus,
    IncidentEventKind,
    IncidentGrade,
    IncidentSource,
    IncidentStatus,
    PlanLevel,
    PlanStatus,
    ReserveCategory,
    ReserveKind,
)
from gaswarden.domains.site.models import Site
from gaswarden.domains.workforce.models import Team, Vehicle


class EmergencyPlan(IdMixin, TimestampMixin, LocatedMixin, Base):
    """One version of a plan (预案). `owner_id` None is the district's own plan. A new version
    of the same `code` supersedes the approved one when it is approved."""

    __tablename__ = "emergency_plan"

    code: Mapped[str] = mapped_column(String(40), index=True)  # same across versions
    version: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[PlanLevel] = mapped_column(enum_type(PlanLevel, 16), index=True)
    status: Mapped[PlanStatus] = mapped_column(
        enum_type(PlanStatus, 16), default=PlanStatus.DRAFT, index=True
    )
    scenarios: Mapped[list[Any]] = mapped_column(JSON, default=list)  # e.g. ["管道泄漏", ...]
    summary: Mapped[str | None] = mapped_column(Text)
    attachment_id: Mapped[int | None] = mapped_column(
        ForeignKey("attachment.id", ondelete="SET NULL")
    )  # the plan document (PDF/DOCX)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_name: Mapped[str | None] = mapped_column(String(100))
    effective_on: Mapped[date | None] = mapped_column(Date)
    review_due_on: Mapped[date | None] = mapped_column(Date, index=True)  # next revision due
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("emergency_plan.id", ondelete="SET NULL")
    )
    filed_with: Mapped[str | None] = mapped_column(String(200))  # 备案单位

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ReserveItem(IdMixin, TimestampMixin, LocatedMixin, Base):
    """A line of equipment or material held in reserve: so many of a kind at a place, held
    by a team or in a store (a site). `sets` counts it towards the district's equipment sets."""

    __tablename__ = "reserve_item"

    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[ReserveCategory] = mapped_column(enum_type(ReserveCategory, 16), index=True)
    kind: Mapped[ReserveKind] = mapped_column(enum_type(ReserveKind, 24), index=True)
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16), default="套")
    sets: Mapped[int] = mapped_column(Integer, default=0)  # equipment sets (台/套) it counts as
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="SET NULL"), index=True
    )
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("site.id", ondelete="SET NULL"), index=True
    )
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)  # consumables
    last_maintained_on: Mapped[date | None] = mapped_column(Date)
    next_maintenance_on: Mapped[date | None] = mapped_column(Date, index=True)
    note: Mapped[str | None] = mapped_column(String(500))

    team: Mapped[Team | None] = relationship(lazy="selectin")
    site: Mapped[Site | None] = relationship(lazy="selectin")

    def __str__(self) -> str:
        return self.name


class EmergencyContact(IdMixin, TimestampMixin, Base):
    """Who is told of an incident of `min_grade` or worse (IV = every incident).
    `owner_id` None: the district's list; else an enterprise's own."""

    __tablename__ = "emergency_contact"

    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(100))  # e.g. 区住建局分管副局长
    unit: Mapped[str] = mapped_column(String(100))  # e.g. 区住房和城乡建设局
    phone: Mapped[str] = mapped_column(ProtectedText)
    min_grade: Mapped[IncidentGrade] = mapped_column(enum_type(IncidentGrade, 4))
    sort: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Incident(IdMixin, TimestampMixin, LocatedMixin, Base):
    """An emergency case (突发事件): opened from an alarm, a hazard, a call or a leak report,
    graded, dispatched, handled, closed. The times are kept for response-time statistics:
    dispatch minus report, first arrival minus report, control, close."""

    __tablename__ = "incident"

    code: Mapped[str] = mapped_column(String(32), unique=True)  # YJ-<year>-<serial>
    title: Mapped[str] = mapped_column(String(200))
    grade: Mapped[IncidentGrade] = mapped_column(enum_type(IncidentGrade, 4), index=True)
    source: Mapped[IncidentSource] = mapped_column(enum_type(IncidentSource, 16), index=True)
    status: Mapped[IncidentStatus] = mapped_column(
        enum_type(IncidentStatus, 16), default=IncidentStatus.REPORTED, index=True
    )
    alarm_id: Mapped[int | None] = mapped_column(
        ForeignKey("alarm.id", ondelete="SET NULL"), index=True
    )
    hazard_id: Mapped[int | None] = mapped_column(
        ForeignKey("hazard.id", ondelete="SET NULL"), index=True
    )
    source_ref: Mapped[str | None] = mapped_column(String(60))  # e.g. a service request code
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("site.id", ondelete="SET NULL"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)
    caller_name: Mapped[str | None] = mapped_column(String(50))
    caller_phone: Mapped[str | None] = mapped_column(ProtectedText)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    reported_by_name: Mapped[str] = mapped_column(String(100))
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first dispatch
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first arrival
    controlled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    injured: Mapped[int] = mapped_column(Integer, default=0)
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    cause: Mapped[str | None] = mapped_column(String(500))
    closing_summary: Mapped[str | None] = mapped_column(Text)
    drill: Mapped[bool] = mapped_column(Boolean, default=False)  # opened during a drill

    site: Mapped[Site | None] = relationship(lazy="selectin")
    dispatches: Mapped[list[Dispatch]] = relationship(
        back_populates="incident", order_by="Dispatch.id", lazy="selectin"
    )
    events: Mapped[list[IncidentEvent]] = relationship(
        back_populates="incident", order_by="IncidentEvent.id", lazy="select"
    )

    @property
    def dispatch_s(self) -> int | None:
        """Seconds from the report to the first dispatch."""
        if self.dispatched_at is None:
            return None
        return int((self.dispatched_at - self.reported_at).total_seconds())

    @property
    def arrival_s(self) -> int | None:
        """Seconds from the report to the first arrival on scene."""
        if self.arrived_at is None:
            return None
        return int((self.arrived_at - self.reported_at).total_seconds())

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Dispatch(IdMixin, Base):
    """A team (with a vehicle) sent to an incident; the distance it was ranked by and how."""

    __tablename__ = "incident_dispatch"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="RESTRICT"), index=True)
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicle.id", ondelete="SET NULL"))
    distance_m: Mapped[float | None] = mapped_column(Float)
    distance_method: Mapped[DistanceMethod | None] = mapped_column(enum_type(DistanceMethod, 16))
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_by_name: Mapped[str] = mapped_column(String(100))

    incident: Mapped[Incident] = relationship(back_populates="dispatches")
    team: Mapped[Team] = relationship(lazy="joined")
    vehicle: Mapped[Vehicle | None] = relationship(lazy="joined")

    @property
    def team_name(self) -> str:
        return self.team.name

    @property
    def vehicle_plate(self) -> str | None:
        return self.vehicle.plate if self.vehicle else None


class IncidentEvent(IdMixin, Base):
    __tablename__ = "incident_event"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[IncidentEventKind] = mapped_column(enum_type(IncidentEventKind, 16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(2000))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    incident: Mapped[Incident] = relationship(back_populates="events")


class Drill(IdMixin, TimestampMixin, LocatedMixin, Base):
    """An emergency drill (应急演练), planned then held (or cancelled), with its evaluation."""

    __tablename__ = "drill"

    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[DrillKind] = mapped_column(enum_type(DrillKind, 16))
    status: Mapped[DrillStatus] = mapped_column(
        enum_type(DrillStatus, 16), default=DrillStatus.PLANNED, index=True
    )
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("emergency_plan.id", ondelete="SET NULL")
    )
    scenario: Mapped[str] = mapped_column(Text)
    planned_on: Mapped[date] = mapped_column(Date, index=True)
    held_on: Mapped[date | None] = mapped_column(Date, index=True)
    participants: Mapped[int] = mapped_column(Integer, default=0)
    participant_units: Mapped[str | None] = mapped_column(String(500))
    team_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    rating: Mapped[DrillRating | None] = mapped_column(enum_type(DrillRating, 16))
    evaluation: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[EmergencyPlan | None] = relationship(lazy="selectin")
    actions: Mapped[list[DrillAction]] = relationship(
        back_populates="drill",
        order_by="DrillAction.id",
        lazy="selectin",
        cascade="all, delete-orphan",
    )

    def __str__(self) -> str:
        return self.title


class DrillAction(IdMixin, TimestampMixin, Base):
    """A follow-up action from a drill's evaluation (整改措施), done by a date."""

    __tablename__ = "drill_action"

    drill_id: Mapped[int] = mapped_column(ForeignKey("drill.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    responsible: Mapped[str | None] = mapped_column(String(100))
    due_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)

    drill: Mapped[Drill] = relationship(back_populates="actions")


class RoadNode(Base):
    """A node of the loaded road graph (WGS84). With no nodes, distances are straight lines."""

    __tablename__ = "road_node"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)


class RoadEdge(Base):
    """A drivable road link between two nodes, both ways unless `oneway`."""

    __tablename__ = "road_edge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("road_node.id", ondelete="CASCADE"), index=True
    )
    target_id: Mapped[int] = mapped_column(
        ForeignKey("road_node.id", ondelete="CASCADE"), index=True
    )
    length_m: Mapped[float] = mapped_column(Float)
    oneway: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str | None] = mapped_column(String(100))
