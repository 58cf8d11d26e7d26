"""The anomalies one applied scan shows beside the chain's own: who and what handled it
(registered staff, certificates, dedicated vehicles), a site closed by enforcement, an
overdue cylinder delivered, a customer receiving far more than a household uses."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from gaswarden.domains.customer.enums import CustomerKind
from gaswarden.domains.cylinder import chain
from gaswarden.domains.cylinder.chain import Before
from gaswarden.domains.cylinder.enums import AnomalyKind, EventKind
from gaswarden.domains.cylinder.event_schemas import CylinderEventIn
from gaswarden.domains.cylinder.lookups import CylState, Rec
from gaswarden.domains.site.enums import SiteStatus
from gaswarden.domains.workforce.enums import VehicleKind, VehicleStatus
from gaswarden.standards import cylinders as std

A = AnomalyKind
Found = list[tuple[AnomalyKind, str]]  # (kind, detail) in the order found
# Members compared for every scan, as globals (a read off the enum class costs ~70 ns on 3.11)
FILL, LOAD = EventKind.FILL, EventKind.LOAD
SITE_CLOSED = SiteStatus.CLOSED
RETIRED = VehicleStatus.RETIRED
RESIDENTIAL = CustomerKind.RESIDENTIAL
DEDICATED_VEHICLES = frozenset({VehicleKind.LPG_DELIVERY, VehicleKind.CYLINDER_TRANSPORT})
WORKER_REQUIRED = frozenset({EventKind.FILL, EventKind.DELIVER})
VEHICLE_CHECKED = frozenset({EventKind.LOAD, EventKind.DELIVER})
HEAVY_USE_WINDOW = timedelta(days=std.HEAVY_USE_DAYS)

_CHAIN_DETAIL = {
    A.DELIVERED_UNFILLED: "未充装即配送 delivered without a fill (状态 {status})",
    A.DOUBLE_FILL: "重复充装 filled again before delivery (状态 {status})",
    A.OUT_OF_ORDER: "{status} 之后不应{kind} step not expected after the previous state",
}


def chain_breaks(
    kind: EventKind, before: Before, lon: float | None, lat: float | None, at: datetime
) -> Found:
    """The chain's breaks: a step not expected after the state before it, and a place too
    far from the one before for the time between."""
    found: Found = [
        (k, _CHAIN_DETAIL[k].format(status=before.status.zh, kind=kind.zh))
        for k in chain.chain_anomalies(kind, before)
    ]
    speed = chain.impossible_travel(before, lon, lat, at)
    if speed is not None:
        found.append((A.IMPOSSIBLE_TRAVEL, f"位置跳变 需 {speed:.0f} km/h"[:500]))
    return found


def people_and_vehicles(
    ev: CylinderEventIn,
    worker: Rec | None,
    vehicle: Rec | None,
    day: date,
    org_id: int,
    certificates: dict[int, list[tuple[date | None, date | None]]],
) -> Found:
    """A worker or vehicle not registered with the enterprise, a filler without a valid
    certificate on the day."""
    found: Found = []
    kind = ev.kind
    if ev.worker_id is None:
        if kind in WORKER_REQUIRED:
            found.append((A.UNREGISTERED_WORKER, "未登记作业人员 no worker named"))
    elif worker is None or worker.owner_id != org_id or not worker.active:
        found.append(
            (A.UNREGISTERED_WORKER, f"非本单位在册人员 not registered staff: {ev.worker_id}")
        )
    elif kind is FILL and not any(
        (issued is None or issued <= day) and (expires is None or expires >= day)
        for issued, expires in certificates.get(worker.id, ())
    ):
        found.append(
            (A.UNCERTIFIED_WORKER, f"充装人员无有效气瓶充装证 no valid certificate: {worker.id}")
        )
    if kind in VEHICLE_CHECKED:
        if ev.vehicle_plate is None:
            if kind is LOAD:
                found.append((A.UNREGISTERED_VEHICLE, "未登记车辆 no vehicle named"))
        elif (
            vehicle is None
            or vehicle.owner_id != org_id
            or vehicle.kind not in DEDICATED_VEHICLES
            or vehicle.status is RETIRED
        ):
            detail = f"非本单位专用车辆 not a dedicated vehicle: {ev.vehicle_plate}"
            found.append((A.UNREGISTERED_VEHICLE, detail))
    return found


def closed_site(site: Rec | None, customer: Rec | None) -> int | None:
    """The site closed by enforcement the scan happened at (the customer's premises' too)."""
    if site is not None and site.status is SITE_CLOSED:
        return int(site.id)
    if customer is not None and customer.site_status is SITE_CLOSED:
        return int(customer.site_id)
    return None


def deliver_checks(
    cyl: CylState,
    customer: Rec | None,
    at: datetime,
    day: date,
    deliveries: dict[int, list[tuple[datetime, float]]],
) -> Found:
    """A delivery of a cylinder due back (inspection or life), and heavy use: the delivery
    is added to the customer's in `deliveries` (time, kg), the window summed."""
    found: Found = []
    if cyl.next_inspection_on < day or cyl.life_ends_on < day:
        found.append(
            (
                A.OVERDUE_WITH_USER,
                f"超期气瓶入户 overdue cylinder delivered (next inspection "
                f"{cyl.next_inspection_on}, life ends {cyl.life_ends_on})",
            )
        )
    if customer is not None:
        received = deliveries.setdefault(customer.id, [])
        received.append((at, float(cyl.capacity_kg)))
        since = at - HEAVY_USE_WINDOW
        total = sum(kg for when, kg in received if since < when <= at)
        limit = (
            std.HEAVY_USE_KG_RESIDENTIAL
            if customer.kind is RESIDENTIAL
            else std.HEAVY_USE_KG_COMMERCIAL
        )
        if total > limit:
            found.append(
                (
                    A.HEAVY_USE,
                    f"{std.HEAVY_USE_DAYS} 天内用气 {total:.0f} kg > {limit:.0f} kg "
                    f"(in {std.HEAVY_USE_DAYS} days)",
                )
            )
    return found
