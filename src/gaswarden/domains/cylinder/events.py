"""The chain of scans: idempotency, refusals, the cylinder's state, late scans and anomalies.

`submit` takes a batch of scans (one request of a scanning app, or a benchmark's batch) and
works on it as a whole: one query per kind of reference, the scans of each cylinder in device
time, the events, the cylinders and the anomalies written in bulk, one audit row.

A scan older (device time) than the cylinder's newest applied scan is late: it is stored in
its place in time, checked against the applied scan just before it, and never moves the
cylinder's current state back; a late fill re-links the scans after it (until the gas is
delivered and collected, or the next fill) to its batch, so that a recall reads them right.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.enums import Role
from gaswarden.core.errors import Forbidden, Invalid, NotFound
from gaswarden.core.gc_pause import gc_paused
from gaswarden.core.localtime import LOCAL_ZONE
from gaswarden.db.base import utcnow
from gaswarden.domains.audit import service as audit
from gaswarden.domains.cylinder import chain, event_store, lookups, refusals, scan_refs
from gaswarden.domains.cylinder import late as late_scans
from gaswarden.domains.cylinder.enums import (
    AnomalyKind,
    EventKind,
    EventResult,
    RefusalReason,
)
from gaswarden.domains.cylinder.event_schemas import (
    CylinderEventIn,
    EventOutcome,
)
from gaswarden.domains.cylinder.lookups import CylState, Rec, Step
from gaswarden.domains.cylinder.models import Cylinder
from gaswarden.domains.cylinder.scan_checks import (
    HEAVY_USE_WINDOW,
    chain_breaks,
    closed_site,
    deliver_checks,
    people_and_vehicles,
)
from gaswarden.domains.cylinder.state_moves import archive, before_state, before_step, move, relink
from gaswarden.domains.enforcement import watch
from gaswarden.domains.enforcement.enums import ActivitySource
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization

K = EventKind
A = AnomalyKind
# The members the per-scan code compares against, as module globals: on Python 3.11 reading a
# member off its enum class costs ~70 ns against ~10 for a global, and a scan made a few dozen
# such reads (~1.5 us of the ~50 a scan costs the loader in `gaswarden bench cylinders`).
FILL, DELIVER, COLLECT = K.FILL, K.DELIVER, K.COLLECT
ACCEPTED, ANOMALY, REFUSED = EventResult.ACCEPTED, EventResult.ANOMALY, EventResult.REFUSED
DELIVER_OR_COLLECT = frozenset({DELIVER, COLLECT})
LOCAL_TZ = LOCAL_ZONE  # the scan's day (inspection due, certificates)
SCANNING_ROLES = frozenset({Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF, Role.FIELD_WORKER})


def scanning_org(session: Session, principal: Principal, org_id: int | None = None) -> int:
    """The LPG enterprise whose staff made the scans: the caller's own, or the one the system
    names. Regulators, agencies, grid supervisors and viewers scan nothing."""
    if principal.scope_kind is ScopeKind.ALL:
        if org_id is None:
            raise Invalid("org_id: name the enterprise whose staff scanned")
    else:
        if principal.role not in SCANNING_ROLES or principal.org_id is None:
            raise Forbidden("only an LPG enterprise's staff send cylinder scans")
        if org_id is not None and org_id != principal.org_id:
            raise Forbidden("scans are sent for your own enterprise only")
        org_id = principal.org_id
    kind = session.scalar(select(Organization.kind).where(Organization.id == org_id))
    if kind is None:
        raise NotFound(f"organization {org_id} not found")
    if kind is not OrgKind.LPG:
        raise Forbidden("only an LPG enterprise's staff send cylinder scans")
    return org_id


def local_day(at: datetime) -> date:
    return at.astimezone(LOCAL_TZ).date()


class _Batch:
    """One submission's references, the cylinders it moves and what it will write."""

    def __init__(
        self,
        session: Session,
        principal: Principal,
        org_id: int,
        events: Sequence[CylinderEventIn],
        ats: Sequence[datetime],
        now: datetime,
    ) -> None:
        """`ats`: the scans' device times in UTC, in the order of `events`."""
        self.session, self.principal, self.org_id, self.now = session, principal, org_id, now
        # The references the batch names, gathered in one pass (a set comprehension each cost
        # a pass over the batch's scans)
        codes: set[str] = set()
        site_codes: set[str] = set()
        plates: set[str] = set()
        workers: set[int] = set()
        fillers: set[int] = set()
        customer_codes: set[str] = set()
        batch_codes: set[str] = set()
        delivered: list[datetime] = []  # the deliveries' times
        delivered_to: set[str] = set()  # and their customers
        for e, at in zip(events, ats, strict=True):
            codes.add(e.tag_code)
            if e.site_code:
                site_codes.add(e.site_code)
            if e.vehicle_plate:
                plates.add(e.vehicle_plate)
            if e.worker_id is not None:
                workers.add(e.worker_id)
                if e.kind is FILL:
                    fillers.add(e.worker_id)
            if e.customer_code:
                customer_codes.add(e.customer_code)
                if e.kind is DELIVER:
                    delivered.append(at)
                    delivered_to.add(e.customer_code)
            if e.batch_code:
                batch_codes.add(e.batch_code)
        self.cylinders = lookups.cylinders(session, codes)
        self.sites = scan_refs.sites(session, site_codes)
        self.vehicles = scan_refs.vehicles(session, plates)
        self.people = scan_refs.people(session, workers)
        self.certificates = scan_refs.filling_certificates(session, fillers)
        self.customers = scan_refs.customers(session, customer_codes)
        self.batches = scan_refs.batches(session, org_id, batch_codes)
        ids = {c.id for code in delivered_to if (c := self.customers.get(code))}
        self.deliveries = (
            lookups.deliveries(
                session,
                ids,
                min(delivered),
                max(delivered),
                HEAVY_USE_WINDOW,
            )
            if ids
            else {}
        )
        late: dict[int, datetime] = {}
        cylinders = self.cylinders
        for e, at in zip(events, ats, strict=True):
            cyl = cylinders.get(e.tag_code)
            last = cyl.last_event_at if cyl is not None else None
            if cyl is not None and last is not None and at < last:
                late[cyl.id] = min(late.get(cyl.id, at), at)
        self.timelines = lookups.timelines(session, late)
        self.events: list[dict[str, Any]] = []
        self.anomalies: list[dict[str, Any]] = []
        self.relinks: dict[int, tuple[int | None, int | None]] = {}
        self.rechecked: dict[int, tuple[int, list[AnomalyKind]]] = {}  # see late.py
        self.closed: list[tuple[int, int, str, datetime]] = []  # site, event, detail, when

    # ---- one scan --------------------------------------------------------------------------
    def process(self, index: int, ev: CylinderEventIn, at: datetime, event_id: int) -> EventOutcome:
        """One scan made at `at` (its device time in UTC), stored as `event_id`."""
        # the fields read more than once, read once: an attribute of a pydantic model goes
        # through its __getattr__ hook (~80 ns against ~20 for a local, 15 reads of `kind`)
        kind, site_code, gross_kg = ev.kind, ev.site_code, ev.gross_kg
        day = local_day(at)
        cyl = self.cylinders.get(ev.tag_code)
        site = self.sites.get(site_code) if site_code else None
        customer = self.customers.get(ev.customer_code) if ev.customer_code else None
        own_customer = (
            customer if customer is not None and customer.owner_id == self.org_id else None
        )
        vehicle = self.vehicles.get(ev.vehicle_plate) if ev.vehicle_plate else None
        worker = self.people.get(ev.worker_id) if ev.worker_id is not None else None
        own_worker = worker if worker is not None and worker.owner_id == self.org_id else None
        own_vehicle = vehicle if vehicle is not None and vehicle.owner_id == self.org_id else None
        place = own_customer if kind in DELIVER_OR_COLLECT and own_customer else None
        area_id = place.area_id if place else site.area_id if site else None
        lon, lat = ev.lon, ev.lat
        if lon is None or lat is None:
            src = place or site
            lon, lat = (src.lon, src.lat) if src is not None else (None, None)
        row: dict[str, Any] = {
            "id": event_id,
            "key": ev.key,
            "org_id": self.org_id,
            "kind": kind,
            "result": ACCEPTED,
            "reason": None,
            "reason_text": None,
            "tag_code": ev.tag_code,
            "cylinder_id": cyl.id if cyl else None,
            "occurred_at": at,
            "received_at": self.now,
            "user_id": self.principal.user_id,
            "username": self.principal.username,
            "person_id": own_worker.id if own_worker else None,
            "site_id": site.id if site else None,
            "vehicle_id": own_vehicle.id if own_vehicle else None,
            "customer_id": own_customer.id if own_customer else None,
            "area_id": area_id,
            "lon": lon,
            "lat": lat,
            "device": ev.device,
            "batch_id": None,
            "fill_event_id": None,
            "gross_kg": gross_kg,
            "net_kg": None,
            "passed": ev.passed,
            "next_inspection_on": ev.next_inspection_on,
            "status_after": None,
            "anomalies": None,
            "note": ev.note,
        }
        self.events.append(row)
        batch_id = self.batches.get(ev.batch_code) if ev.batch_code else None
        refusal = self._refusal(ev, kind, cyl, day, site, customer, batch_id)
        if refusal is not None:
            reason, reason_text = refusal
            row.update(result=REFUSED, reason=reason, reason_text=reason_text)
            kinds: list[AnomalyKind] = []
            if reason is RefusalReason.UNKNOWN_CODE:
                kinds = [A.UNKNOWN_CODE]
                row["anomalies"] = [A.UNKNOWN_CODE.value]
                self._anomaly(A.UNKNOWN_CODE, row, f"现场扫描到未登记的气瓶码 {ev.tag_code}")
            return _outcome(index, row, kinds)
        assert cyl is not None

        late = cyl.last_event_at is not None and at < cyl.last_event_at
        timeline = self.timelines.setdefault(cyl.id, []) if late else None
        before = before_step(timeline, at) if timeline is not None else before_state(cyl)

        found = chain_breaks(kind, before, lon, lat, at)
        found += people_and_vehicles(ev, worker, vehicle, day, self.org_id, self.certificates)
        closed = closed_site(site, own_customer)
        if closed is not None:
            detail = f"已关停场站仍有气瓶流转 Cylinder {ev.tag_code} {kind.en} at closed site"
            found.append((A.CLOSED_SITE, detail))
            self.closed.append((closed, event_id, detail, at))
        if kind is DELIVER:
            found += deliver_checks(cyl, own_customer, at, day, self.deliveries)

        status = chain.status_after(kind, ev.passed)
        holds, fill_id, gas_batch = chain.gas_after(kind, before, event_id, batch_id)
        row.update(status_after=status, fill_event_id=fill_id, batch_id=gas_batch)
        if kind is FILL and gross_kg is not None:
            row["net_kg"] = round(gross_kg - cyl.tare_kg, 2)
        elif kind is DELIVER:
            row["net_kg"] = float(cyl.capacity_kg)
        kinds = list(dict.fromkeys(k for k, _ in found)) if found else []
        if kinds:
            row["result"] = ANOMALY
            row["anomalies"] = [k.value for k in kinds]
            done: set[AnomalyKind] = set()
            for k, detail in found:
                if k not in done:
                    done.add(k)
                    self._anomaly(k, row, detail)

        archive(cyl, ev, day)
        if timeline is not None:
            step = Step(event_id, at, kind, status, fill_id, gas_batch, lon, lat)
            bisect.insort(timeline, step, key=lambda s: s.order)
            if kind is FILL:
                relink(cyl, timeline, step, self.relinks)
            following = late_scans.after_late(timeline, step)
            if following is not None:  # the scan after it, checked again against it
                self.rechecked[following[0]] = (event_id, following[1])
        else:
            move(cyl, kind, status, holds, fill_id, gas_batch, site, own_vehicle, own_customer)
            cyl.last_event_id, cyl.last_event_at = event_id, at
            cyl.lon, cyl.lat = lon, lat
            if area_id is not None:
                cyl.area_id = area_id
            cyl.changed = True
        return _outcome(index, row, kinds)

    def _refusal(
        self,
        ev: CylinderEventIn,
        kind: EventKind,
        cyl: CylState | None,
        day: date,
        site: Rec | None,
        customer: Rec | None,
        batch_id: int | None,
    ) -> refusals.Refusal | None:
        refusal = refusals.code_refusal(cyl, self.org_id) or refusals.missing_fields(
            kind,
            site_code=ev.site_code,
            gross_kg=ev.gross_kg,
            customer_code=ev.customer_code,
            passed=ev.passed,
        )
        if refusal is not None:
            return refusal
        assert cyl is not None
        if ev.site_code and site is None:
            return refusals.refuse(RefusalReason.INVALID, f"未知场站 unknown site {ev.site_code}")
        if ev.batch_code and batch_id is None:
            return refusals.refuse(
                RefusalReason.INVALID, f"未知气源批次 unknown batch {ev.batch_code}"
            )
        if kind is FILL:
            return refusals.fill_refusal(cyl, day, ev.gross_kg)
        if kind is DELIVER:
            return refusals.deliver_refusal(customer, self.org_id)
        return None

    def _anomaly(self, kind: AnomalyKind, row: dict[str, Any], detail: str) -> None:
        self.anomalies.append(
            {
                "kind": kind,
                "event_id": row["id"],
                "cylinder_id": row["cylinder_id"],
                "tag_code": row["tag_code"],
                "customer_id": row["customer_id"],
                "site_id": row["site_id"],
                "found_at": row["occurred_at"],
                "detail": f"{kind.zh} {kind.en}: {detail}"[:500],
                "reviewed": False,
                "review_note": None,
                "reviewed_by_name": None,
                "owner_id": self.org_id,
                "area_id": row["area_id"],
                "address": None,
                "lon": row["lon"],
                "lat": row["lat"],
                "created_at": self.now,
                "updated_at": self.now,
            }
        )

    # ---- the writes ------------------------------------------------------------------------
    def write(self) -> None:
        session = self.session
        event_store.insert_events(session, self.events)
        event_store.update_cylinders(
            session, [c for c in self.cylinders.values() if c.changed], self.now
        )
        event_store.relink(session, self.relinks)
        event_store.insert_anomalies(session, self.anomalies)
        late_scans.reconcile(session, self.rechecked)
        for site_id, event_id, detail, at in self.closed:
            watch.flag_activity(
                session=session,
                source=ActivitySource.CYLINDER,
                site_id=site_id,
                detail=detail,
                ref=f"cylinder-event:{event_id}",
                seen_at=at,
                principal=self.principal,
                now=self.now,
            )
        _expire_cached(session, {c.id for c in self.cylinders.values() if c.changed})


