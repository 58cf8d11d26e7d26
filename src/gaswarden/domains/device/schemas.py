from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from gaswarden.core.schemas import InputModel, Latitude, Longitude, ReadModel
from gaswarden.domains.device.enums import DeviceKind, DeviceStatus

Serial = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
Interval = Field(default=300, ge=5, le=7 * 86400, description="seconds between reports")


class DeviceCreate(InputModel):
    serial: str = Serial
    kind: DeviceKind
    status: DeviceStatus = DeviceStatus.ACTIVE
    model: str | None = Field(default=None, max_length=64)
    maker: str | None = Field(default=None, max_length=100)
    owner_id: int | None = None
    area_id: int | None = None
    site_id: int | None = None
    asset_id: int | None = None
    address: str | None = Field(default=None, max_length=255)
    lon: Longitude = None
    lat: Latitude = None
    install_date: date | None = None
    expiry_date: date | None = None
    report_interval_s: int = Interval
    notes: str | None = Field(default=None, max_length=1000)


class DeviceUpdate(InputModel):
    status: DeviceStatus | None = None
    model: str | None = Field(default=None, max_length=64)
    maker: str | None = Field(default=None, max_length=100)
    owner_id: int | None = None
    area_id: int | None = None
    site_id: int | None = None
    asset_id: int | None = None
    address: str | None = Field(default=None, max_length=255)
    lon: Longitude = None
    lat: Latitude = None
    install_date: date | None = None
    expiry_date: date | None = None
    report_interval_s: int | None = Field(default=None, ge=5, le=7 * 86400)
    notes: str | None = Field(default=None, max_length=1000)


class DeviceRead(ReadModel):
    serial: str
    kind: DeviceKind
    status: DeviceStatus
    model: str | None
    maker: str | None
    owner_id: int | None
    owner_name: str | None
    area_id: int | None
    area_name: str | None
    site_id: int | None
    site_name: str | None
    asset_id: int | None
    asset_name: str | None
    address: str | None
    lon: float | None
    lat: float | None
    install_date: date | None
    expiry_date: date | None
    report_interval_s: int
    notes: str | None


class DeviceToken(BaseModel):
    """A device's secret, shown when it is issued; the device logs in with serial + token."""

    serial: str
    token: str
