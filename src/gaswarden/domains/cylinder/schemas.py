"""The cylinder archive and gas-source batches: what is sent and what is shown.

Status and location are not here to write: the scan chain (events.py) owns them."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator

from gaswarden.core.schemas import InputModel, ReadModel
from gaswarden.domains.cylinder.enums import CylinderStatus
from gaswarden.standards.cylinders import CAPACITIES_KG

TagCode = Field(min_length=4, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$")
MAX_BULK = 2_000  # cylinders in one bulk registration


def _capacity(value: int | None) -> int | None:
    if value is not None and value not in CAPACITIES_KG:
        allowed = " / ".join(str(c) for c in CAPACITIES_KG)
        raise ValueError(f"nominal capacity is one of {allowed} kg (GB 5842)")
    return value


class CylinderCreate(InputModel):
    tag_code: str = TagCode
    stamp_serial: str = Field(min_length=1, max_length=40)
    maker: str | None = Field(default=None, max_length=100)
    made_on: date
    capacity_kg: int
    tare_kg: float = Field(gt=0, le=150)
    last_inspected_on: date | None = None
    next_inspection_on: date | None = None  # default: GB/T 8334 interval after the last one
    owner_id: int | None = None  # enterprise users: their own enterprise
    site_id: int | None = None  # its filling station

    _check_capacity = field_validator("capacity_kg")(_capacity)


class CylinderUpdate(InputModel):
    """Corrections of the archive; the tag code and the owner never change."""

    stamp_serial: str | None = Field(default=None, min_length=1, max_length=40)
    maker: str | None = Field(default=None, max_length=100)
    made_on: date | None = None
    capacity_kg: int | None = None
    tare_kg: float | None = Field(default=None, gt=0, le=150)
    last_inspected_on: date | None = None
    next_inspection_on: date | None = None

    _check_capacity = field_validator("capacity_kg")(_capacity)


class CylinderRead(ReadModel):
    tag_code: str
    stamp_serial: str
    maker: str | None
    made_on: date
    capacity_kg: int
    tare_kg: float
    design_life_years: int
    life_extended: bool
    life_ends_on: date
    last_inspected_on: date | None
    next_inspection_on: date
    status: CylinderStatus
    revoked: bool
    scrapped_on: date | None
    owner_id: int | None
    owner_name: str | None
    area_id: int | None
    site_id: int | None
    vehicle_id: int | None
    customer_id: int | None
    holds_gas: bool
    batch_id: int | None
    last_event_at: datetime | None


class BulkRowError(BaseModel):
    index: int
    tag_code: str | None
    status: int
    detail: str
    errors: list[dict[str, object]] = Field(default_factory=list)


class BulkResult(BaseModel):
    created: int
    items: list[CylinderRead]


class GasBatchCreate(InputModel):
    code: str = Field(min_length=1, max_length=40)
    owner_id: int | None = None  # enterprise users: their own enterprise
    site_id: int  # the filling station that received it
    supplier: str = Field(min_length=1, max_length=150)
    quantity_t: float = Field(gt=0, le=10_000)
    certificate_no: str | None = Field(default=None, max_length=64)
    arrived_on: date
    note: str | None = Field(default=None, max_length=500)


class GasBatchUpdate(InputModel):
    code: str | None = Field(default=None, min_length=1, max_length=40)
    site_id: int | None = None
    supplier: str | None = Field(default=None, min_length=1, max_length=150)
    quantity_t: float | None = Field(default=None, gt=0, le=10_000)
    certificate_no: str | None = Field(default=None, max_length=64)
    arrived_on: date | None = None
    note: str | None = Field(default=None, max_length=500)


class GasBatchRead(ReadModel):
    code: str
    owner_id: int
    site_id: int | None
    supplier: str
    quantity_t: float
    certificate_no: str | None
    arrived_on: date
    note: str | None
