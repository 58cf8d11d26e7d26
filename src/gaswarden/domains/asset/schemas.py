from __future__ import annotations

from datetime import date

from pydantic import Field

from gaswarden.core.schemas import InputModel, Latitude, LineGeometry, Longitude, ReadModel
from gaswarden.domains.asset.enums import AssetKind, AssetStatus, PipeMaterial
from gaswarden.standards.pressure import MAX_CITY_GAS_MPA, PressureClass

Mpa = Field(default=None, ge=0, le=MAX_CITY_GAS_MPA)


class AssetCreate(InputModel):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=150)
    kind: AssetKind
    status: AssetStatus = AssetStatus.IN_SERVICE
    owner_id: int | None = None
    area_id: int | None = None
    site_id: int | None = None
    address: str | None = Field(default=None, max_length=255)
    lon: Longitude = None
    lat: Latitude = None
    pressure_class: PressureClass | None = None
    inlet_design_mpa: float | None = Mpa
    outlet_design_mpa: float | None = Mpa
    outlet_set_kpa: float | None = Field(default=None, ge=0, le=MAX_CITY_GAS_MPA * 1000)
    design_pressure_mpa: float | None = Mpa
    material: PipeMaterial | None = None
    diameter_mm: float | None = Field(default=None, gt=0, le=2000)
    length_m: float | None = Field(default=None, gt=0)
    depth_m: float | None = Field(default=None, ge=0, le=30)
    geometry: LineGeometry = None
    install_date: date | None = None
    notes: str | None = Field(default=None, max_length=1000)


class AssetUpdate(InputModel):
    code: str | None = Field(default=None, min_length=1, max_length=32)
    name: str | None = Field(default=None, min_length=1, max_length=150)
    status: AssetStatus | None = None
    owner_id: int | None = None
    area_id: int | None = None
    site_id: int | None = None
    address: str | None = Field(default=None, max_length=255)
    lon: Longitude = None
    lat: Latitude = None
    pressure_class: PressureClass | None = None
    inlet_design_mpa: float | None = Mpa
    outlet_design_mpa: float | None = Mpa
    outlet_set_kpa: float | None = Field(default=None, ge=0, le=MAX_CITY_GAS_MPA * 1000)
    design_pressure_mpa: float | None = Mpa
    material: PipeMaterial | None = None
    diameter_mm: float | None = Field(default=None, gt=0, le=2000)
    length_m: float | None = Field(default=None, gt=0)
    depth_m: float | None = Field(default=None, ge=0, le=30)
    geometry: LineGeometry = None
    install_date: date | None = None
    notes: str | None = Field(default=None, max_length=1000)


class AssetRead(ReadModel):
    code: str
    name: str
    kind: AssetKind
    status: AssetStatus
    owner_id: int | None
    owner_name: str | None
    area_id: int | None
    area_name: str | None
    site_id: int | None
    site_name: str | None
    address: str | None
    lon: float | None
    lat: float | None
    pressure_class: PressureClass | None
    inlet_design_mpa: float | None
    outlet_design_mpa: float | None
    outlet_set_kpa: float | None
    design_pressure_mpa: float | None
    material: PipeMaterial | None
    diameter_mm: float | None
    length_m: float | None
    depth_m: float | None
    geometry: dict | None
    install_date: date | None
    notes: str | None
