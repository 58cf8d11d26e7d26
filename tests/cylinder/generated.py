"""A small generated LPG enterprise inside a test's transaction: the shared world's ent_b with
its filling and supply stations, delivery worker and vehicle, plus a certified filling
operator, monthly gas batches, a fleet of cylinders and real-name customers; and the loader
that sends a generated history through `events.submit` as the scanning apps would."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice

from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.customer.enums import SafetyStatus
from gaswarden.domains.customer.models import Customer
from gaswarden.domains.cylinder import events
from gaswarden.domains.cylinder.event_schemas import CylinderEventIn, EventOutcome
from gaswarden.domains.cylinder.models import Cylinder, GasBatch
from gaswarden.domains.site.models import Site
from gaswarden.domains.workforce.enums import CertificateKind, Position
from gaswarden.domains.workforce.models import Certificate, Person
from gaswarden.sim.cylinder_history import (
    BatchIn,
    Enterprise,
    StationIn,
    fleet_customers,
    fleet_cylinders,
)
from tests.factories import World

START = date(2026, 5, 1)
END = date(2026, 7, 1)
BOX = (115.90, 36.40, 115.96, 36.44)


@dataclass
class Generated:
    enterprise: Enterprise
    org_id: int
    batch_ids: dict[str, int]  # code -> id


def build_enterprise(
    session: Session, world: World, *, cylinders: int = 40, customers: int = 12, seed: int = 3
) -> Generated:
    w, rng = world.ids, random.Random(seed)
    ent = w["ent_b"]
    filling, supply = session.get(Site, w["filling"]), session.get(Site, w["supply"])
    assert filling is not None and supply is not None
    operator = Person(name="孙充装", owner_id=ent, position=Position.FILLING_OPERATOR)
    session.add(operator)
    session.flush()
    session.add(
        Certificate(
            person_id=operator.id,
            kind=CertificateKind.CYLINDER_FILLING,
            number="TS-GEN-01",
            issued_on=date(2024, 1, 1),
            expires_on=date(2029, 1, 1),
        )
    )
    batches = [
        GasBatch(code=f"GEN-{m:02d}", owner_id=ent, site_id=filling.id, supplier="中石化聊城",
                 quantity_t=20.0, arrived_on=date(2026, m, 1) - timedelta(days=2))
        for m in (5, 6, 7)
    ]  # fmt: skip
    session.add_all(batches)
    fleet = fleet_cylinders(rng, cylinders, today=START, prefix="GEN")
    for c in fleet:
        session.add(
            Cylinder(
                tag_code=c.tag_code, stamp_serial=f"ST{c.tag_code}", made_on=c.made_on,
                capacity_kg=c.capacity_kg, tare_kg=c.tare_kg, design_life_years=8,
                life_ends_on=c.life_ends_on, next_inspection_on=c.next_inspection_on,
                owner_id=ent, site_id=filling.id,
            )
        )  # fmt: skip
    users = fleet_customers(rng, customers, box=BOX, prefix="GENU")
    for u in users:
        business = u.kind.is_commercial
        session.add(
            Customer(
                code=u.code, kind=u.kind, name=f"用户{u.code}", owner_id=ent,
                area_id=w["g11"], lon=u.lon, lat=u.lat, safety_status=SafetyStatus.PASSED,
                has_gas_alarm=business, has_shutoff_valve=business,
            )
        )  # fmt: skip
    session.flush()
    enterprise = Enterprise(
        cylinders=fleet,
        customers=users,
        filling=[StationIn(filling.code, filling.lon, filling.lat)],
        supply=[StationIn(supply.code, supply.lon, supply.lat)],
        vehicles=["鲁PA8888"],
        operators=[operator.id],
        delivery_workers=[w["person_b"]],
        batches=[BatchIn(b.code, b.arrived_on, filling.code) for b in batches],
    )
    return Generated(enterprise, ent, {b.code: b.id for b in batches})


def submit_all(
    session: Session, org_id: int, scans: Iterable[CylinderEventIn], batch: int = 250
) -> list[tuple[CylinderEventIn, EventOutcome]]:
    """Send the scans in arrival order, `batch` at a time (each flushed, as a request would)."""
    out: list[tuple[CylinderEventIn, EventOutcome]] = []
    it = iter(scans)
    while chunk := list(islice(it, batch)):
        now = max(e.occurred_at for e in chunk) + timedelta(minutes=5)
        outcomes = events.submit(
            session=session, principal=SYSTEM, events=chunk, org_id=org_id, now=now
        )
        out.extend(zip(chunk, outcomes, strict=True))
    return out
