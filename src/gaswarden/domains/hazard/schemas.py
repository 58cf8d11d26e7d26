"""Hazards, their steps, the self-inspection comparison and enterprise systems, as the API
reads and writes them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gaswarden.core.schemas import InputModel, Latitude, Longitude
from gaswarden.domains.hazard.enums import (
    HazardEventKind,
    HazardSource,
    HazardStatus,
    SystemKind,
    SystemStatus,
    Verdict,
)
from gaswarden.standards.hazards import HazardGrade

Note = Field(default=None, max_length=2000)
PhotoIds: Any = Field(default_factory=list, max_length=50)


# ---- reads --------------------------------------------------------------------------------------
class HazardRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    source: HazardSource
    grade: HazardGrade
    category: str
    title: str
    description: str | None
    status: HazardStatus
    site_id: int | None
    site_name: str | None
    owner_id: int | None
    owner_name: str | None = None
    area_id: int | None
    address: str | None
    lon: float | None
    lat: float | None
    found_at: datetime
    found_by_name: str
    found_by_org_id: int | None
    deadline: date
    plan_due_on: date | None
    inspection_id: int | None
    item_code: str | None
    alarm_id: int | None
    recurring: bool
    previous_id: int | None
    assigned_at: datetime | None
    submitted_at: datetime | None
    closed_at: datetime | None
    closed_on_time: bool | None
    days_to_close: float | None
    returns: int
    overdue: bool
    escalation_level: int


class HazardEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    kind: HazardEventKind
    actor_id: int | None
    actor_name: str
    from_status: HazardStatus | None
    to_status: HazardStatus | None
    note: str | None
    data: dict[str, Any]


class PlanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    measures: str
    funds_yuan: float | None
    responsible_person: str
    deadline: date
    interim_measures: str
    submitted_by_name: str
    updated_at: datetime | None = None


class RectificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    round: int
    description: str
    submitted_at: datetime
    submitted_by_name: str
    verdict: Verdict | None
    verdict_note: str | None
    verified_at: datetime | None
    verified_by_name: str | None
    photo_ids: list[int] = []


class HazardDetail(HazardRead):
    """One hazard with all it went through, its files and what the caller may do next."""

    timeline: list[HazardEventRead]
    plan: PlanRead | None
    rectifications: list[RectificationRead]
    photo_ids: list[int]
    allowed_steps: list[str]


class HazardPage(BaseModel):
    items: list[HazardRead]
    total: int
    page: int
    size: int


# ---- writes -------------------------------------------------------------------------------------
class HazardReport(InputModel):
    """A new hazard: at a registered site, or in an area at an address (an unlicensed
    operator). An enterprise's own report is recorded as a self-inspection finding."""

    site_id: int | None = None
    area_id: int | None = None
    owner_id: int | None = None
    address: str | None = Field(default=None, max_length=255)
    lon: Longitude = None
    lat: Latitude = None
    grade: HazardGrade
    category: str = Field(min_length=1, max_length=60)
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    source: HazardSource = HazardSource.INSPECTION
    photo_ids: list[int] = PhotoIds
    item_code: str | None = Field(default=None, max_length=40)
    found_at: datetime | None = None
    deadline: date | None = None
    assign: bool = False
    note: str | None = Note


class HazardNote(InputModel):
    note: str | None = Note


class HazardAssign(InputModel):
    org_id: int | None = None
    note: str | None = Note


class HazardPlan(InputModel):
    measures: str = Field(max_length=5000)
    responsible_person: str = Field(max_length=100)
    deadline: date
    interim_measures: str = Field(max_length=5000)
    funds_yuan: float | None = Field(default=None, ge=0)
    note: str | None = Note


class HazardRectification(InputModel):
    description: str = Field(max_length=5000)
    photo_ids: list[int] = PhotoIds


class HazardReopen(InputModel):
    note: str | None = Note
    deadline: date | None = None


class HazardDeadline(InputModel):
    deadline: date
    note: str | None = Note


class AlarmToHazard(InputModel):
    """Turning a resolved alarm into a hazard; a note is needed unless the cause was a real
    leak or third-party damage."""

    grade: HazardGrade = HazardGrade.GENERAL
    category: str | None = Field(default=None, max_length=60)
    title: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    photo_ids: list[int] = PhotoIds
    deadline: date | None = None
    assign: bool = True
    note: str | None = Note


# ---- self-inspection comparison -----------------------------------------------------------------
class ComparisonRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    owner_id: int
    owner_name: str
    site_id: int | None  # None: the enterprise's total over its sites
    site_name: str | None
    self_inspections: int
    self_hazards: int
    self_rate: float | None
    other_inspections: int
    other_hazards: int
    other_rate: float | None
    ratio: float | None  # self_rate / other_rate
    flagged: bool


class ComparisonReport(BaseModel):
    since: date
    until: date
    ratio_flag: float
    rows: list[ComparisonRow]


# ---- enterprise systems -------------------------------------------------------------------------
class SystemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int | None
    org_id: int
    kind: SystemKind
    kind_zh: str
    kind_en: str
    major: bool
    status: SystemStatus | None  # None: not recorded (未登记)
    document: str | None
    adopted_on: date | None
    improved_on: date | None
    note: str | None
    updated_at: datetime | None


class EnterpriseSystems(BaseModel):
    org_id: int
    org_name: str
    systems: list[SystemRead]
    missing: int
    improved: int
    not_recorded: int


class SystemPut(InputModel):
    status: SystemStatus
    document: str | None = Field(default=None, max_length=200)
    adopted_on: date | None = None
    improved_on: date | None = None
    note: str | None = Field(default=None, max_length=1000)


class ImprovedCount(BaseModel):
    improved: int
    since: date | None
    until: date | None
