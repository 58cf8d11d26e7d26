from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gaswarden.core.schemas import (
    IdNumber,
    InputModel,
    Latitude,
    Longitude,
    MaskedIdNumber,
    MaskedPhone,
    Phone,
)
from gaswarden.domains.enforcement.enums import (
    ActivitySource,
    CaseEventKind,
    CaseSource,
    CaseStatus,
    ClosureKind,
    Decision,
    PartyKind,
)

Note = Field(default=None, max_length=2000)


# ---- input --------------------------------------------------------------------------------------
class CaseOpen(InputModel):
    source: CaseSource | None = Field(
        default=None, description="default: hazard with hazard_id, inspection with inspection_id"
    )
    party_kind: PartyKind
    party_name: str | None = Field(
        default=None, max_length=150, description="an unlicensed operator's name (required)"
    )
    owner_id: int | None = Field(
        default=None, description="the licensed enterprise (default: the site's)"
    )
    party_contact: Phone = None
    party_id_number: IdNumber = None
    site_id: int | None = None
    hazard_id: int | None = None
    inspection_id: int | None = None
    area_id: int | None = Field(default=None, description="default: the site's, or from lon/lat")
    address: str | None = Field(default=None, max_length=255)
    lon: Longitude = None
    lat: Latitude = None
    facts: str = Field(min_length=1, max_length=20000)
    rule_violated: str | None = Field(default=None, max_length=300)
    photo_ids: list[int] = Field(default_factory=list, max_length=50)
    opened_at: datetime | None = None
    note: str | None = Note


class CaseNote(InputModel):
    note: str | None = Note


class CaseEvidence(InputModel):
    facts: str | None = Field(default=None, max_length=20000)
    rule_violated: str | None = Field(default=None, max_length=300)
    photo_ids: list[int] = Field(default_factory=list, max_length=50)
    note: str | None = Note


class CaseDecide(InputModel):
    decision: Decision
    decision_no: str = Field(min_length=1, max_length=60)
    fine_yuan: float | None = Field(default=None, ge=0, le=1e11)
    rectify_by: date | None = None
    closure_kind: ClosureKind | None = None
    rule_violated: str | None = Field(default=None, max_length=300)
    decided_at: datetime | None = None
    note: str | None = Note


class CaseExecute(InputModel):
    execution_note: str = Field(min_length=1, max_length=5000)
    executed_at: datetime | None = None


class ActivityReport(InputModel):
    detail: str = Field(min_length=1, max_length=500)
    source: ActivitySource = ActivitySource.REPORT
    seen_at: datetime | None = None


class ActivityReview(InputModel):
    note: str = Field(min_length=1, max_length=1000)


# ---- output -------------------------------------------------------------------------------------
class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    source: CaseSource
    status: CaseStatus
    party_kind: PartyKind
    party_name: str
    party_contact: MaskedPhone  # personal data: masked
    party_id_number: MaskedIdNumber
    owner_id: int | None
    owner_name: str | None
    area_id: int | None
    area_name: str | None
    site_id: int | None
    site_name: str | None = None
    hazard_id: int | None
    inspection_id: int | None
    address: str | None
    lon: float | None
    lat: float | None
    opened_at: datetime
    opened_by_name: str
    facts: str
    rule_violated: str | None
    decision: Decision | None
    decision_no: str | None
    fine_yuan: float | None
    decided_at: datetime | None
    rectify_by: date | None
    executed_at: datetime | None
    execution_note: str | None
    closed_at: datetime | None
    closure_kind: ClosureKind | None
    watched: bool
    activity_flagged: bool


class CaseEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    kind: CaseEventKind
    actor_id: int | None
    actor_name: str
    from_status: CaseStatus | None
    to_status: CaseStatus | None
    note: str | None
    data: dict[str, Any]


class ActivityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    seen_at: datetime
    source: ActivitySource
    detail: str
    ref: str | None
    reviewed: bool
    reviewed_by_name: str | None
    review_note: str | None


class EvidenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    content_type: str
    size: int
    role: str | None
    uploaded_at: datetime
    uploaded_by_name: str


class CaseDetail(CaseRead):
    timeline: list[CaseEventRead]
    activities: list[ActivityRead]
    evidence: list[EvidenceRead]


class CasePage(BaseModel):
    items: list[CaseRead]
    total: int
    page: int
    size: int


class ClosureCount(BaseModel):
    kind: ClosureKind
    zh: str
    en: str
    count: int


class CaseSummary(BaseModel):
    closures: list[ClosureCount]
    closures_total: int
    by_status: dict[str, int]
    by_decision: dict[str, int]
    cases: int
    watched: int
    activity_flagged: int
    fines_yuan: float
