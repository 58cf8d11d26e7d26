"""Hand-made cylinder histories for the tracing tests: events inserted as rows, following the
model contract the scanning service keeps (a fill carries its batch and fill_event_id = its own
id; every later accepted load, arrive and deliver of that cylinder carries the same)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.domains.cylinder.enums import (
    AnomalyKind,
    CylinderStatus,
    EventKind,
    EventResult,
    RefusalReason,
)
from gaswarden.domains.cylinder.models import Cylinder, CylinderEvent

_keys = itertools.count(1)


def event(
    session: Session,
    cyl: Cylinder | None,
    kind: EventKind,
    at: datetime,
    *,
    org_id: int,
    result: EventResult = EventResult.ACCEPTED,
    received_at: datetime | None = None,
    site_id: int | None = None,
    vehicle_id: int | None = None,
    person_id: int | None = None,
    customer_id: int | None = None,
    area_id: int | None = None,
    batch_id: int | None = None,
    fill_event_id: int | None = None,
    reason: RefusalReason | None = None,
    anomalies: list[AnomalyKind] | None = None,
    tag_code: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
) -> CylinderEvent:
    e = CylinderEvent(
        key=f"hist-{next(_keys)}",
        org_id=org_id,
        kind=kind,
        result=result,
        reason=reason,
        reason_text=reason.label("zh") if reason else None,
        tag_code=tag_code or (cyl.tag_code if cyl else "?"),
        cylinder_id=cyl.id if cyl else None,
        occurred_at=at,
        received_at=received_at or at,
        username="worker_b",
        site_id=site_id,
        vehicle_id=vehicle_id,
        person_id=person_id,
        customer_id=customer_id,
        area_id=area_id,
        batch_id=batch_id,
        fill_event_id=fill_event_id,
        anomalies=[a.value for a in anomalies] if anomalies else None,
        lon=lon,
        lat=lat,
    )
    session.add(e)
    session.flush()
    if kind is EventKind.FILL and result is not EventResult.REFUSED:
        e.fill_event_id = e.id
        session.flush()
    return e


@dataclass
class Chain:
    """Who carries a cylinder from the filling station to a customer."""

    org_id: int
    filling: int
    supply: int
    operator: int
    worker: int
    vehicle: int
    events: list[CylinderEvent] = field(default_factory=list)

    def fill(
        self, session: Session, cyl: Cylinder, at: datetime, batch_id: int, **kw: Any
    ) -> CylinderEvent:
        e = event(
            session,
            cyl,
            EventKind.FILL,
            at,
            org_id=self.org_id,
            site_id=self.filling,
            person_id=self.operator,
            batch_id=batch_id,
            **kw,
        )
        self.events.append(e)
        return e

    def carry(
        self,
        session: Session,
        cyl: Cylinder,
        fill: CylinderEvent,
        at: datetime,
        customer_id: int,
        area_id: int | None = None,
    ) -> CylinderEvent:
        """Load, arrive and deliver the gas of `fill`, an hour apart from `at`."""
        common: dict[str, Any] = {
            "org_id": self.org_id,
            "batch_id": fill.batch_id,
            "fill_event_id": fill.id,
        }
        load = event(session, cyl, EventKind.LOAD, at, vehicle_id=self.vehicle, **common)
        arrive = event(
            session, cyl, EventKind.ARRIVE, at + timedelta(hours=1), site_id=self.supply, **common
        )
        d = event(
            session,
            cyl,
            EventKind.DELIVER,
            at + timedelta(hours=2),
            vehicle_id=self.vehicle,
            person_id=self.worker,
            customer_id=customer_id,
            area_id=area_id,
            **common,
        )
        self.events += [load, arrive, d]
        cyl.status = CylinderStatus.WITH_USER
        cyl.customer_id = customer_id
        cyl.area_id = area_id
        cyl.site_id = None
        cyl.holds_gas = True
        cyl.batch_id = fill.batch_id
        cyl.fill_event_id = fill.id
        cyl.last_event_at = d.occurred_at
        session.flush()
        return d

    def collect(self, session: Session, cyl: Cylinder, at: datetime) -> CylinderEvent:
        e = event(
            session,
            cyl,
            EventKind.COLLECT,
            at,
            org_id=self.org_id,
            person_id=self.worker,
            customer_id=cyl.customer_id,
        )
        self.events.append(e)
        cyl.status = CylinderStatus.EMPTY_RETURNED
        cyl.customer_id = None
        cyl.area_id = None
        cyl.holds_gas = False
        session.flush()
        return e
