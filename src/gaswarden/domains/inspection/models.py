"""Checklist templates and their versions, plans, tasks, inspections and their results."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.db.base import Base, IdMixin, TimestampMixin, utcnow
from gaswarden.db.types import UTCDateTime, enum_type
from gaswarden.domains.inspection.enums import ChecklistTarget, InspectionKind, Outcome, TaskStatus
from gaswarden.domains.site.enums import SiteKind
from gaswarden.domains.site.models import Site
from gaswarden.standards.hazards import Frequency, HazardGrade


class ChecklistTemplate(IdMixin, TimestampMixin, Base):
    """A checklist (检查表) for a kind of site or for enterprise management.

    Its items live in versions: editing publishes a new version, and every inspection keeps
    the version it used. `builtin` templates are seeded from the standards.
    """

    __tablename__ = "checklist_template"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    target: Mapped[ChecklistTarget] = mapped_column(enum_type(ChecklistTarget, 16), index=True)
    description: Mapped[str | None] = mapped_column(String(1000))
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The version new inspections use (no foreign key: versions point at their template).
    current_version_id: Mapped[int | None] = mapped_column(Integer)

    def __str__(self) -> str:
        return self.name


class ChecklistVersion(IdMixin, Base):
    """One published, immutable set of items of a template."""

    __tablename__ = "checklist_version"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    template_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_template.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 ... per template
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by: Mapped[str] = mapped_column(String(100), default="system")
    note: Mapped[str | None] = mapped_column(String(500))

    template: Mapped[ChecklistTemplate] = relationship(lazy="joined", innerjoin=True)
    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="version", order_by="ChecklistItem.position", lazy="selectin"
    )


class ChecklistItem(IdMixin, Base):
    """One thing to check. `code` is stable across versions (recurrence keys on it)."""

    __tablename__ = "checklist_item"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    version_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_version.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str] = mapped_column(String(60))  # e.g. 安全管理, 储罐, 管道, 用户设施
    text: Mapped[str] = mapped_column(String(500))  # what to check, Chinese
    text_en: Mapped[str | None] = mapped_column(String(500))
    standard: Mapped[str | None] = mapped_column(String(200))  # where the requirement comes from
    hazard_grade: Mapped[HazardGrade] = mapped_column(enum_type(HazardGrade, 8))
    deadline_days: Mapped[int | None] = mapped_column(Integer)  # None: the grade's default
    # Management items backed by a required enterprise system (规章制度), e.g. "emergency_plan".
    system_kind: Mapped[str | None] = mapped_column(String(40))

    version: Mapped[ChecklistVersion] = relationship(back_populates="items")


class InspectionPlan(IdMixin, TimestampMixin, Base):
    """Which sites, which checklist, how often, by whom; tasks are generated on schedule."""

    __tablename__ = "inspection_plan"

    name: Mapped[str] = mapped_column(String(150))
    kind: Mapped[InspectionKind] = mapped_column(enum_type(InspectionKind, 16))
    template_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_template.id", ondelete="RESTRICT")
    )
    # Site selection: any of these left empty means "all".
    site_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    area_id: Mapped[int | None] = mapped_column(
        ForeignKey("area.id", ondelete="RESTRICT"), index=True
    )  # the subtree whose sites are inspected; also the plan's own scope
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )  # only this enterprise's sites (self-inspection plans: the enterprise itself)
    frequency: Mapped[Frequency] = mapped_column(enum_type(Frequency, 16))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    due_days: Mapped[int | None] = mapped_column(Integer)  # None: due at the period's end
    assignee_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )  # an agency, the regulator, or the enterprise (self-inspection)
    assignee_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    generated_until: Mapped[date | None] = mapped_column(Date)  # periods up to here have tasks
    created_by_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL")
    )
    notes: Mapped[str | None] = mapped_column(String(1000))

    template: Mapped[ChecklistTemplate] = relationship(lazy="joined", innerjoin=True)

    def __str__(self) -> str:
        return self.name


class InspectionTask(IdMixin, TimestampMixin, Base):
    """One site to inspect in one period (or an ad-hoc task without a plan).

    Scoped like its site (owner, area, site copied in); the assignee sees it too.
    """

    __tablename__ = "inspection_task"
    __table_args__ = (UniqueConstraint("plan_id", "site_id", "period_start"),)

    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection_plan.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_template.id", ondelete="RESTRICT")
    )
    kind: Mapped[InspectionKind] = mapped_column(enum_type(InspectionKind, 16), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[TaskStatus] = mapped_column(
        enum_type(TaskStatus, 16), default=TaskStatus.PENDING, index=True
    )
    assignee_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    assignee_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    area_id: Mapped[int | None] = mapped_column(
        ForeignKey("area.id", ondelete="SET NULL"), index=True
    )
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late: Mapped[bool] = mapped_column(Boolean, default=False)  # done after the due date

    site: Mapped[Site] = relationship(lazy="joined", innerjoin=True)
    template: Mapped[ChecklistTemplate] = relationship(lazy="joined", innerjoin=True)
    plan: Mapped[InspectionPlan | None] = relationship(lazy="select")

    def overdue(self, today: date) -> bool:
        return self.status is TaskStatus.PENDING and self.due_on < today


class Inspection(IdMixin, TimestampMixin, Base):
    """An inspection carried out and submitted; immutable once submitted (amendments only).

    `client_id` is the UUID the form made when it was opened: submitting the same inspection
    twice (an offline phone retrying) returns the first one.
    """

    __tablename__ = "inspection"

    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection_task.id", ondelete="SET NULL"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="RESTRICT"), index=True)
    site_kind: Mapped[SiteKind] = mapped_column(enum_type(SiteKind, 24))
    kind: Mapped[InspectionKind] = mapped_column(enum_type(InspectionKind, 16), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("checklist_version.id", ondelete="RESTRICT"))
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    inspector_name: Mapped[str] = mapped_column(String(100))
    inspector_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )  # the site's enterprise
    area_id: Mapped[int | None] = mapped_column(
        ForeignKey("area.id", ondelete="SET NULL"), index=True
    )
    inspected_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # on site (device)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # received
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    n_pass: Mapped[int] = mapped_column(Integer, default=0)
    n_fail: Mapped[int] = mapped_column(Integer, default=0)
    n_na: Mapped[int] = mapped_column(Integer, default=0)
    amended: Mapped[bool] = mapped_column(Boolean, default=False)

    site: Mapped[Site] = relationship(lazy="joined", innerjoin=True)
    version: Mapped[ChecklistVersion] = relationship(lazy="joined", innerjoin=True)
    results: Mapped[list[InspectionResult]] = relationship(
        back_populates="inspection", order_by="InspectionResult.id", lazy="selectin"
    )

    def __str__(self) -> str:
        return f"{self.site.name} {self.inspected_at:%Y-%m-%d}"


class InspectionResult(IdMixin, Base):
    """One item's outcome; a failure links the hazard it opened."""

    __tablename__ = "inspection_result"
    __table_args__ = (UniqueConstraint("inspection_id", "item_id"),)

    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspection.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id", ondelete="RESTRICT"))
    outcome: Mapped[Outcome] = mapped_column(enum_type(Outcome, 8))
    note: Mapped[str | None] = mapped_column(String(1000))
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazard.id", ondelete="SET NULL"))

    inspection: Mapped[Inspection] = relationship(back_populates="results")
    item: Mapped[ChecklistItem] = relationship(lazy="joined", innerjoin=True)


class InspectionAmendment(IdMixin, Base):
    """A change to a submitted inspection: who, when, why, and what changed."""

    __tablename__ = "inspection_amendment"

    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspection.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(1000))
    changes: Mapped[dict[str, list[object]]] = mapped_column(JSON, default=dict)
