"""Late scans that complete the chain: the delivery stored before its fill, load and arrival
came in was raised as an anomaly; once they are in, it no longer is (closed with a note, kept)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.cylinder import recalls
from gaswarden.domains.cylinder.enums import AnomalyKind, CylinderStatus, EventResult
from gaswarden.domains.cylinder.models import CylinderAnomaly
from tests.cylinder.lpg import build_lpg
from tests.cylinder.scans import cylinder, deliver, scan, send, stored, to_station
from tests.factories import World


def anomalies(session: Session, key: str) -> list[CylinderAnomaly]:
    session.expire_all()
    event = stored(session, key)
    return list(
        session.scalars(select(CylinderAnomaly).where(CylinderAnomaly.event_id == event.id))
    )


def test_a_delivery_before_its_late_fill_is_an_anomaly_until_the_fill_comes(
    session: Session, world: World
) -> None:
    lpg = build_lpg(session, world)
    tag = lpg.codes["ok"]
    [early] = send(session, world, deliver("d", tag, 3, world))
    assert early.result is EventResult.ANOMALY
    assert early.anomalies == [AnomalyKind.DELIVERED_UNFILLED]
    [raised] = anomalies(session, "d")
    assert not raised.reviewed

    out = send(session, world, *to_station(tag, 0, lpg, "late"))
    assert [o.result for o in out] == [EventResult.ACCEPTED] * 3

    [closed] = anomalies(session, "d")
    assert closed.id == raised.id and closed.reviewed and closed.reviewed_by_name == "system"
    assert closed.review_note is not None and "补传" in closed.review_note
    row = stored(session, "d")
    assert row.result is EventResult.ACCEPTED and not row.anomalies
    # the delivery carries the late fill's gas: the batch's recall finds the customer
    assert row.fill_event_id == stored(session, "late-fill").id
    recall = recalls.recall(session=session, principal=SYSTEM, batch_id=lpg.ids["batch"])
    assert recall.totals.deliveries == 1
    assert cylinder(session, lpg.ids["cyl_ok"]).status is CylinderStatus.WITH_USER


def test_a_late_scan_that_does_not_complete_the_chain_leaves_the_anomaly_open(
    session: Session, world: World
) -> None:
    lpg = build_lpg(session, world)
    tag = lpg.codes["ok"]
    send(session, world, deliver("d", tag, 3, world))
    # a late return to the filling station: still no gas before the delivery
    [late] = send(session, world, scan("late-return", "return", tag, 1, site_code="S-B-FILL"))
    assert late.result is not EventResult.REFUSED
    [still] = anomalies(session, "d")
    assert still.kind is AnomalyKind.DELIVERED_UNFILLED and not still.reviewed
    assert stored(session, "d").result is EventResult.ANOMALY