def _outcome(index: int, row: dict[str, Any], kinds: list[AnomalyKind]) -> EventOutcome:
    return EventOutcome(
        index=index,
        key=row["key"],
        result=row["result"],
        duplicate=False,
        event_id=row["id"],
        cylinder_id=row["cylinder_id"],
        reason=row["reason"],
        reason_text=row["reason_text"],
        anomalies=kinds,
        status_after=row["status_after"],
    )


def _stored(index: int, row: lookups.Stored) -> EventOutcome:
    return EventOutcome(
        index=index,
        key=row.key,
        result=row.result,
        duplicate=True,
        event_id=row.id,
        cylinder_id=row.cylinder_id,
        reason=row.reason,
        reason_text=row.reason_text,
        anomalies=[AnomalyKind(k) for k in row.anomalies or ()],
        status_after=row.status_after,
    )


def _expire_cached(session: Session, ids: set[int]) -> None:
    """Cylinders loaded as ORM objects in this session are stale after the bulk update."""
    if not ids:
        return
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Cylinder) and obj.id in ids:
            session.expire(obj)


def submit(
    *,
    session: Session,
    principal: Principal,
    events: Sequence[CylinderEventIn],
    org_id: int | None = None,
    now: datetime | None = None,
) -> list[EventOutcome]:
    """Store a batch of scans made by `org_id`'s staff (the caller's enterprise by default;
    the system principal names it) and return one outcome per scan, in order. Flushes only."""
    with gc_paused():
        return _submit(session, principal, events, org_id, now)


