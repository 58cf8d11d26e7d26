"""A batch recall (recalls.recall) on a generated history with late scans, checked against a
brute-force answer: replay each cylinder's accepted scans in device-time order and note which
fill's batch each delivery carried."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.cylinder import recalls
from gaswarden.domains.cylinder.enums import EventKind, EventResult
from gaswarden.domains.cylinder.event_schemas import CylinderEventIn, EventOutcome
from gaswarden.sim.cylinder_history import CylinderHistory, Plan
from tests.cylinder.generated import END, START, build_enterprise, submit_all
from tests.factories import World

Delivery = tuple[str, str, datetime]  # tag code, customer code, device time


def brute_force(sent: list[tuple[CylinderEventIn, EventOutcome]]) -> dict[str, set[Delivery]]:
    """batch code -> the deliveries that carried its gas."""
    by_cylinder: dict[str, list[CylinderEventIn]] = defaultdict(list)
    for scan, out in sent:
        if out.result is not EventResult.REFUSED and not out.duplicate:
            by_cylinder[scan.tag_code].append(scan)
    answer: dict[str, set[Delivery]] = defaultdict(set)
    for scans in by_cylinder.values():
        gas: str | None = None
        for scan in sorted(scans, key=lambda s: s.occurred_at):
            if scan.kind is EventKind.FILL:
                gas = scan.batch_code
            elif scan.kind is EventKind.DELIVER:
                if gas is not None:
                    assert scan.customer_code is not None
                    answer[gas].add((scan.tag_code, scan.customer_code, scan.occurred_at))
                gas = None  # delivered: the next delivery needs a fill first
            elif scan.kind not in (EventKind.LOAD, EventKind.ARRIVE):
                gas = None
    return answer


def test_recall_matches_a_replay_of_every_cylinder(session: Session, world: World) -> None:
    gen = build_enterprise(session, world, cylinders=50, customers=16, seed=5)
    history = CylinderHistory(gen.enterprise, Plan(START, END, seed=21, late_share=0.2))
    sent = submit_all(session, gen.org_id, history)
    times = [s.occurred_at for s, _ in sent]
    assert times != sorted(times)  # late scans among them, fills among the late ones
    assert any(
        s.kind is EventKind.FILL and s.occurred_at < max(times[:i], default=s.occurred_at)
        for i, (s, _) in enumerate(sent)
    )
    expected = brute_force(sent)
    assert len(expected) >= 2 and sum(map(len, expected.values())) > 20
    for code, batch_id in gen.batch_ids.items():
        recall = recalls.recall(session=session, principal=SYSTEM, batch_id=batch_id)
        got = {
            (d.cylinder.tag_code, d.customer.code if d.customer else "?", d.delivered_at)
            for d in recall.deliveries
        }
        assert got == expected.get(code, set()), code
        assert recall.totals.deliveries == len(got)
        assert recall.totals.customers == len({c for _, c, _ in got})
