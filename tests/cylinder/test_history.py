"""The generated cylinder history (sim/cylinder_history.py): deterministic from its seed, a
plausible chain (every kind of step, in device-time order but for late devices), and loaded
through `events.submit` with nothing refused or flagged but the scans it injected."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.domains.cylinder.enums import (
    AnomalyKind,
    CylinderStatus,
    EventKind,
    EventResult,
    RefusalReason,
)
from gaswarden.domains.cylinder.models import Cylinder, CylinderEvent
from gaswarden.sim.cylinder_history import (
    INJECTED_UNFILLED,
    INJECTED_UNKNOWN,
    INJECTED_VEHICLE,
    CylinderHistory,
    Enterprise,
    Plan,
    StationIn,
    fleet_customers,
    fleet_cylinders,
)
from gaswarden.sim.cylinder_history import BatchIn as Batch
from tests.cylinder.generated import END, START, build_enterprise, submit_all
from tests.factories import World


def _offline_enterprise(seed: int = 1) -> Enterprise:
    import random

    rng = random.Random(seed)
    return Enterprise(
        cylinders=fleet_cylinders(rng, 300, today=date(2025, 1, 1), prefix="T"),
        customers=fleet_customers(rng, 80, box=(115.9, 36.4, 116.0, 36.5), prefix="U"),
        filling=[StationIn("F1", 115.95, 36.45), StationIn("F2", 115.91, 36.41)],
        supply=[StationIn(f"S{i}", 115.9 + i / 100, 36.42) for i in range(4)],
        vehicles=["鲁PA0001", "鲁PA0002"],
        operators=[1, 2],
        delivery_workers=[3, 4, 5],
        batches=[Batch(f"B{m}", date(2025, m, 1)) for m in range(1, 13)],
    )


def _dump(history: CylinderHistory) -> list[dict[str, object]]:
    return [e.model_dump() for e in history]


def test_same_seed_same_history_other_seed_other_history() -> None:
    plan = Plan(date(2025, 1, 1), date(2025, 4, 1), seed=7, anomalies=2, late_share=0.05)
    first = _dump(CylinderHistory(_offline_enterprise(), plan))
    again = _dump(CylinderHistory(_offline_enterprise(), plan))
    other = _dump(CylinderHistory(_offline_enterprise(), Plan(plan.start, plan.end, seed=8)))
    assert first == again
    assert first != other
    assert len({e["key"] for e in first}) == len(first) > 1000


def test_a_plausible_chain_in_time_order_but_for_late_devices() -> None:
    ent = _offline_enterprise()
    on_time = list(CylinderHistory(ent, Plan(date(2025, 1, 1), date(2025, 4, 1), seed=7)))
    kinds = Counter(e.kind for e in on_time)
    for kind in (EventKind.FILL, EventKind.LOAD, EventKind.ARRIVE, EventKind.DELIVER,
                 EventKind.COLLECT, EventKind.RETURN):  # fmt: skip
        assert kinds[kind] > 50, kinds
    times = [e.occurred_at for e in on_time]
    assert times == sorted(times)
    # each delivery has its cylinder filled before, with the batch current that day
    last_fill: dict[str, str | None] = {}
    for e in on_time:
        if e.kind is EventKind.FILL:
            last_fill[e.tag_code] = e.batch_code
            assert e.gross_kg is not None and e.site_code in ("F1", "F2")
        elif e.kind is EventKind.DELIVER:
            assert last_fill.pop(e.tag_code, None) is not None
            assert e.customer_code and e.vehicle_plate
    # a household gets about one 15 kg cylinder a month, a restaurant several a week
    per_customer = Counter(e.customer_code for e in on_time if e.kind is EventKind.DELIVER)
    kinds_of = {c.code: c.kind.value for c in ent.customers}
    homes = [n for code, n in per_customer.items() if kinds_of[code] == "residential"]
    diners = [n for code, n in per_customer.items() if kinds_of[code] == "catering"]
    assert homes and max(homes) <= 12  # 5 kg ones every week or two, at most
    assert diners and min(diners) >= 20  # 90 days, one every 1-3 days
    late = list(
        CylinderHistory(ent, Plan(date(2025, 1, 1), date(2025, 4, 1), seed=7, late_share=0.1))
    )
    assert sorted(e.key for e in late) == sorted(e.key for e in on_time)
    stamps = [e.occurred_at for e in late]
    assert stamps != sorted(stamps)  # some came in after later scans


def test_loaded_through_submit_only_the_injected_are_refused_or_flagged(
    session: Session, world: World
) -> None:
    gen = build_enterprise(session, world)
    history = CylinderHistory(gen.enterprise, Plan(START, END, seed=11, anomalies=1))
    sent = submit_all(session, gen.org_id, history)
    assert len(sent) > 300
    injected = history.injected
    assert sorted(Counter(injected.values()).items()) == [
        (INJECTED_UNFILLED, 1), (INJECTED_UNKNOWN, 1), (INJECTED_VEHICLE, 1),
    ]  # fmt: skip
    expected = {
        INJECTED_UNFILLED: AnomalyKind.DELIVERED_UNFILLED,
        INJECTED_VEHICLE: AnomalyKind.UNREGISTERED_VEHICLE,
    }
    for scan, out in sent:
        what = injected.get(scan.key)
        if what is None:
            assert out.result is EventResult.ACCEPTED, (scan, out)
        elif what == INJECTED_UNKNOWN:
            assert out.result is EventResult.REFUSED, (scan, out)
            assert out.reason is RefusalReason.UNKNOWN_CODE
        else:
            assert out.result is EventResult.ANOMALY, (scan, out)
            assert expected[what] in out.anomalies, (scan, out)
    stored = session.scalar(
        select(func.count()).where(
            CylinderEvent.org_id == gen.org_id, CylinderEvent.key.like("H11-%")
        )
    )
    assert stored == len(sent)
    # the state after: cylinders with users, at stations, in stock
    statuses = Counter(
        session.scalars(select(Cylinder.status).where(Cylinder.tag_code.like("GEN%")))
    )
    assert statuses[CylinderStatus.WITH_USER] >= 10, statuses


@pytest.mark.parametrize("late_share", [0.15])
def test_late_scans_are_taken_into_the_chain(
    session: Session, world: World, late_share: float
) -> None:
    """An app offline for a day sends its scans later: they are stored and placed in time
    order; the cylinders end as they end when every scan comes on time."""
    gen = build_enterprise(session, world)
    plan = Plan(START, END, seed=12, late_share=late_share)
    history = CylinderHistory(gen.enterprise, plan)
    sent = submit_all(session, gen.org_id, history)
    times = [s.occurred_at for s, _ in sent]
    assert times != sorted(times)
    assert all(o.result is not EventResult.REFUSED for _, o in sent)
    final = dict(
        session.execute(
            select(Cylinder.tag_code, Cylinder.status).where(Cylinder.tag_code.like("GEN%"))
        ).all()
    )
    replay: dict[str, CylinderStatus] = {}
    after = {
        EventKind.FILL: CylinderStatus.FILLED, EventKind.LOAD: CylinderStatus.IN_TRANSIT,
        EventKind.ARRIVE: CylinderStatus.AT_STATION, EventKind.DELIVER: CylinderStatus.WITH_USER,
        EventKind.COLLECT: CylinderStatus.EMPTY_RETURNED, EventKind.RETURN: CylinderStatus.IN_STOCK,
        EventKind.SEND_INSPECTION: CylinderStatus.AT_INSPECTION,
        EventKind.SCRAP: CylinderStatus.SCRAPPED,
    }  # fmt: skip
    for scan in sorted((s for s, _ in sent), key=lambda s: s.occurred_at):
        if scan.kind is EventKind.INSPECT:
            replay[scan.tag_code] = (
                CylinderStatus.IN_STOCK if scan.passed else CylinderStatus.SCRAPPED
            )
        else:
            replay[scan.tag_code] = after[scan.kind]
    assert {k: v for k, v in final.items() if k in replay} == replay
