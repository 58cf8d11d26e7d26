"""A late scan changes what the scan after it looks like.

A phone that was offline sends its fill, load and arrival a day after the delivery that
followed them was stored: the delivery was raised as "delivered without a fill" or "out of
order" when it came in, and it is not any more. A late scan can also break the chain after it
(a fill sent late between a fill and its delivery), but that break is flagged on the late scan
itself, checked against the scan before it. So when a late scan is placed, the applied scan
right after it is checked again against it, and its chain anomalies that no longer hold are
closed with a note (kept, never deleted); its result says what holds now.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.cylinder import chain
from gaswarden.domains.cylinder.enums import AnomalyKind, EventResult
from gaswarden.domains.cylinder.lookups import Step
from gaswarden.domains.cylinder.models import CylinderAnomaly, CylinderEvent

# The anomalies that depend only on the scan before (the others stay as they were found).
CHAIN_KINDS = frozenset(
    {AnomalyKind.DELIVERED_UNFILLED, AnomalyKind.DOUBLE_FILL, AnomalyKind.OUT_OF_ORDER}
)
CLOSED_BY = "system"


def after_late(timeline: Sequence[Step], late: Step) -> tuple[int, list[AnomalyKind]] | None:
    """The applied scan right after a late one just placed on `timeline` (sorted by order),
    and the chain anomalies it shows now; None when the late scan is the newest."""
    i = bisect.bisect_right(timeline, late.order, key=lambda s: s.order)
    if i >= len(timeline):
        return None
    following = timeline[i]
    return following.id, chain.chain_anomalies(following.kind, late.left())


def reconcile(session: Session, checked: Mapping[int, tuple[int, list[AnomalyKind]]]) -> None:
    """`checked`: scan id -> (the late scan now just before it, the chain anomalies it shows
    against that one). Close the scan's open chain anomalies that no longer hold (with a note)
    and set its result to what holds now. A break the late scan makes is the late scan's own:
    it was checked against the scan before it and flagged there, not here again."""
    if not checked:
        return
    ids = sorted(checked)
    found = session.scalars(
        select(CylinderAnomaly).where(
            CylinderAnomaly.event_id.in_(ids),
            CylinderAnomaly.kind.in_(CHAIN_KINDS),
            CylinderAnomaly.reviewed.is_(False),
        )
    ).all()
    if not found:
        return
    gone: dict[int, set[str]] = {}
    for anomaly in found:
        assert anomaly.event_id is not None
        late_id, kinds = checked[anomaly.event_id]
        if anomaly.kind in kinds:
            continue
        anomaly.reviewed = True
        anomaly.reviewed_by_name = CLOSED_BY
        anomaly.review_note = (
            f"补传的扫描 #{late_id} 补全了流转链条,不再异常 "
            f"The late scan #{late_id} completed the chain"
        )
        gone.setdefault(anomaly.event_id, set()).add(anomaly.kind.value)
    for event in session.scalars(select(CylinderEvent).where(CylinderEvent.id.in_(sorted(gone)))):
        left = [k for k in event.anomalies or () if k not in gone[event.id]]
        event.anomalies = left or None
        event.result = EventResult.ANOMALY if left else EventResult.ACCEPTED
    session.flush()
