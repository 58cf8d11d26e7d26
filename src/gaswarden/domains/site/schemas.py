from __future__ import annotations

from datetime import date

from pydantic import Field

from gaswarden.core.schemas import (
    InputModel,
    Latitude,
    Longitude,
    MaskedPhone,
    Phone,
    ReadModel,
)
from gaswarden.domains.site.enums import SiteKind, SiteStatus


class SiteCreate(InputModel):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=150)
    kind: SiteKind
    status: SiteStatus = SiteStatus.OPERATING
    owner_id: int | None = None
    area_id: int | None = Field(default=None, description="grid; found from lon/lat if omitted")
    address: str | None = Field(default=None, max_length=255)
    lon: Longitude = None
    lat: Latitude = None
    licence_no: str | None = Field(default=None, max_length=64)
    licence_expiry: date | None = None
    contact_name: str | None = Field(default=None, max_length=50)
    contact_phone: Phone = None
    notes: str | None = Field(default=None, max_length=1000)


class SiteUpdate(InputModel):
    code: str | None = Field(default=None, min_length=1, max_length=32)
    name: str | None = Field(default=None, min_length=1, max_length=150)
    kind: SiteKind | None = None
    status: SiteStatus | None = None
    owner_id: int | None = None
    area_id: int | None = None
    address: str | None = Field(default=None, max_length=255)
    lon: Longitude = None
    lat: Latitude = None
    licence_no: str | None = Field(default=None, max_length=64)
    licence_expiry: date | None = None
    contact_name: str | None = Field(default=None, max_length=50)
    contact_phone: Phone = None
    notes: str | None = Field(default=None, max_length=1000)


class SiteRead(ReadModel):
    code: str
    name: str
    kind: SiteKind
    status: SiteStatus
    owner_id: int | None
    owner_name: str | None
    area_id: int | None
    area_name: str | None
    address: str | None
    lon: float | None
    lat: float | None
    licence_no: str | None
    licence_expiry: date | None
    contact_name: str | None
    contact_phone: MaskedPhone
    notes: str | None


class SiteAssignmentCreate(InputModel):
    agency_id: int
    site_id: int
    valid_until: date | None = None


class SiteAssignmentUpdate(InputModel):
    valid_until: date | None = None


class SiteAssignmentRead(ReadModel):
    agency_id: int
    site_id: int
    valid_until: date | None
