"""Tracing (可追溯): a cylinder's whole life, a gas batch's recall, where all cylinders are,
the overdue ones still with users, unknown codes seen in the field, a customer's history.

Read-only, keyword-only, every query through the caller's scope (out of scope: NotFound).
Each query is written for the indexes on a city-sized database: a timeline reads
cylinder_event (cylinder_id, occurred_at); a recall reads the batch's fills through
(batch_id, kind) and what carried their gas through (fill_event_id); the overdue list reads
cylinder (status, next_inspection_on) and (status, life_ends_on)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, false, func, select, true
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.errors import NotFound
from gaswarden.core.scope import areas_under
from gaswarden.domains.area.models import Area
from gaswarden.domains.customer.models import Customer, SafetyCheck
from gaswarden.domains.customer.scope import customer_scope
from gaswarden.domains.cylinder import refs
from gaswarden.domains.cylinder.enums import (
    AnomalyKind,
    CylinderStatus,
    EventKind,
    EventResult,
)
from gaswarden.domains.cylinder.lookups import among
from gaswarden.domains.cylinder.models import Cylinder, CylinderAnomaly, CylinderEvent, GasBatch
from gaswarden.domains.cylinder.scope import anomaly_scope, cylinder_scope
from gaswarden.domains.cylinder.tracing_schemas import (
    AreaCount,
    Count,
    CustomerHistory,
    CylinderLife,
    Handler,
    HistoryCheck,
    HistoryDelivery,
    Named,
    OverduePage,
    OverdueRow,
    Place,
    Recall,
    RecallDelivery,
    RecallTotals,
    TimelineEntry,
    Undelivered,
    UnknownCode,
    Whereabouts,
)
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.site.models import Site

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


def batch_scope(principal: Principal) -> ColumnElement[bool]:
    """Gas batches: the enterprise that bought it; a regulator, the enterprises of its areas."""
    kind = principal.scope_kind
    if kind is ScopeKind.ALL:
        return true()
    if kind is ScopeKind.ORG:
        return GasBatch.owner_id == principal.org_id if principal.org_id is not None else false()
    if kind is ScopeKind.AREA:
        orgs = select(Organization.id).where(
            Organization.area_id.in_(areas_under(principal.area_paths))
        )
        return GasBatch.owner_id.in_(orgs)
    return false()


def get_cylinder(*, session: Session, principal: Principal, cylinder_id: int) -> Cylinder:
    found = session.scalars(
        select(Cylinder).where(Cylinder.id == cylinder_id, cylinder_scope(principal))
    ).first()
    if found is None:
        raise NotFound(f"cylinder {cylinder_id} not found")
    return found


def get_batch(*, session: Session, principal: Principal, batch_id: int) -> GasBatch:
    found = session.scalars(
        select(GasBatch).where(GasBatch.id == batch_id, batch_scope(principal))
    ).first()
    if found is None:
        raise NotFound(f"gas batch {batch_id} not found")
    return found


def batches(*, session: Session, principal: Principal, limit: int = 200) -> list[GasBatch]:
    """The caller's gas batches, newest first (for picking one to recall)."""
    stmt = (
        select(GasBatch)
        .where(batch_scope(principal))
        .order_by(GasBatch.arrived_on.desc(), GasBatch.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


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


# ---- recall -----------------------------------------------------------------------------------
_RECALL_COLUMNS = (
    CylinderEvent.id,
    CylinderEvent.kind,
    CylinderEvent.occurred_at,
    CylinderEvent.cylinder_id,
    CylinderEvent.fill_event_id,
    CylinderEvent.site_id,
    CylinderEvent.vehicle_id,
    CylinderEvent.person_id,
    CylinderEvent.customer_id,
    CylinderEvent.anomalies,
)


_RECALL_CYLINDER = (
    Cylinder.id,
    Cylinder.tag_code,
    Cylinder.status,
    Cylinder.capacity_kg,
    Cylinder.owner_id,
    Cylinder.holds_gas,
    Cylinder.fill_event_id,
)


def recall(*, session: Session, principal: Principal, batch_id: int) -> Recall:
    """Every delivery of gas from the batch: to whom, when, in which cylinder, and the chain
    that carried it (filling station and operator, vehicles, supply stations, workers)."""
    batch = get_batch(session=session, principal=principal, batch_id=batch_id)
    fills = (
        select(CylinderEvent.id)
        .where(
            CylinderEvent.batch_id == batch.id,
            CylinderEvent.kind == EventKind.FILL,
            CylinderEvent.result.in_(TAKEN),
        )
        .scalar_subquery()
    )
    events = list(
        session.execute(  # rows of the columns used, not entities: thousands of them
            select(*_RECALL_COLUMNS)
            .where(
                CylinderEvent.fill_event_id.is_not(None),  # (the partial index's predicate)
                CylinderEvent.fill_event_id.in_(fills),
                CylinderEvent.result.in_(TAKEN),
                CylinderEvent.kind.in_(CARRIERS),
            )
            .order_by(CylinderEvent.occurred_at, CylinderEvent.id)
        )
    )
    chains: dict[int, list[Any]] = defaultdict(list)  # fill -> its rows
    for e in events:
        if e.fill_event_id is not None:
            chains[e.fill_event_id].append(e)
    cylinders = {
        c.id: c
        for c in session.execute(
            select(*_RECALL_CYLINDER).where(
                among(session, Cylinder.id, {e.cylinder_id for e in events if e.cylinder_id})
            )
        )
    }
    names = refs.load(
        session,
        principal,
        sites=(e.site_id for e in events),
        vehicles=(e.vehicle_id for e in events),
        people=(e.person_id for e in events),
        customers=(e.customer_id for e in events),
        orgs=[batch.owner_id, *(c.owner_id for c in cylinders.values())],
        id_numbers=False,  # whom to call is the phone; the ID number stays out
    )

    def uniq(items: list[Named | None]) -> list[Named]:
        seen: dict[int, Named] = {}
        for item in items:
            if item is not None and item.id not in seen:
                seen[item.id] = item
        return list(seen.values())

    deliveries: list[RecallDelivery] = []
    undelivered: list[Undelivered] = []
    for fill_id, chain in chains.items():
        fill = next((e for e in chain if e.kind is EventKind.FILL), None)
        cyl = cylinders.get(chain[0].cylinder_id or 0)
        if cyl is None:
            continue
        delivered = [e for e in chain if e.kind is EventKind.DELIVER]
        if not delivered and fill is not None:
            undelivered.append(
                Undelivered(
                    fill_event_id=fill_id,
                    filled_at=fill.occurred_at,
                    cylinder=refs.cylinder_ref(cyl, names.orgs),
                    filling_station=names.site(fill.site_id),
                    still_holds_this_gas=cyl.holds_gas and cyl.fill_event_id == fill_id,
                )
            )
        for d in delivered:
            before = [e for e in chain if (e.occurred_at, e.id) <= (d.occurred_at, d.id)]
            deliveries.append(
                RecallDelivery(
                    event_id=d.id,
                    delivered_at=d.occurred_at,
                    customer=names.customer(d.customer_id),
                    cylinder=refs.cylinder_ref(cyl, names.orgs),
                    fill_event_id=fill_id,
                    filled_at=fill.occurred_at if fill else None,
                    filling_station=names.site(fill.site_id) if fill else None,
                    filling_operator=names.person(fill.person_id) if fill else None,
                    vehicles=uniq(
                        [
                            names.vehicle(e.vehicle_id)
                            for e in before
                            if e.kind is not EventKind.FILL
                        ]
                    ),
                    supply_stations=uniq(
                        [names.site(e.site_id) for e in before if e.kind is EventKind.ARRIVE]
                    ),
                    delivery_workers=uniq([names.person(d.person_id)]),
                    anomalies=[
                        AnomalyKind(a)
                        for e in before
                        for a in e.anomalies or ()
                        if a in AnomalyKind._value2member_map_
                    ],
                )
            )
    deliveries.sort(key=lambda d: (d.delivered_at, d.event_id))
    undelivered.sort(key=lambda u: (u.filled_at, u.fill_event_id))
    by_area: dict[int | None, dict[str, Any]] = {}
    for row in deliveries:
        area = row.customer.area if row.customer else None
        key = area.id if area else None
        slot = by_area.setdefault(key, {"area": area, "customers": set(), "deliveries": 0})
        slot["deliveries"] += 1
        if row.customer:
            slot["customers"].add(row.customer.id)
    owner = names.orgs.get(batch.owner_id) or Named(id=batch.owner_id, name=batch.owner.name)
    return Recall(
        batch=Named(id=batch.id, name=batch.code),
        supplier=batch.supplier,
        arrived_on=batch.arrived_on,
        owner=owner,
        certificate_no=batch.certificate_no,
        deliveries=deliveries,
        undelivered=undelivered,
        totals=RecallTotals(
            fills=sum(1 for c in chains.values() if any(e.kind is EventKind.FILL for e in c)),
            deliveries=len(deliveries),
            customers=len({d.customer.id for d in deliveries if d.customer}),
            cylinders=len({d.cylinder.id for d in deliveries}),
            undelivered=len(undelivered),
            by_area=sorted(
                (
                    AreaCount(
                        area=s["area"], customers=len(s["customers"]), deliveries=s["deliveries"]
                    )
                    for s in by_area.values()
                ),
                key=lambda a: (-a.deliveries, a.area.name if a.area else ""),
            ),
        ),
    )


# ---- where are all cylinders now ---------------------------------------------------------------
def whereabouts(*, session: Session, principal: Principal, lang: str = "zh") -> Whereabouts:
    """Counts of the caller's cylinders by status, by the station holding them, by area."""
    scope = cylinder_scope(principal)
    by_status = dict(
        session.execute(
            select(Cylinder.status, func.count()).where(scope).group_by(Cylinder.status)
        ).all()
    )
    stations = session.execute(
        select(Site.id, Site.name, func.count(Cylinder.id))
        .join(Site, Site.id == Cylinder.site_id)
        .where(scope)
        .group_by(Site.id, Site.name)
        .order_by(func.count(Cylinder.id).desc(), Site.name)
    ).all()
    areas = session.execute(
        select(Cylinder.area_id, Area.name, func.count(Cylinder.id))
        .outerjoin(Area, Area.id == Cylinder.area_id)
        .where(scope)
        .group_by(Cylinder.area_id, Area.name)
        .order_by(func.count(Cylinder.id).desc())
    ).all()
    none = "未定位" if lang == "zh" else "Not placed"
    return Whereabouts(
        total=sum(by_status.values()),
        by_status=[
            Count(key=s.value, label=s.label(lang), count=by_status.get(s, 0))
            for s in CylinderStatus
        ],
        by_station=[Count(key=str(i), label=n, count=c) for i, n, c in stations],
        by_area=[
            Count(key=str(i) if i is not None else None, label=n or none, count=c)
            for i, n, c in areas
        ],
    )


def recover_by() -> ColumnElement[date]:
    """The earlier of the next inspection and the end of life: the expression the partial
    index ix_cylinder_user_recover_by holds (models.RECOVER_BY)."""
    return case(
        (Cylinder.next_inspection_on < Cylinder.life_ends_on, Cylinder.next_inspection_on),
        else_=Cylinder.life_ends_on,
    )


def overdue_condition(today: date) -> ColumnElement[bool]:
    return and_(Cylinder.status == CylinderStatus.WITH_USER, recover_by() < today)


def overdue_with_users(
    *,
    session: Session,
    principal: Principal,
    today: date,
    page: int = 1,
    size: int = 50,
) -> OverduePage:
    """Cylinders with a user although their inspection is overdue or their life is over:
    they must be recovered. Most overdue first."""
    page, size = max(page, 1), min(max(size, 1), 500)
    where = (overdue_condition(today), cylinder_scope(principal))
    total = session.scalar(select(func.count()).select_from(Cylinder).where(*where)) or 0
    rows = list(
        session.scalars(
            select(Cylinder)
            .where(*where)
            .order_by(recover_by(), Cylinder.id)
            .offset((page - 1) * size)
            .limit(size)
        )
    )
    names = refs.load(session, principal, customers=(c.customer_id for c in rows))
    return OverduePage(
        items=[
            OverdueRow(
                cylinder=refs.cylinder_ref(c),
                next_inspection_on=c.next_inspection_on,
                life_ends_on=c.life_ends_on,
                inspection_overdue=c.next_inspection_on < today,
                life_expired=c.life_ends_on < today,
                customer=names.customer(c.customer_id),
                since=c.last_event_at,
            )
            for c in rows
        ],
        total=total,
        page=page,
        size=size,
        today=today,
    )


def unknown_codes(*, session: Session, principal: Principal, limit: int = 200) -> list[UnknownCode]:
    """Codes scanned that name no registered cylinder (or another's), newest first."""
    stmt = (
        select(
            CylinderAnomaly.tag_code,
            func.count(),
            func.min(CylinderAnomaly.found_at),
            func.max(CylinderAnomaly.found_at),
            func.sum(case((CylinderAnomaly.reviewed.is_(False), 1), else_=0)),
        )
        .where(CylinderAnomaly.kind == AnomalyKind.UNKNOWN_CODE, anomaly_scope(principal))
        .group_by(CylinderAnomaly.tag_code)
        .order_by(func.max(CylinderAnomaly.found_at).desc())
        .limit(limit)
    )
    out = []
    for code, count, first, last, open_ in session.execute(stmt):
        out.append(
            UnknownCode(
                tag_code=code or "",
                count=count,
                first_seen=_aware(first),
                last_seen=_aware(last),
                open=int(open_ or 0),
            )
        )
    return out


def _aware(value: Any) -> datetime:
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
