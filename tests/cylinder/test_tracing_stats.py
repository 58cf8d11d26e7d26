"""Cylinder statistics on the hand-made history: fills per local day, deliveries per supply
station, overdue cylinders with users and in stock, real-name coverage; scoped."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from gaswarden.domains.cylinder import stats
from gaswarden.domains.cylinder.enums import CylinderStatus, EventKind, EventResult, RefusalReason
from tests.cylinder.history import event
from tests.cylinder.lpg import TODAY, at
from tests.cylinder.test_tracing import build_history, cyl
from tests.factories import World
from tests.hazard.helpers import who

TZ = "Asia/Shanghai"


def test_statistics(session: Session, world: World) -> None:
    hist = build_history(session, world)
    w = world.ids
    event(  # a delivery attempt to somebody not registered
        session,
        cyl(session, hist.lpg, "ok"),
        EventKind.DELIVER,
        at(-2),
        org_id=w["ent_b"],
        result=EventResult.REFUSED,
        reason=RefusalReason.CUSTOMER_UNREGISTERED,
    )
    cyl(session, hist.lpg, "overdue").status = CylinderStatus.WITH_USER
    session.flush()
    s = stats.compute(
        session=session, principal=who(session, world, "ent_b_admin"), today=TODAY, tz=TZ
    )
    assert s.since == TODAY - timedelta(days=29) and len(s.filled_per_day) == 30
    per_day = {d.day: d.count for d in s.filled_per_day if d.count}
    # local (Asia/Shanghai) days: the fill at 20:00 UTC on the 26th counts on the 27th
    assert per_day == {
        date(2026, 11, 26): 1,
        date(2026, 11, 27): 1,
        date(2026, 11, 28): 1,
        date(2026, 11, 29): 1,
    }
    assert s.filled_total == 4  # the refused fill is not counted
    # deliveries scanned without a station count for the supply station the gas arrived at
    assert [(x.name, x.deliveries) for x in s.deliveries_per_station] == [("鲁通古楼供应站", 3)]
    assert s.overdue.inspection_with_users == 1 and s.overdue.inspection_in_stock == 0
    assert s.overdue.life_in_stock == 1 and s.overdue.life_with_users == 0
    c = s.coverage
    assert (c.delivery_attempts, c.to_registered, c.delivered) == (5, 4, 3)
    assert c.delivery_share == 0.8
    assert (c.customers, c.verified) == (4, 1) and c.verified_share == 0.25

    other = stats.compute(
        session=session, principal=who(session, world, "ent_a_admin"), today=TODAY, tz=TZ
    )
    assert other.filled_total == 0 and other.coverage.delivery_attempts == 0
    assert other.coverage.customers == 0 and other.coverage.delivery_share is None
