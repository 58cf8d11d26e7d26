"""What a scanning app sends (one scan: tag code + who + where + when) and what it gets back
for each scan: accepted, refused with a reason, or accepted with anomalies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, Field

from gaswarden.core.schemas import InputModel, Latitude, Longitude
from gaswarden.domains.cylinder.enums import (
    AnomalyKind,
    CylinderStatus,
    EventKind,
    EventResult,
    RefusalReason,
)

MAX_EVENTS_PER_REQUEST = 5_000


class CylinderEventIn(InputModel):
    """One scan. `key` is the app's idempotency key: the same key sent again is stored once.

    `occurred_at` is the scanning device's clock (the app may have been offline for days);
    places and people are named by the codes printed on them."""

    key: str = Field(min_length=1, max_length=80)
    kind: EventKind
    tag_code: str = Field(min_length=1, max_length=40)
    occurred_at: AwareDatetime
    site_code: str | None = Field(default=None, max_length=32)  # station where it happened
    vehicle_plate: str | None = Field(default=None, max_length=16)
    worker_id: int | None = None  # the person (filling operator, delivery worker)
    customer_code: str | None = Field(default=None, max_length=32)  # deliver, collect
    batch_code: str | None = Field(default=None, max_length=40)  # fill: the gas batch
    gross_kg: float | None = Field(default=None, gt=0, le=200)  # fill: re-weighed
    passed: bool | None = None  # inspect
    next_inspection_on: date | None = None  # inspect, when passed (default: in 4 years)
    lon: Longitude = None
    lat: Latitude = None
    device: str | None = Field(default=None, max_length=64)
    note: str | None = Field(default=None, max_length=500)


@dataclass(slots=True, kw_only=True)
class EventOutcome:
    """The result of one scan of a submission, in the order sent.

    A plain dataclass, not a validating model: the scan service makes one for each of up to
    5,000 scans a request from values it has checked itself (pydantic's validation cost ~3 us
    a scan in `gaswarden bench cylinders`); pydantic still serialises and documents it in the
    API's response."""

    index: int
    key: str
    result: EventResult
    duplicate: bool = False  # the key was seen before: this is the stored scan's result
    event_id: int | None = None
    cylinder_id: int | None = None
    reason: RefusalReason | None = None
    reason_text: str | None = None  # zh / en, for the worker's screen
    anomalies: list[AnomalyKind] = field(default_factory=list)
    status_after: CylinderStatus | None = None


class NextStep(BaseModel):
    """What the scanning page shows before a scan is sent: the cylinder and whether `kind`
    (or each next step) is allowed now, with the reason if not."""

    kind: EventKind
    allowed: bool
    reason: RefusalReason | None = None
    reason_text: str | None = None


class ScanPreview(BaseModel):
    tag_code: str
    known: bool
    cylinder_id: int | None = None
    status: CylinderStatus | None = None
    owner_name: str | None = None
    capacity_kg: int | None = None
    next_inspection_on: date | None = None
    life_ends_on: date | None = None
    last_event_at: datetime | None = None
    steps: list[NextStep] = Field(default_factory=list)
