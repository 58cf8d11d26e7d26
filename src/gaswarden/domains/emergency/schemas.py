"""Input and read models of the emergency domain (plans, reserves, contacts, incidents,
rankings, drills, the road graph)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gaswarden.core.schemas import (
    InputModel,
    Latitude,
    Longitude,
    MaskedPhone,
    Phone,
    ReadModel,
)
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
from gaswarden.domains.workforce.enums import DutyStatus, TeamKind

Note = Field(default=None, max_length=2000)


# ---- incidents ----------------------------------------------------------------------------------
class IncidentOpen(InputModel):
    """A new incident (接报). Called by the web form, the API, the alarm and hazard pages and
    the service domain's leak reports. Place: the site's, the alarm's or the hazard's, or
    the point (lon, lat), or the area given."""

    title: str = Field(min_length=1, max_length=200)
    grade: IncidentGrade = IncidentGrade.IV
    source: IncidentSource = IncidentSource.CALL
    description: str | None = Field(default=None, max_length=20000)
    lon: Longitude = None
    lat: Latitude = None
    address: str | None = Field(default=None, max_length=255)
    area_id: int | None = None
    owner_id: int | None = Field(default=None, description="the responsible enterprise")
    site_id: int | None = None
    alarm_id: int | None = None
    hazard_id: int | None = None
    source_ref: str | None = Field(default=None, max_length=60)
    caller_name: str | None = Field(default=None, max_length=50)
    caller_phone: Phone = None
    reported_at: datetime | None = None
    drill: bool = False


class DispatchCreate(InputModel):
    team_id: int
    vehicle_id: int | None = None
    at: datetime | None = None
    note: str | None = Note


class ArrivalCreate(InputModel):
    dispatch_id: int | None = Field(default=None, description="default: every team en route")
    at: datetime | None = None
    note: str | None = Note


class ActionCreate(InputModel):
    note: str = Field(min_length=1, max_length=2000)
    at: datetime | None = None


class ControlCreate(InputModel):
    note: str | None = Note
    at: datetime | None = None


class ReturnCreate(InputModel):
    dispatch_id: int
    at: datetime | None = None
    note: str | None = Note


class CloseCreate(InputModel):
    cause: str = Field(min_length=1, max_length=500)
    summary: str = Field(min_length=1, max_length=20000)
    injured: int = Field(default=0, ge=0)
    deaths: int = Field(default=0, ge=0)
    at: datetime | None = None


class GradeCreate(InputModel):
    grade: IncidentGrade
    note: str | None = Note
    at: datetime | None = None


class NotifyCreate(InputModel):
    note: str | None = Note


class DispatchRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    team_id: int
    team_name: str
    vehicle_id: int | None
    vehicle_plate: str | None
    distance_m: float | None
    distance_method: DistanceMethod | None
    dispatched_at: datetime
    arrived_at: datetime | None
    returned_at: datetime | None
    dispatched_by_name: str


class IncidentEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    kind: IncidentEventKind
    actor_name: str
    note: str | None
    data: dict[str, Any]


class IncidentRead(ReadModel):
    code: str
    title: str
    grade: IncidentGrade
    source: IncidentSource
    status: IncidentStatus
    alarm_id: int | None
    hazard_id: int | None
    source_ref: str | None
    site_id: int | None
    owner_id: int | None
    owner_name: str | None
    area_id: int | None
    area_name: str | None
    address: str | None
    lon: float | None
    lat: float | None
    description: str | None
    caller_name: str | None
    caller_phone: MaskedPhone = None
    reported_at: datetime
    reported_by_name: str
    dispatched_at: datetime | None
    arrived_at: datetime | None
    controlled_at: datetime | None
    closed_at: datetime | None
    dispatch_s: int | None = Field(default=None, description="first dispatch minus report")
    arrival_s: int | None = Field(default=None, description="first arrival minus report")
    injured: int
    deaths: int
    cause: str | None
    closing_summary: str | None
    drill: bool


class IncidentDetail(IncidentRead):
    dispatches: list[DispatchRead] = Field(default_factory=list)
    events: list[IncidentEventRead] = Field(default_factory=list)


# ---- ranking ------------------------------------------------------------------------------------
class RankedTeam(BaseModel):
    team_id: int
    name: str
    owner_name: str
    duty_status: DutyStatus
    skills: list[str]
    lon: float
    lat: float
    distance_m: float
    by_road: bool = Field(description="False: no road joins it, measured straight")
    members: int
    vehicles: list[str]


class RankedReserve(BaseModel):
    reserve_id: int
    name: str
    kind: ReserveKind
    quantity: float
    unit: str
    holder: str | None
    lon: float
    lat: float
    distance_m: float
    by_road: bool


class Ranking(BaseModel):
    incident_id: int
    method: DistanceMethod
    method_zh: str
    method_en: str
    teams: list[RankedTeam]
    reserves: list[RankedReserve]


# ---- plans --------------------------------------------------------------------------------------
class PlanCreate(InputModel):
    code: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=200)
    level: PlanLevel
    owner_id: int | None = Field(default=None, description="None: the district's own plan")
    area_id: int | None = None
    scenarios: list[str] = Field(default_factory=list, max_length=50)
    summary: str | None = Field(default=None, max_length=20000)
    attachment_id: int | None = Field(default=None, description="the uploaded plan document")
    review_due_on: date | None = None
    filed_with: str | None = Field(default=None, max_length=200)


class PlanVersionCreate(InputModel):
    title: str | None = Field(default=None, max_length=200)
    scenarios: list[str] | None = Field(default=None, max_length=50)
    summary: str | None = Field(default=None, max_length=20000)
    attachment_id: int | None = None
    review_due_on: date | None = None


class PlanApprove(InputModel):
    effective_on: date | None = None
    review_due_on: date | None = None
    note: str | None = Note


class PlanRead(ReadModel):
    code: str
    version: int
    title: str
    level: PlanLevel
    status: PlanStatus
    owner_id: int | None
    owner_name: str | None
    area_id: int | None
    area_name: str | None
    scenarios: list[str]
    summary: str | None
    attachment_id: int | None
    submitted_at: datetime | None
    approved_at: datetime | None
    approved_by_name: str | None
    effective_on: date | None
    review_due_on: date | None
    superseded_by_id: int | None
    filed_with: str | None
    review_overdue: bool = False


# ---- reserves -----------------------------------------------------------------------------------
class ReserveCreate(InputModel):
    name: str = Field(min_length=1, max_length=120)
    category: ReserveCategory
    kind: ReserveKind
    quantity: float = Field(ge=0)
    unit: str = Field(default="套", max_length=16)
    sets: int = Field(default=0, ge=0)
    owner_id: int | None = None
    area_id: int | None = None
    team_id: int | None = None
    site_id: int | None = None
    address: str | None = Field(default=None, max_length=255)
    lon: Longitude = None
    lat: Latitude = None
    expires_on: date | None = None
    last_maintained_on: date | None = None
    next_maintenance_on: date | None = None
    note: str | None = Field(default=None, max_length=500)


class ReserveUpdate(InputModel):
    name: str | None = Field(default=None, max_length=120)
    quantity: float | None = Field(default=None, ge=0)
    sets: int | None = Field(default=None, ge=0)
    address: str | None = Field(default=None, max_length=255)
    lon: Longitude = None
    lat: Latitude = None
    expires_on: date | None = None
    last_maintained_on: date | None = None
    next_maintenance_on: date | None = None
    note: str | None = Field(default=None, max_length=500)


class ReserveRead(ReadModel):
    name: str
    category: ReserveCategory
    kind: ReserveKind
    quantity: float
    unit: str
    sets: int
    owner_id: int | None
    owner_name: str | None
    area_id: int | None
    team_id: int | None
    site_id: int | None
    address: str | None
    lon: float | None
    lat: float | None
    expires_on: date | None
    last_maintained_on: date | None
    next_maintenance_on: date | None
    note: str | None
    expired: bool = False
    maintenance_due: bool = False


# ---- teams (the workforce domain's, seen for emergencies) ---------------------------------------
class DutyUpdate(InputModel):
    duty_status: DutyStatus
    note: str | None = Note


class TeamBaseUpdate(InputModel):
    skills: list[str] | None = Field(default=None, max_length=50)
    base_lon: Longitude = None
    base_lat: Latitude = None


class TeamRead(BaseModel):
    id: int
    name: str
    kind: TeamKind
    owner_id: int
    owner_name: str
    leader_name: str | None
    duty_phone: MaskedPhone = None
    duty_status: DutyStatus
    skills: list[str]
    lon: float | None
    lat: float | None
    equipment_sets: int
    members: list[str]
    vehicles: list[str]


# ---- contacts -----------------------------------------------------------------------------------
class ContactCreate(InputModel):
    name: str = Field(min_length=1, max_length=50)
    title: str = Field(min_length=1, max_length=100)
    unit: str = Field(min_length=1, max_length=100)
    phone: Phone
    min_grade: IncidentGrade
    owner_id: int | None = None
    sort: int = 0


class ContactRead(ReadModel):
    owner_id: int | None
    name: str
    title: str
    unit: str
    phone: MaskedPhone = None
    min_grade: IncidentGrade
    sort: int
    active: bool


# ---- drills -------------------------------------------------------------------------------------
class DrillCreate(InputModel):
    title: str = Field(min_length=1, max_length=200)
    kind: DrillKind
    scenario: str = Field(min_length=1, max_length=20000)
    planned_on: date
    owner_id: int | None = None
    area_id: int | None = None
    plan_id: int | None = None
    address: str | None = Field(default=None, max_length=255)
    lon: Longitude = None
    lat: Latitude = None
    participant_units: str | None = Field(default=None, max_length=500)
    team_ids: list[int] = Field(default_factory=list, max_length=50)


class DrillHeld(InputModel):
    held_on: date
    participants: int = Field(ge=0)
    participant_units: str | None = Field(default=None, max_length=500)
    rating: DrillRating
    evaluation: str = Field(min_length=1, max_length=20000)


class DrillActionCreate(InputModel):
    text: str = Field(min_length=1, max_length=500)
    responsible: str | None = Field(default=None, max_length=100)
    due_on: date | None = None


class DrillActionDone(InputModel):
    done_on: date


class DrillActionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    text: str
    responsible: str | None
    due_on: date | None
    done_on: date | None


class DrillRead(ReadModel):
    title: str
    kind: DrillKind
    status: DrillStatus
    plan_id: int | None
    owner_id: int | None
    owner_name: str | None
    area_id: int | None
    address: str | None
    scenario: str
    planned_on: date
    held_on: date | None
    participants: int
    participant_units: str | None
    team_ids: list[int]
    rating: DrillRating | None
    evaluation: str | None
    actions: list[DrillActionRead] = Field(default_factory=list)


class DrillCount(BaseModel):
    owner_id: int | None
    owner_name: str
    year: int
    planned: int
    held: int
    cancelled: int


# ---- statistics ---------------------------------------------------------------------------------
class ResponseStat(BaseModel):
    key: str
    label: str
    incidents: int
    dispatched: int
    arrived: int
    mean_dispatch_s: float | None
    mean_arrival_s: float | None
    max_arrival_s: float | None


class IncidentStats(BaseModel):
    total: int
    open: int
    by_owner: list[ResponseStat]
    by_grade: list[ResponseStat]
    by_month: list[ResponseStat]


# ---- roads --------------------------------------------------------------------------------------
class RoadImportResult(BaseModel):
    nodes: int
    edges: int
    length_km: float
