"""What the tracing queries (可追溯) return: a cylinder's life, a batch's recall, where the
cylinders are, the overdue ones still with users, unknown codes, a customer's history.
Customers appear masked (customer_view.py decides how much of the name a caller sees)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from gaswarden.domains.customer.enums import CustomerKind, SafetyStatus
from gaswarden.domains.cylinder.enums import (
    AnomalyKind,
    CylinderStatus,
    EventKind,
    EventResult,
    RefusalReason,
)


class Named(BaseModel):
    """A site, vehicle (name = plate), person, area, organisation or batch by id and name."""

    id: int
    name: str


class CustomerRef(BaseModel):
    """A customer as the tracing pages show one: ID number and phone always masked."""

    id: int
    code: str
    name: str  # masked unless the caller is the customer's enterprise or a regulator
    kind: CustomerKind
    area: Named | None = None
    address: str | None = None
    phone: str | None = None  # masked
    id_number: str | None = None  # masked
    registered: bool = True  # False: the code was scanned but names no registered customer


class CylinderRef(BaseModel):
    id: int
    tag_code: str
    status: CylinderStatus
    capacity_kg: int
    owner: Named | None = None


class TimelineEntry(BaseModel):
    """One scan of the cylinder, refused ones too (`refused`)."""

    id: int
    kind: EventKind
    result: EventResult
    refused: bool
    occurred_at: datetime
    received_at: datetime
    late: bool  # sent by an app that was offline (received well after it happened)
    reason: RefusalReason | None = None
    reason_text: str | None = None
    site: Named | None = None
    vehicle: Named | None = None  # name = the plate
    worker: Named | None = None
    customer: CustomerRef | None = None
    batch: Named | None = None  # name = the batch number
    fill_event_id: int | None = None
    gross_kg: float | None = None
    net_kg: float | None = None
    passed: bool | None = None
    next_inspection_on: date | None = None
    status_after: CylinderStatus | None = None
    anomalies: list[AnomalyKind] = Field(default_factory=list)
    anomaly_ids: list[int] = Field(default_factory=list)
    username: str
    device: str | None = None
    lon: float | None = None
    lat: float | None = None
    note: str | None = None


class Place(BaseModel):
    """Where a scan happened: its own position, else its site's or its customer's."""

    at: datetime
    kind: EventKind
    result: EventResult
    lon: float
    lat: float
    label: str


class Handler(BaseModel):
    """Who or what handled the cylinder: a worker, a vehicle, a site or a scanning user."""

    role: str  # worker | vehicle | site | user
    id: int | None
    name: str
    events: int
    first_at: datetime
    last_at: datetime
    kinds: list[EventKind]


class CylinderLife(BaseModel):
    cylinder: CylinderRef
    timeline: list[TimelineEntry]
    places: list[Place]
    handlers: list[Handler]


class RecallDelivery(BaseModel):
    """One delivery of gas from the batch and the chain that carried it there."""

    event_id: int
    delivered_at: datetime
    customer: CustomerRef | None
    cylinder: CylinderRef
    fill_event_id: int
    filled_at: datetime | None = None
    filling_station: Named | None = None
    filling_operator: Named | None = None
    vehicles: list[Named] = Field(default_factory=list)
    supply_stations: list[Named] = Field(default_factory=list)
    delivery_workers: list[Named] = Field(default_factory=list)
    anomalies: list[AnomalyKind] = Field(default_factory=list)


class Undelivered(BaseModel):
    """A cylinder filled from the batch that reached no customer (yet): pull it back."""

    fill_event_id: int
    filled_at: datetime
    cylinder: CylinderRef
    filling_station: Named | None = None
    still_holds_this_gas: bool


class AreaCount(BaseModel):
    area: Named | None
    customers: int
    deliveries: int


class RecallTotals(BaseModel):
    fills: int
    deliveries: int
    customers: int
    cylinders: int
    undelivered: int
    by_area: list[AreaCount]


class Recall(BaseModel):
    batch: Named
    supplier: str
    arrived_on: date
    owner: Named
    certificate_no: str | None
    deliveries: list[RecallDelivery]
    undelivered: list[Undelivered]
    totals: RecallTotals


class Count(BaseModel):
    key: str | None  # a status value, or an id as text; None: not at any
    label: str
    count: int


class Whereabouts(BaseModel):
    total: int
    by_status: list[Count]
    by_station: list[Count]
    by_area: list[Count]


class OverdueRow(BaseModel):
    cylinder: CylinderRef
    next_inspection_on: date
    life_ends_on: date
    inspection_overdue: bool
    life_expired: bool
    customer: CustomerRef | None
    since: datetime | None  # when it reached the user (its last event)


class OverduePage(BaseModel):
    items: list[OverdueRow]
    total: int
    page: int
    size: int
    today: date


class UnknownCode(BaseModel):
    tag_code: str
    count: int
    first_seen: datetime
    last_seen: datetime
    open: int  # not reviewed yet


class HistoryDelivery(BaseModel):
    event_id: int
    kind: EventKind
    result: EventResult
    occurred_at: datetime
    cylinder: CylinderRef | None
    tag_code: str
    worker: Named | None = None
    vehicle: Named | None = None
    site: Named | None = None
    batch: Named | None = None
    reason: RefusalReason | None = None
    anomalies: list[AnomalyKind] = Field(default_factory=list)


class HistoryCheck(BaseModel):
    id: int
    checked_at: datetime
    checker_name: str
    passed: bool
    hose_ok: bool
    valve_ok: bool
    alarm_ok: bool | None
    ventilation_ok: bool
    basement: bool
    note: str | None


class CustomerHistory(BaseModel):
    customer: CustomerRef
    owner: Named | None
    safety_status: SafetyStatus
    last_checked_on: date | None
    has_gas_alarm: bool
    has_shutoff_valve: bool
    deliveries: list[HistoryDelivery]  # deliveries and collections, refused attempts too
    held: list[CylinderRef]
    checks: list[HistoryCheck]
    kg_last_30_days: float
