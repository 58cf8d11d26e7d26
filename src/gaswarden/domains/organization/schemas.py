from __future__ import annotations

from datetime import date

from pydantic import Field

from gaswarden.core.schemas import InputModel, MaskedPhone, Phone, ReadModel
from gaswarden.domains.organization.enums import OrgKind


class OrganizationCreate(InputModel):
    name: str = Field(min_length=2, max_length=150)
    short_name: str | None = Field(default=None, max_length=50)
    kind: OrgKind
    credit_code: str | None = Field(default=None, pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")
    area_id: int
    address: str | None = Field(default=None, max_length=255)
    contact_name: str | None = Field(default=None, max_length=50)
    contact_phone: Phone = None
    licence_no: str | None = Field(default=None, max_length=64)
    licence_expiry: date | None = None
    active: bool = True


class OrganizationUpdate(InputModel):
    name: str | None = Field(default=None, min_length=2, max_length=150)
    short_name: str | None = Field(default=None, max_length=50)
    kind: OrgKind | None = None
    credit_code: str | None = Field(default=None, pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")
    area_id: int | None = None
    address: str | None = Field(default=None, max_length=255)
    contact_name: str | None = Field(default=None, max_length=50)
    contact_phone: Phone = None
    licence_no: str | None = Field(default=None, max_length=64)
    licence_expiry: date | None = None
    active: bool | None = None


class OrganizationRead(ReadModel):
    name: str
    short_name: str | None
    kind: OrgKind
    credit_code: str | None
    area_id: int
    area_name: str
    address: str | None
    contact_name: str | None
    contact_phone: MaskedPhone
    licence_no: str | None
    licence_expiry: date | None
    active: bool