def _submit(
    session: Session,
    principal: Principal,
    events: Sequence[CylinderEventIn],
    org_id: int | None,
    now: datetime | None,
) -> list[EventOutcome]:
    org = scanning_org(session, principal, org_id)
    now = now or utcnow()
    if not events:
        return []
    stored = lookups.stored_outcomes(session, org, {e.key for e in events})
    outcomes: list[EventOutcome | None] = [None] * len(events)
    first: dict[str, int] = {}
    fresh: list[int] = []
    for i, ev in enumerate(events):
        if ev.key in stored:
            outcomes[i] = _stored(i, stored[ev.key])
        elif ev.key in first:
            continue  # answered from the first one, below
        else:
            first[ev.key] = i
            fresh.append(i)
    if fresh:
        scans = [events[i] for i in fresh]
        # The device times in UTC, once: aware datetimes with distinct tzinfo objects (pydantic
        # gives each parsed time its own) compare by calling utcoffset() on both sides, ~20,000
        # instructions a scan in the sort and the batch's comparisons.
        ats = [e.occurred_at.astimezone(UTC) for e in scans]
        batch = _Batch(session, principal, org, scans, ats, now)
        order = sorted(range(len(scans)), key=ats.__getitem__)  # stable: ties as sent
        ids = event_store.allocate_ids(session, len(scans))
        for k, event_id in zip(order, ids, strict=True):
            i = fresh[k]
            outcomes[i] = batch.process(i, events[i], ats[k], event_id)
        batch.write()
        counts = dict.fromkeys(EventResult, 0)
        for i in fresh:
            out = outcomes[i]
            assert out is not None
            counts[out.result] += 1  # by member: `.value` is a property read (~0.5 us)
        audit.record(
            session=session,
            principal=principal,
            action="submit",
            entity_type="cylinder_event",
            entity_id=None,
            entity_label=f"{len(fresh)} 次扫码 scans",
            changes={k.value: [None, v] for k, v in counts.items()},
            reason=f"duplicates {len(events) - len(fresh)}",
            owner_id=org,
        )
    for i, ev in enumerate(events):
        if outcomes[i] is None:
            original = outcomes[first[ev.key]]
            assert original is not None
            outcomes[i] = dataclasses.replace(original, index=i, duplicate=True)
    session.flush()
    return [o for o in outcomes if o is not None]
