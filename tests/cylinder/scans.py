"""Sending scans in the event tests: a scan built from a few words, submitted as ent_b."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.domains.cylinder import events
from gaswarden.domains.cylinder.enums import EventKind
from gaswarden.domains.cylinder.event_schemas import CylinderEventIn, EventOutcome
from gaswarden.domains.cylinder.models import Cylinder, CylinderAnomaly, CylinderEvent
from tests.cylinder.lpg import NOW, Lpg, at
from tests.factories import World
from tests.hazard.helpers import who


def scan(key: str, kind: EventKind | str, tag: str, hours: float = 0, **kw: Any) -> CylinderEventIn:
    return CylinderEventIn(key=key, kind=EventKind(kind), tag_code=tag, occurred_at=at(hours), **kw)


def fill(key: str, tag: str, hours: float, lpg: Lpg, **kw: Any) -> CylinderEventIn:
    data: dict[str, Any] = {
        "site_code": "S-B-FILL",
        "gross_kg": 30.5,
        "worker_id": lpg.ids["operator"],
        "batch_code": "B-2026-11",
        **kw,
    }
    return scan(key, EventKind.FILL, tag, hours, **data)


def deliver(key: str, tag: str, hours: float, world: World, **kw: Any) -> CylinderEventIn:
    data: dict[str, Any] = {
        "customer_code": "CU-HOME",
        "worker_id": world.ids["person_b"],
        "vehicle_plate": "鲁PA8888",
        **kw,
    }
    return scan(key, EventKind.DELIVER, tag, hours, **data)


def to_station(tag: str, hours: float, lpg: Lpg, prefix: str) -> list[CylinderEventIn]:
    """Fill, load and arrive at the supply station: ready for a delivery at `hours` + 3."""
    return [
        fill(f"{prefix}-fill", tag, hours, lpg),
        scan(f"{prefix}-load", EventKind.LOAD, tag, hours + 1, vehicle_plate="鲁PA8888"),
        scan(f"{prefix}-arrive", EventKind.ARRIVE, tag, hours + 2, site_code="S-B-SUP"),
    ]


def send(
    session: Session, world: World, *scans: CylinderEventIn, user: str = "worker_b"
) -> list[EventOutcome]:
    principal: Principal = who(session, world, user)
    return events.submit(session=session, principal=principal, events=list(scans), now=NOW)


def cylinder(session: Session, id: int) -> Cylinder:
    session.expire_all()
    found = session.get(Cylinder, id)
    assert found is not None
    return found


def stored(session: Session, key: str) -> CylinderEvent:
    return session.scalars(select(CylinderEvent).where(CylinderEvent.key == key)).one()


def anomaly_kinds(session: Session, event_id: int | None) -> list[str]:
    rows = session.scalars(
        select(CylinderAnomaly.kind).where(CylinderAnomaly.event_id == event_id)
    ).all()
    return sorted(k.value for k in rows)
