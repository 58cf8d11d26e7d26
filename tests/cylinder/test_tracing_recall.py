"""Recall on a generated history, checked against a brute-force answer: walk every cylinder's
accepted scans in device-time order and note the batch of the gas each delivery carried (the
last fill since the cylinder came back empty). Refused scans, deliveries without a fill and
fills whose scans reached the server late are all in the mix."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta

from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.customer.enums import CustomerKind, SafetyStatus
from gaswarden.domains.customer.models import Customer
from gaswarden.domains.cylinder import recalls
from gaswarden.domains.cylinder.enums import EventKind, EventResult, RefusalReason
from gaswarden.domains.cylinder.models import CylinderEvent, GasBatch
from tests.cylinder.history import Chain, event
from tests.cylinder.lpg import NOW, TODAY, cylinder
from tests.factories import World
from tests.hazard.helpers import who

TAKEN = (EventResult.ACCEPTED, EventResult.ANOMALY)


def brute_force(events: list[CylinderEvent]) -> dict[int, set[tuple[int, int]]]:
    """batch id -> {(delivery event id, customer id)} by walking each cylinder in time order."""
    per_cylinder: dict[int, list[CylinderEvent]] = defaultdict(list)
    for e in events:
        if e.cylinder_id is not None and e.result in TAKEN:
            per_cylinder[e.cylinder_id].append(e)
    out: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for scans in per_cylinder.values():
        gas: int | None = None
        for e in sorted(scans, key=lambda e: (e.occurred_at, e.id)):
            if e.kind is EventKind.FILL:
                gas = e.batch_id
            elif e.kind is EventKind.COLLECT:
                gas = None
            elif e.kind is EventKind.DELIVER and gas is not None and e.customer_id is not None:
                out[gas].add((e.id, e.customer_id))
    return out


def test_recall_matches_brute_force_on_a_generated_history(session: Session, world: World) -> None:
    w = world.ids
    rng = random.Random(20261129)
    ent = w["ent_b"]
    batches = []
    for i in range(4):
        b = GasBatch(
            code=f"GEN-B{i}",
            owner_id=ent,
            site_id=w["filling"],
            supplier="gen",
            quantity_t=5.0,
            arrived_on=TODAY - timedelta(days=60 - i),
        )
        session.add(b)
        batches.append(b)
    customers = [
        Customer(
            code=f"GEN-C{i}",
            kind=CustomerKind.RESIDENTIAL,
            name=f"用户{i}",
            owner_id=ent,
            area_id=rng.choice([w["g11"], w["g12"], w["g21"]]),
            safety_status=SafetyStatus.PASSED,
        )
        for i in range(12)
    ]
    session.add_all(customers)
    cylinders = [cylinder(session, f"GEN-{i:03d}", ent) for i in range(30)]
    session.flush()
    chain = Chain(
        org_id=ent,
        filling=w["filling"],
        supply=w["supply"],
        operator=w["person_b"],
        worker=w["person_b"],
        vehicle=w["veh_b"],
    )
    all_events: list[CylinderEvent] = []
    for c in cylinders:
        t = NOW - timedelta(days=50) + timedelta(hours=rng.randint(0, 48))
        for _ in range(rng.randint(1, 5)):
            batch = rng.choice(batches)
            roll = rng.random()
            if roll < 0.1:  # a refused fill names a batch but takes no gas
                all_events.append(
                    event(
                        session,
                        c,
                        EventKind.FILL,
                        t,
                        org_id=ent,
                        result=EventResult.REFUSED,
                        reason=RefusalReason.OVERFILL,
                        batch_id=batch.id,
                    )
                )
                t += timedelta(hours=3)
                continue
            customer = rng.choice(customers)
            if roll < 0.2:  # delivered without a fill: carries no gas from any batch
                all_events.append(
                    event(
                        session,
                        c,
                        EventKind.DELIVER,
                        t,
                        org_id=ent,
                        result=EventResult.ANOMALY,
                        customer_id=customer.id,
                    )
                )
            else:
                late = rng.random() < 0.3  # the fill reached the server days later
                fill = chain.fill(
                    session, c, t, batch.id, received_at=t + timedelta(days=3) if late else t
                )
                if rng.random() < 0.15:  # a delivery refused, then the gas goes elsewhere
                    all_events.append(
                        event(
                            session,
                            c,
                            EventKind.DELIVER,
                            t + timedelta(minutes=30),
                            org_id=ent,
                            result=EventResult.REFUSED,
                            reason=RefusalReason.CUSTOMER_UNREGISTERED,
                            fill_event_id=fill.id,
                            batch_id=batch.id,
                        )
                    )
                if rng.random() < 0.85:
                    chain.carry(session, c, fill, t + timedelta(hours=1), customer.id)
            t += timedelta(days=rng.randint(2, 9))
            chain.collect(session, c, t)
            t += timedelta(hours=rng.randint(2, 30))
    all_events += chain.events
    expected = brute_force(all_events)
    assert sum(len(v) for v in expected.values()) > 20  # the history is not trivial
    reg = who(session, world, "reg_staff")
    for b in batches:
        got = recalls.recall(session=session, principal=reg, batch_id=b.id)
        pairs = {(d.event_id, d.customer.id) for d in got.deliveries if d.customer}
        assert pairs == expected.get(b.id, set()), b.code
        assert got.totals.customers == len({c for _, c in pairs})
        # SYSTEM and the enterprise see the same answer
        own = recalls.recall(
            session=session, principal=who(session, world, "ent_b_admin"), batch_id=b.id
        )
        assert [d.event_id for d in own.deliveries] == [d.event_id for d in got.deliveries]
        assert len(
            recalls.recall(session=session, principal=SYSTEM, batch_id=b.id).deliveries
        ) == len(pairs)
