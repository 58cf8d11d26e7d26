"""Real-name customers and their premises' safety checks: what is sent and what is shown.

ID numbers (GB 11643 check digit) and phones are checked on input and always shown masked."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, Field

from gaswarden.core.schemas import (
    IdNumber,
    InputModel,
    Latitude,
    Longitude,
    MaskedIdNumber,
    MaskedPhone,
    Phone,
    ReadModel,
)
from gaswarden.domains.customer.enums import CustomerKind, SafetyStatus

CreditCode = Field(default=None, pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")  # GB 32100


class CustomerCreate(InputModel):
    code: str = Field(min_length=1, max_length=32)  # the user card number
    kind: CustomerKind
    name: str = Field(min_length=1, max_length=100)
    contact_name: str | None = Field(default=None, max_length=50)
    id_number: IdNumber = None
    credit_code: str | None = CreditCode
    phone: Phone = None
    owner_id: int | None = None
    area_id: int | None = Field(default=None, description="grid; found from lon/lat if omitted")
    address: str | None = Field(default=None, max_length=255)
    lon: Longitude = None
    lat: Latitude = None
    site_id: int | None = None
    has_gas_alarm: bool = False
    has_shutoff_valve: bool = False
    alarm_device_id: int | None = None
    registered_on: date | None = None
    active: bool = True


class CustomerUpdate(InputModel):
    code: str | None = Field(default=None, min_length=1, max_length=32)
    kind: CustomerKind | None = None
    name: str | None = Field(default=None, min_length=1, max_length=100)
    contact_name: str | None = Field(default=None, max_length=50)
    id_number: IdNumber = None
    credit_code: str | None = CreditCode
    phone: Phone = None
    area_id: int | None = None
    address: str | None = Field(default=None, max_length=255)
    lon: Longitude = None
    lat: Latitude = None
    site_id: int | None = None
    has_gas_alarm: bool | None = None
    has_shutoff_valve: bool | None = None
    alarm_device_id: int | None = None
    registered_on: date | None = None
    active: bool | None = None


class CustomerRead(ReadModel):
    code: str
    kind: CustomerKind
    name: str
    contact_name: str | None
    id_number: MaskedIdNumber
    credit_code: str | None
    phone: MaskedPhone
    owner_id: int | None
    owner_name: str | None
    area_id: int | None
    area_name: str | None
    address: str | None
    lon: float | None
    lat: float | None
    site_id: int | None
    has_gas_alarm: bool
    has_shutoff_valve: bool
    alarm_device_id: int | None
    safety_status: SafetyStatus
    last_checked_on: date | None
    registered_on: date | None
    active: bool


class SafetyCheckCreate(InputModel):
    """One check of the premises; the verdict (`passed`) is computed, never sent."""

    customer_id: int
    checked_at: AwareDatetime | None = None  # default: now
    checker_name: str = Field(min_length=1, max_length=50)
    checker_id: int | None = None  # the enterprise's staff member, when registered
    hose_ok: bool
    valve_ok: bool
    alarm_ok: bool | None = None  # catering and commercial users: required and must be True
    ventilation_ok: bool
    basement: bool = False  # LPG used below ground: forbidden
    note: str | None = Field(default=None, max_length=1000)


class SafetyCheckRead(ReadModel):
    customer_id: int
    checked_at: datetime
    checker_name: str
    checker_id: int | None
    hose_ok: bool
    valve_ok: bool
    alarm_ok: bool | None
    ventilation_ok: bool
    basement: bool
    passed: bool
    note: str | None
