"""Inspection plans and tasks: input and output shapes."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gaswarden.core.schemas import InputModel
from gaswarden.domains.inspection.enums import InspectionKind, TaskStatus
from gaswarden.domains.site.enums import SiteKind
from gaswarden.standards.hazards import Frequency


class PlanCreate(InputModel):
    name: str = Field(min_length=1, max_length=150)
    kind: InspectionKind
    template_id: int
    site_kinds: list[SiteKind] = Field(default_factory=list)  # empty: the template's kinds
    area_id: int | None = None  # the subtree whose sites are inspected
    owner_id: int | None = None  # only this enterprise's sites
    frequency: Frequency
    starts_on: date
    ends_on: date | None = None
    due_days: int | None = Field(default=None, ge=1, le=730)  # None: due at the period's end
    assignee_org_id: int | None = None
    assignee_team_id: int | None = None
    active: bool = True
    notes: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _dates(self) -> PlanCreate:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class PlanUpdate(InputModel):
    name: str | None = Field(default=None, min_length=1, max_length=150)
    template_id: int | None = None
    site_kinds: list[SiteKind] | None = None
    area_id: int | None = None
    owner_id: int | None = None
    frequency: Frequency | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    due_days: int | None = Field(default=None, ge=1, le=730)
    assignee_org_id: int | None = None
    assignee_team_id: int | None = None
    active: bool | None = None
    notes: str | None = Field(default=None, max_length=1000)


class PlanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: InspectionKind
    template_id: int
    site_kinds: list[str]
    area_id: int | None
    owner_id: int | None
    frequency: Frequency
    starts_on: date
    ends_on: date | None
    due_days: int | None
    assignee_org_id: int | None
    assignee_team_id: int | None
    active: bool
    generated_until: date | None
    created_by_org_id: int | None
    notes: str | None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class PlanPage(BaseModel):
    items: list[PlanRead]
    total: int
    page: int
    size: int


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    plan_id: int | None
    site_id: int
    site_code: str
    site_name: str
    site_kind: SiteKind
    template_id: int
    kind: InspectionKind
    period_start: date
    due_on: date
    status: TaskStatus
    assignee_org_id: int | None
    assignee_team_id: int | None
    owner_id: int | None
    area_id: int | None
    done_at: datetime | None
    late: bool
    overdue: bool = False  # pending and due before today (local date)


class TaskPage(BaseModel):
    items: list[TaskRead]
    total: int
    page: int
    size: int
    overdue: int  # how many of the matching tasks are overdue
    today: date


class TaskCounts(BaseModel):
    today: date
    total: int
    pending: int
    done: int
    cancelled: int
    overdue: int


class TaskCancel(InputModel):
    reason: str = Field(min_length=1, max_length=1000)


class GenerateResult(BaseModel):
    today: date
    plans: int  # active plans looked at
    tasks: int  # tasks created
    by_plan: dict[int, int]
