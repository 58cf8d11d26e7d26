"""Input and output shapes of service requests, statistics and coverage. Phones are taken in
plain and given back masked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gaswarden.core.schemas import InputModel, Latitude, Longitude, MaskedPhone, Phone
from gaswarden.domains.service.enums import (
    RequestChannel,
    RequestEventKind,
    RequestKind,
    RequestPriority,
    RequestStatus,
)

Note = Field(default=None, max_length=2000)


# ---- input --------------------------------------------------------------------------------------
class RequestCreate(InputModel):
    """A request through the API (channel api) or the hotline screen (channel hotline)."""

    kind: RequestKind
    contact_name: str = Field(min_length=1, max_length=50)
    contact_phone: Phone = None
    description: str = Field(min_length=1, max_length=5000)
    address: str | None = Field(default=None, max_length=255)
    lon: Longitude = None
    lat: Latitude = None
    area_id: int | None = Field(default=None, description="default: the grid at lon/lat")
    owner_id: int | None = Field(
        default=None, description="the gas company; default: nearest site's, or the area's"
    )
    customer_id: int | None = None
    received_at: datetime | None = None


class RequestAssign(InputModel):
    team_id: int | None = None
    assignee_name: str | None = Field(default=None, max_length=100)
    note: str | None = Note


class RequestNote(InputModel):
    note: str | None = Note


class RequestResolve(InputModel):
    resolution: str = Field(min_length=1, max_length=5000)


class RequestClose(InputModel):
    satisfaction: int = Field(ge=1, le=5)
    note: str | None = Note


class VillageUpdate(InputModel):
    households: int | None = Field(default=None, ge=0, le=100000)
    households_piped: int | None = Field(default=None, ge=0, le=100000)
    households_clean_heating: int | None = Field(default=None, ge=0, le=100000)
    pipe_gas_since: int | None = Field(default=None, ge=1950, le=2100)
    clean_heating_since: int | None = Field(default=None, ge=1950, le=2100)
    reason: str | None = Field(default=None, max_length=500)


# ---- output -------------------------------------------------------------------------------------
class RequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    kind: RequestKind
    channel: RequestChannel
    priority: RequestPriority
    status: RequestStatus
    contact_name: str
    contact_phone: MaskedPhone  # personal data: masked
    description: str
    address: str | None
    lon: float | None
    lat: float | None
    owner_id: int | None
    owner_name: str | None
    area_id: int | None
    area_name: str | None
    received_at: datetime
    received_by_name: str
    respond_due_at: datetime
    resolve_due_at: datetime
    assigned_team_id: int | None
    assignee_name: str | None
    assigned_at: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    resolution: str | None
    satisfaction: int | None
    overdue: bool
    incident_id: int | None


class RequestEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    kind: RequestEventKind
    actor_name: str
    from_status: RequestStatus | None
    to_status: RequestStatus | None
    note: str | None
    data: dict[str, Any]


class RequestDetail(RequestRead):
    timeline: list[RequestEventRead]


class RequestPage(BaseModel):
    items: list[RequestRead]
    total: int
    page: int
    size: int


class TargetRead(BaseModel):
    kind: RequestKind
    zh: str
    en: str
    priority: RequestPriority
    respond_min: int
    resolve_min: int
    source: str


class Figures(BaseModel):
    """Counts and times of one group of requests (all, an enterprise, a month)."""

    total: int
    by_kind: dict[str, int]
    by_channel: dict[str, int]
    by_status: dict[str, int]
    respond_on_time: int
    respond_late: int
    respond_on_time_rate: float | None
    resolve_on_time: int
    resolve_late: int
    resolve_on_time_rate: float | None
    mean_respond_min: float | None
    mean_resolve_h: float | None
    satisfaction_mean: float | None
    satisfaction_count: int
    overdue: int


class EnterpriseFigures(Figures):
    owner_id: int | None
    owner_name: str


class MonthFigures(Figures):
    month: str  # YYYY-MM, local time


class ServiceStatistics(BaseModel):
    overall: Figures
    by_enterprise: list[EnterpriseFigures]
    by_month: list[MonthFigures]


class VillageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    area_id: int
    town: str
    name: str
    households: int
    pipe_gas_since: int | None
    households_piped: int
    clean_heating_since: int | None
    households_clean_heating: int
    lon: float | None
    lat: float | None


class TownCoverage(BaseModel):
    area_id: int
    town: str
    villages: int
    villages_piped: int
    villages_clean_heating: int
    households: int
    households_piped: int
    households_clean_heating: int


class YearCoverage(BaseModel):
    year: int
    villages_piped: int
    households_piped: int
    villages_clean_heating: int
    households_clean_heating: int


class CoverageSummary(BaseModel):
    towns: list[TownCoverage]
    total: TownCoverage
