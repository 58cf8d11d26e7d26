"""Tracing (可追溯): a cylinder's whole life and a customer's history (a batch's recall is in
recalls.py; where all cylinders are, the overdue ones and unknown codes in fleet.py).

Read-only, keyword-only, every query through the caller's scope (out of scope: NotFound).
Each query is written for the indexes on a city-sized database: a timeline reads
cylinder_event (cylinder_id, occurred_at); a recall reads the batch's fills through
(batch_id, kind) and what carried their gas through (fill_event_id)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import NotFound
from gaswarden.domains.customer.models import Customer, SafetyCheck
from gaswarden.domains.customer.scope import customer_scope
from gaswarden.domains.cylinder import refs
from gaswarden.domains.cylinder.enums import (
    AnomalyKind,
    CylinderStatus,
    EventKind,
    EventResult,
)
from gaswarden.domains.cylinder.models import Cylinder, CylinderAnomaly, CylinderEvent
from gaswarden.domains.cylinder.scope import cylinder_scope
from gaswarden.domains.cylinder.tracing_schemas import (
    CustomerHistory,
    CylinderLife,
    Handler,
    HistoryCheck,
    HistoryDelivery,
    Place,
    TimelineEntry,
)

# A scan received this long after it happened came from an app that had been offline.
LATE_AFTER = timedelta(minutes=30)
# What carries gas from a fill to a customer (each carries the fill's fill_event_id).
CARRIERS = (EventKind.FILL, EventKind.LOAD, EventKind.ARRIVE, EventKind.DELIVER)
TAKEN = (EventResult.ACCEPTED, EventResult.ANOMALY)  # stored as part of the chain
HISTORY_KINDS = (EventKind.DELIVER, EventKind.COLLECT)
DAY = timedelta(days=1)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def local_today(tz: str, now: datetime | None = None) -> date:
    return _now(now).astimezone(ZoneInfo(tz)).date()


def get_cylinder(*, session: Session, principal: Principal, cylinder_id: int) -> Cylinder:
    found = session.scalars(
        select(Cylinder).where(Cylinder.id == cylinder_id, cylinder_scope(principal))
    ).first()
    if found is None:
        raise NotFound(f"cylinder {cylinder_id} not found")
    return found


# ---- a cylinder's life ------------------------------------------------------------------------
def _entries(
    session: Session, principal: Principal, cylinder_id: int
) -> tuple[list[TimelineEntry], refs.Names, dict[int, tuple[float, float]]]:
    events = list(
        session.scalars(
            select(CylinderEvent)
            .where(CylinderEvent.cylinder_id == cylinder_id)
            .order_by(CylinderEvent.occurred_at, CylinderEvent.id)
        )
    )
    points: dict[int, tuple[float, float]] = {}
    names = refs.load(
        session,
        principal,
        sites=(e.site_id for e in events),
        vehicles=(e.vehicle_id for e in events),
        people=(e.person_id for e in events),
        batches=(e.batch_id for e in events),
        customers=(e.customer_id for e in events),
        customer_points=points,
    )
    anomaly_ids: dict[int, list[int]] = defaultdict(list)
    for aid, eid in session.execute(
        select(CylinderAnomaly.id, CylinderAnomaly.event_id)
        .where(CylinderAnomaly.cylinder_id == cylinder_id)
        .order_by(CylinderAnomaly.id)
    ):
        if eid is not None:
            anomaly_ids[eid].append(aid)
    entries = [
        TimelineEntry(
            id=e.id,
            kind=e.kind,
            result=e.result,
            refused=e.result is EventResult.REFUSED,
            occurred_at=e.occurred_at,
            received_at=e.received_at,
            late=e.received_at - e.occurred_at > LATE_AFTER,
            reason=e.reason,
            reason_text=e.reason_text,
            site=names.site(e.site_id),
            vehicle=names.vehicle(e.vehicle_id),
            worker=names.person(e.person_id),
            customer=names.customer(e.customer_id),
            batch=names.batch(e.batch_id),
            fill_event_id=e.fill_event_id,
            gross_kg=e.gross_kg,
            net_kg=e.net_kg,
            passed=e.passed,
            next_inspection_on=e.next_inspection_on,
            status_after=e.status_after,
            anomalies=[
                AnomalyKind(a) for a in e.anomalies or () if a in AnomalyKind._value2member_map_
            ],
            anomaly_ids=anomaly_ids.get(e.id, []),
            username=e.username,
            device=e.device,
            lon=e.lon,
            lat=e.lat,
            note=e.note,
        )
        for e in events
    ]
    customer_of = {e.id: e.customer_id for e in events}
    site_of = {e.id: e.site_id for e in events}
    where: dict[int, tuple[float, float]] = {}
    for entry in entries:
        cid, sid = customer_of[entry.id], site_of[entry.id]
        if entry.lon is not None and entry.lat is not None:
            where[entry.id] = (entry.lon, entry.lat)
        elif sid is not None and sid in names.site_points:
            where[entry.id] = names.site_points[sid]
        elif cid is not None and cid in points:
            where[entry.id] = points[cid]
    return entries, names, where


def _places(entries: list[TimelineEntry], where: dict[int, tuple[float, float]]) -> list[Place]:
    out = []
    for e in entries:
        point = where.get(e.id)
        if point is None:
            continue
        label = (
            (e.site.name if e.site else None)
            or (f"{e.customer.code} {e.customer.name}" if e.customer else None)
            or (e.vehicle.name if e.vehicle else None)
            or ""
        )
        out.append(
            Place(
                at=e.occurred_at,
                kind=e.kind,
                result=e.result,
                lon=point[0],
                lat=point[1],
                label=label,
            )
        )
    return out


def _handlers(entries: list[TimelineEntry]) -> list[Handler]:
    groups: dict[tuple[str, Any], dict[str, Any]] = {}

    def add(role: str, ident: int | None, name: str, e: TimelineEntry) -> None:
        key = (role, ident if ident is not None else name)
        g = groups.get(key)
        if g is None:
            g = groups[key] = {
                "role": role,
                "id": ident,
                "name": name,
                "events": 0,
                "first_at": e.occurred_at,
                "last_at": e.occurred_at,
                "kinds": [],
            }
        g["events"] += 1
        g["first_at"] = min(g["first_at"], e.occurred_at)
        g["last_at"] = max(g["last_at"], e.occurred_at)
        if e.kind not in g["kinds"]:
            g["kinds"].append(e.kind)

    for e in entries:
        if e.worker:
            add("worker", e.worker.id, e.worker.name, e)
        if e.vehicle:
            add("vehicle", e.vehicle.id, e.vehicle.name, e)
        if e.site:
            add("site", e.site.id, e.site.name, e)
        add("user", None, e.username, e)
    order = {"worker": 0, "vehicle": 1, "site": 2, "user": 3}
    return [
        Handler(**g)
        for g in sorted(groups.values(), key=lambda g: (order[g["role"]], g["first_at"]))
    ]


def life(*, session: Session, principal: Principal, cylinder_id: int) -> CylinderLife:
    """Timeline, places and handlers in one read (the cylinder's page)."""
    cyl = get_cylinder(session=session, principal=principal, cylinder_id=cylinder_id)
    entries, _, where = _entries(session, principal, cyl.id)
    return CylinderLife(
        cylinder=refs.cylinder_ref(cyl),
        timeline=entries,
        places=_places(entries, where),
        handlers=_handlers(entries),
    )


def timeline(*, session: Session, principal: Principal, cylinder_id: int) -> list[TimelineEntry]:
    """Every scan of the cylinder, refused ones too, in the order they happened."""
    cyl = get_cylinder(session=session, principal=principal, cylinder_id=cylinder_id)
    return _entries(session, principal, cyl.id)[0]


def places(*, session: Session, principal: Principal, cylinder_id: int) -> list[Place]:
    cyl = get_cylinder(session=session, principal=principal, cylinder_id=cylinder_id)
    entries, _, where = _entries(session, principal, cyl.id)
    return _places(entries, where)


def handlers(*, session: Session, principal: Principal, cylinder_id: int) -> list[Handler]:
    cyl = get_cylinder(session=session, principal=principal, cylinder_id=cylinder_id)
    return _handlers(_entries(session, principal, cyl.id)[0])


def aware(value: Any) -> datetime:
    """Aggregates skip the column type on SQLite: naive strings or datetimes are UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# ---- a customer's history ---------------------------------------------------------------------
def customer_history(
    *,
    session: Session,
    principal: Principal,
    customer_id: int,
    now: datetime | None = None,
    limit: int = 500,
) -> CustomerHistory:
    """Deliveries and collections (refused attempts too, newest first), the cylinders the
    customer holds now and the safety checks of the premises."""
    customer = session.scalars(
        select(Customer).where(Customer.id == customer_id, customer_scope(principal))
    ).first()
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    events = list(
        session.scalars(
            select(CylinderEvent)
            .where(
                CylinderEvent.customer_id == customer.id,
                CylinderEvent.kind.in_(HISTORY_KINDS),
            )
            .order_by(CylinderEvent.occurred_at.desc(), CylinderEvent.id.desc())
            .limit(limit)
        )
    )
    held = list(
        session.scalars(
            select(Cylinder)
            .where(
                Cylinder.customer_id == customer.id,
                Cylinder.status == CylinderStatus.WITH_USER,
            )
            .order_by(Cylinder.tag_code)
        )
    )
    cylinder_ids = {e.cylinder_id for e in events if e.cylinder_id is not None}
    cylinders = {c.id: c for c in held}
    missing = cylinder_ids - set(cylinders)
    if missing:
        cylinders.update(
            (c.id, c) for c in session.scalars(select(Cylinder).where(Cylinder.id.in_(missing)))
        )
    names = refs.load(
        session,
        principal,
        sites=(e.site_id for e in events),
        vehicles=(e.vehicle_id for e in events),
        people=(e.person_id for e in events),
        batches=(e.batch_id for e in events),
        customers=[customer.id],
        orgs=[customer.owner_id],
    )
    checks = list(
        session.scalars(
            select(SafetyCheck)
            .where(SafetyCheck.customer_id == customer.id)
            .order_by(SafetyCheck.checked_at.desc())
        )
    )
    since = _now(now) - 30 * DAY
    kg = sum(
        cylinders[e.cylinder_id].capacity_kg
        for e in events
        if e.kind is EventKind.DELIVER
        and e.result in TAKEN
        and e.occurred_at >= since
        and e.cylinder_id in cylinders
    )
    ref = names.customer(customer.id)
    assert ref is not None
    return CustomerHistory(
        customer=ref,
        owner=names.orgs.get(customer.owner_id) if customer.owner_id is not None else None,
        safety_status=customer.safety_status,
        last_checked_on=customer.last_checked_on,
        has_gas_alarm=customer.has_gas_alarm,
        has_shutoff_valve=customer.has_shutoff_valve,
        deliveries=[
            HistoryDelivery(
                event_id=e.id,
                kind=e.kind,
                result=e.result,
                occurred_at=e.occurred_at,
                cylinder=refs.cylinder_ref(cylinders[e.cylinder_id])
                if e.cylinder_id in cylinders
                else None,
                tag_code=e.tag_code,
                worker=names.person(e.person_id),
                vehicle=names.vehicle(e.vehicle_id),
                site=names.site(e.site_id),
                batch=names.batch(e.batch_id),
                reason=e.reason,
                anomalies=[
                    AnomalyKind(a) for a in e.anomalies or () if a in AnomalyKind._value2member_map_
                ],
            )
            for e in events
        ],
        held=[refs.cylinder_ref(c) for c in held],
        checks=[
            HistoryCheck(
                id=c.id,
                checked_at=c.checked_at,
                checker_name=c.checker_name,
                passed=c.passed,
                hose_ok=c.hose_ok,
                valve_ok=c.valve_ok,
                alarm_ok=c.alarm_ok,
                ventilation_ok=c.ventilation_ok,
                basement=c.basement,
                note=c.note,
            )
            for c in checks
        ],
        kg_last_30_days=float(kg),
    )
