"""What is sent and what is shown for conversions, quota tables and packages. The applicant's
phone and ID number (GB 11643 check digit, the customer domain's validator) are checked on
input and always shown masked."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from gaswarden.core.schemas import (
    IdNumber,
    InputModel,
    Latitude,
    Longitude,
    MaskedIdNumber,
    MaskedPhone,
    Phone,
)
from gaswarden.domains.conversion.enums import (
    ApplicationChannel,
    ConversionEventKind,
    ConversionStatus,
    HouseholdKind,
    QuotaCategory,
    RefusalReason,
)

Note = Field(default=None, max_length=2000)


# ---- applications: input ------------------------------------------------------------------------
class ApplicationCreate(InputModel):
    applicant_name: str = Field(min_length=1, max_length=100)
    applicant_phone: Phone
    applicant_id_number: IdNumber = None
    channel: ApplicationChannel = ApplicationChannel.COUNTER
    household_kind: HouseholdKind = HouseholdKind.RESIDENTIAL
    owner_id: int | None = Field(default=None, description="the pipeline company (default: yours)")
    area_id: int | None = Field(default=None, description="the grid; found from lon/lat if omitted")
    village: str | None = Field(default=None, max_length=100)
    address: str = Field(min_length=1, max_length=255)
    lon: Longitude = None
    lat: Latitude = None
    customer_code: str | None = Field(
        default=None, max_length=32, description="the household's LPG card number, if it has one"
    )
    customer_id: int | None = None
    entered_by_name: str | None = Field(default=None, max_length=100, description="the clerk")
    applied_at: AwareDatetime | None = None
    note: str | None = Note


class SurveyIn(InputModel):
    surveyor_name: str | None = Field(default=None, max_length=100)
    lon: Longitude = None
    lat: Latitude = None
    main_distance_m: float | None = Field(
        default=None, ge=0, le=100_000, description="measured; used where no network model covers"
    )
    refusal_reason: RefusalReason | None = None
    survey_note: str | None = Note


class PlanLineIn(InputModel):
    code: str = Field(min_length=1, max_length=32)
    quantity: float = Field(gt=0, le=100_000)


class QuoteIn(InputModel):
    package_id: int | None = None
    lines: list[PlanLineIn] | None = Field(
        default=None, max_length=100, description="default: the standard plan from the survey"
    )
    note: str | None = Note


class StepNote(InputModel):
    note: str | None = Note


class RefuseIn(InputModel):
    reason: RefusalReason
    note: str | None = Note


# ---- applications: output -----------------------------------------------------------------------
class QuoteLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    unit: str
    quantity: float
    unit_price_yuan: Decimal
    amount_yuan: Decimal


class ApplicationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    channel: ApplicationChannel
    household_kind: HouseholdKind
    status: ConversionStatus
    applicant_name: str
    applicant_phone: MaskedPhone  # personal data: masked
    applicant_id_number: MaskedIdNumber
    customer_id: int | None
    customer_code: str | None = None
    owner_id: int | None
    owner_name: str | None
    area_id: int | None
    area_name: str | None
    village: str | None
    address: str | None
    lon: float | None
    lat: float | None
    applied_at: datetime
    entered_by_name: str | None
    surveyed_at: datetime | None
    surveyor_name: str | None
    main_distance_m: float | None
    main_distance_source: str | None
    nearest_pipe_ref: str | None
    eligible: bool | None
    survey_note: str | None
    quota_table_id: int | None
    package_id: int | None
    package_name: str | None = None
    works_list_yuan: Decimal | None
    discount_rate: float | None
    works_payable_yuan: Decimal | None
    package_yuan: Decimal | None
    total_payable_yuan: Decimal | None
    quoted_at: datetime | None
    contracted_at: datetime | None
    works_started_at: datetime | None
    connected_at: datetime | None
    refusal_reason: RefusalReason | None
    refusal_note: str | None
    closed_at: datetime | None


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    kind: ConversionEventKind
    actor_name: str
    from_status: ConversionStatus | None
    to_status: ConversionStatus | None
    note: str | None
    data: dict[str, Any]


class ApplicationDetail(ApplicationRead):
    lines: list[QuoteLineRead]
    timeline: list[EventRead]


class ApplicationPage(BaseModel):
    items: list[ApplicationRead]
    total: int
    page: int
    size: int


class TownProgress(BaseModel):
    area_id: int | None
    name: str
    converted: int
    in_progress: int
    refused: int
    cancelled: int


class MonthProgress(BaseModel):
    month: str
    applied: int
    connected: int


class Progress(BaseModel):
    applications: int
    converted: int
    in_progress: int
    refused: int
    cancelled: int
    in_progress_by_status: dict[str, int]
    refused_by_reason: dict[str, int]
    by_channel: dict[str, int]
    by_town: list[TownProgress]
    by_month: list[MonthProgress]
    connected_payable_yuan: float


# ---- quota tables and packages ------------------------------------------------------------------
class QuotaItemIn(InputModel):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=150)
    unit: str = Field(min_length=1, max_length=16)
    unit_price_yuan: Decimal = Field(ge=0, le=10_000_000, decimal_places=2)
    category: QuotaCategory | None = None


class QuotaItemUpdate(InputModel):
    name: str | None = Field(default=None, min_length=1, max_length=150)
    unit: str | None = Field(default=None, min_length=1, max_length=16)
    unit_price_yuan: Decimal | None = Field(default=None, ge=0, le=10_000_000, decimal_places=2)
    category: QuotaCategory | None = None


class QuotaTableCreate(InputModel):
    name: str = Field(min_length=1, max_length=150)
    version: str = Field(min_length=1, max_length=40)
    discount_rate: float = Field(ge=0, lt=1, description="0.30: households pay 70 % of the quota")
    effective_on: date
    items: list[QuotaItemIn] = Field(default_factory=list, max_length=500)
    active: bool = False


class QuotaTableUpdate(InputModel):
    name: str | None = Field(default=None, min_length=1, max_length=150)
    version: str | None = Field(default=None, min_length=1, max_length=40)
    discount_rate: float | None = Field(default=None, ge=0, lt=1)
    effective_on: date | None = None


class QuotaItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    unit: str
    unit_price_yuan: Decimal
    category: str | None


class QuotaTableRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    version: str
    discount_rate: float
    effective_on: date
    active: bool
    items: list[QuotaItemRead]


class PackageCreate(InputModel):
    name: str = Field(min_length=1, max_length=100)
    price_yuan: Decimal = Field(ge=0, le=10_000_000, decimal_places=2)
    includes: list[str] = Field(default_factory=list, max_length=30)
    for_kind: HouseholdKind | None = None
    active: bool = True


class PackageUpdate(InputModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    price_yuan: Decimal | None = Field(default=None, ge=0, le=10_000_000, decimal_places=2)
    includes: list[str] | None = Field(default=None, max_length=30)
    for_kind: HouseholdKind | None = None
    active: bool | None = None


class PackageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    price_yuan: Decimal
    includes: list[Any]
    for_kind: HouseholdKind | None
    active: bool
