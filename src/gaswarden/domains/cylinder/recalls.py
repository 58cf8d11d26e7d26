"""A gas batch's recall (召回): every delivery of its gas, to whom, and the chain that
carried it. Reads the batch's fills through the partial index on (batch_id) of fills, then
what carried their gas through (fill_event_id)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.errors import NotFound
from gaswarden.core.scope import areas_under
from gaswarden.domains.cylinder import refs
from gaswarden.domains.cylinder.enums import (
    AnomalyKind,
    EventKind,
)
from gaswarden.domains.cylinder.lookups import among
from gaswarden.domains.cylinder.models import Cylinder, CylinderEvent, GasBatch
from gaswarden.domains.cylinder.tracing import CARRIERS, TAKEN
from gaswarden.domains.cylinder.tracing_schemas import (
    AreaCount,
    Named,
    Recall,
    RecallDelivery,
    RecallTotals,
    Undelivered,
)
from gaswarden.domains.organization.models import Organization


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


def get_batch(*, session: Session, principal: Principal, batch_id: int) -> GasBatch:
    found = session.scalars(
        select(GasBatch).where(GasBatch.id == batch_id, batch_scope(principal))
    ).first()
    if found is None:
        raise NotFound(f"gas batch {batch_id} not found")
    return found


def recallable(session: Session, principal: Principal, batch_ids: Iterable[int]) -> set[int]:
    """Those of the batches the caller may recall (a page links only those)."""
    ids = sorted(set(batch_ids))
    if not ids:
        return set()
    return set(
        session.scalars(select(GasBatch.id).where(GasBatch.id.in_(ids), batch_scope(principal)))
    )


def batches(*, session: Session, principal: Principal, limit: int = 200) -> list[GasBatch]:
    """The caller's gas batches, newest first (for picking one to recall)."""
    stmt = (
        select(GasBatch)
        .where(batch_scope(principal))
        .order_by(GasBatch.arrived_on.desc(), GasBatch.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


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
    for fill_id, chain in chains.items():  # each in (occurred_at, id) order, as selected
        fill = next((e for e in chain if e.kind is EventKind.FILL), None)
        cyl = cylinders.get(chain[0].cylinder_id or 0)
        if cyl is None:
            continue
        cylinder = refs.cylinder_ref(cyl, names.orgs)  # one cylinder carries the whole chain
        delivered = [i for i, e in enumerate(chain) if e.kind is EventKind.DELIVER]
        if not delivered and fill is not None:
            undelivered.append(
                Undelivered(
                    fill_event_id=fill_id,
                    filled_at=fill.occurred_at,
                    cylinder=cylinder,
                    filling_station=names.site(fill.site_id),
                    still_holds_this_gas=cyl.holds_gas and cyl.fill_event_id == fill_id,
                )
            )
        for i in delivered:
            d, before = chain[i], chain[: i + 1]
            deliveries.append(
                RecallDelivery(
                    event_id=d.id,
                    delivered_at=d.occurred_at,
                    customer=names.customer(d.customer_id),
                    cylinder=cylinder,
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
