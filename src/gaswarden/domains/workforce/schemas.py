from __future__ import annotations

from datetime import date

from pydantic import Field

from gaswarden.core.schemas import (
    IdNumber,
    InputModel,
    MaskedIdNumber,
    MaskedPhone,
    Phone,
    ReadModel,
)
from gaswarden.domains.workforce.enums import (
    CertificateKind,
    Position,
    TeamKind,
    VehicleKind,
    VehicleStatus,
)

Plate = Field(
    min_length=7, max_length=16, pattern=r"^[\u4e00-\u9fa5][A-Z][A-Z0-9]{5,6}[\u4e00-\u9fa5]?$"
)


class PersonCreate(InputModel):
    name: str = Field(min_length=1, max_length=50)
    owner_id: int | None = None
    position: Position
    id_number: IdNumber = None
    phone: Phone = None
    team_id: int | None = None
    active: bool = True


class PersonUpdate(InputModel):
    name: str | None = Field(default=None, min_length=1, max_length=50)
    position: Position | None = None
    id_number: IdNumber = None
    phone: Phone = None
    team_id: int | None = None
    active: bool | None = None


class CertificateRead(ReadModel):
    person_id: int
    kind: CertificateKind
    number: str
    issued_on: date | None
    expires_on: date | None


class PersonRead(ReadModel):
    name: str
    owner_id: int
    owner_name: str
    position: Position
    id_number: MaskedIdNumber
    phone: MaskedPhone
    team_id: int | None
    active: bool
    certificates: list[CertificateRead] = []


class CertificateCreate(InputModel):
    person_id: int
    kind: CertificateKind
    number: str = Field(min_length=1, max_length=64)
    issued_on: date | None = None
    expires_on: date | None = None


class CertificateUpdate(InputModel):
    kind: CertificateKind | None = None
    number: str | None = Field(default=None, min_length=1, max_length=64)
    issued_on: date | None = None
    expires_on: date | None = None


class TeamCreate(InputModel):
    name: str = Field(min_length=1, max_length=100)
    kind: TeamKind
    owner_id: int | None = None
    base_site_id: int | None = None
    leader_name: str | None = Field(default=None, max_length=50)
    duty_phone: Phone = None
    equipment_sets: int = Field(default=0, ge=0)


class TeamUpdate(InputModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    kind: TeamKind | None = None
    base_site_id: int | None = None
    leader_name: str | None = Field(default=None, max_length=50)
    duty_phone: Phone = None
    equipment_sets: int | None = Field(default=None, ge=0)


class TeamRead(ReadModel):
    name: str
    kind: TeamKind
    owner_id: int
    owner_name: str
    base_site_id: int | None
    leader_name: str | None
    duty_phone: MaskedPhone
    equipment_sets: int


class VehicleCreate(InputModel):
    plate: str = Plate
    kind: VehicleKind
    status: VehicleStatus = VehicleStatus.IN_SERVICE
    owner_id: int | None = None
    team_id: int | None = None
    licence_no: str | None = Field(default=None, max_length=64)
    licence_expiry: date | None = None


class VehicleUpdate(InputModel):
    kind: VehicleKind | None = None
    status: VehicleStatus | None = None
    team_id: int | None = None
    licence_no: str | None = Field(default=None, max_length=64)
    licence_expiry: date | None = None


class VehicleRead(ReadModel):
    plate: str
    kind: VehicleKind
    status: VehicleStatus
    owner_id: int
    owner_name: str
    team_id: int | None
    licence_no: str | None
    licence_expiry: date | None
