"""pydantic shapes of the network domain: what an import names, what a read shows."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from gaswarden.core.schemas import InputModel, ReadModel
from gaswarden.domains.network.enums import SensorQuantity, SourceFormat

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class NetworkImport(InputModel):
    """The record around an imported net (the net itself comes as a file)."""

    code: str = Field(min_length=1, max_length=24, pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=150)
    owner_id: int | None = None
    area_id: int | None = None
    address: str | None = Field(default=None, max_length=255)
    min_pressure_bar: float | None = Field(default=None, ge=0)
    notes: str | None = Field(default=None, max_length=1000)


class SensorBind(InputModel):
    device_id: int
    junction: int | None = None  # pressure monitors
    feed: int | None = None  # flow meters: the ext_grid index


class ValveCreate(InputModel):
    pipe: int
    at_junction: int | None = None  # default: the pipe's from-junction
    name: str | None = Field(default=None, max_length=64)
    asset_id: int | None = None  # the valve well


class FeedCapacity(InputModel):
    capacity_m3h: float = Field(gt=0)


class PipeNetworkRead(ReadModel):
    code: str
    name: str
    source_format: SourceFormat
    crs: str | None
    origin: dict[str, Any] | None
    fluid: str
    owner_id: int | None
    owner_name: str | None
    area_id: int | None
    area_name: str | None
    lon: float | None
    lat: float | None
    junctions: int
    pipes: int
    length_km: float
    feeds: int
    consumers: int
    min_pressure_bar: float | None
    validation: dict[str, Any]
    notes: str | None


class NetworkFeedRead(ReadModel):
    index: int
    name: str
    junction: int
    p_bar: float
    capacity_m3h: float | None
    flow_device_id: int | None


class NetworkSensorRead(ReadModel):
    network_id: int
    device_id: int
    quantity: SensorQuantity
    junction: int
    feed: int | None


class NetworkValveRead(ReadModel):
    network_id: int
    pipe: int
    at_junction: int
    asset_id: int | None
    name: str | None
