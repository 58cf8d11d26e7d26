from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from gaswarden.core.schemas import ReadModel
from gaswarden.ingestion.contract import RejectReason


class LatestRead(BaseModel):
    metric: str
    value: float
    ts: datetime
    unit: str
    zh: str
    en: str


class SeriesRead(BaseModel):
    metric: str
    resolution: str
    ts: list[datetime]
    value: list[float]
    min: list[float] | None = None
    max: list[float] | None = None


class HealthRead(BaseModel):
    device_id: int
    serial: str
    kind: str
    owner_id: int | None
    owner_name: str | None
    online: bool
    last_seen: datetime | None
    battery_pct: float | None
    rssi_dbm: float | None
    firmware: str | None
    messages: int
    rejections: int
    expiry_date: date | None


class HealthPage(BaseModel):
    items: list[HealthRead]
    total: int
    page: int
    size: int


class OnlineRateRead(BaseModel):
    owner_id: int | None
    owner_name: str | None
    devices: int
    online: int
    online_rate: float | None


class QuarantineRead(ReadModel):
    id: int
    received_at: datetime
    transport: str
    topic: str | None
    serial: str | None
    device_id: int | None
    reason: RejectReason
    detail: str
    payload: str


class QuarantinePage(BaseModel):
    items: list[QuarantineRead]
    total: int
    page: int
    size: int
