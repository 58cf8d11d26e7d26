"""A feed's forecast and supply plan from its stored history, and the meters' hours rolled into
that history; both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.errors import Invalid
from gaswarden.domains.network import demand
from gaswarden.domains.network.models import DemandHour, NetworkFeed
from gaswarden.domains.telemetry.models import HourlyRollup
from gaswarden.sim.demo_pipes import load_demand_history
from tests.factories import World
from tests.network.watched import store_watched, who

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def _history(session: Session, network_id: int, days: int) -> None:
    """The demo's generator, cut to the last `days` days (the rest deleted)."""
    from gaswarden.domains.network.models import PipeNetwork

    network = session.get(PipeNetwork, network_id)
    assert network is not None
    load_demand_history(session, network, 300_000.0, end=NOW)
    session.execute(
        DemandHour.__table__.delete().where(  # type: ignore[attr-defined]
            DemandHour.network_id == network_id, DemandHour.hour < NOW - timedelta(days=days)
        )
    )


def test_forecast_and_plan_from_the_stored_history(session: Session, world: World) -> None:
    w = store_watched(session, area_id=world.ids["g11"])
    _history(session, w.network.id, 35)
    shown = demand.forecast(session=session, principal=w.principal, id=w.network.id, days=3)
    assert len(shown["hourly"]) == 72 and len(shown["actual"]) == 14 * 24
    first = shown["hourly"][0]
    assert first["low"] <= first["forecast"] <= first["high"] and first["forecast"] > 0
    assert shown["issued_after"] < first["hour"]
    # A feed sized below the peak: the plan warns on capacity; the 10-house net holds pressure.
    feed = session.scalars(select(NetworkFeed).where(NetworkFeed.network_id == w.network.id)).one()
    peak = max(h["forecast"] for h in shown["hourly"])
    feed.capacity_m3h = peak * 0.5
    w.network.min_pressure_bar = 0.5
    session.flush()
    plan = demand.plan(session=session, principal=w.principal, id=w.network.id)
    assert plan["day_ahead"] is not None and len(plan["week"]) == 7
    kinds = {x["kind"] for x in plan["warnings"]}
    assert "capacity" in {k.lower() for k in kinds}
    assert "pressure" not in {k.lower() for k in kinds}


def test_too_little_history_is_a_clear_error(session: Session, world: World) -> None:
    w = store_watched(session, area_id=world.ids["g11"])
    _history(session, w.network.id, 5)
    with pytest.raises(Invalid, match="21"):
        demand.forecast(session=session, principal=w.principal, id=w.network.id)


def test_metered_hours_roll_into_the_history(session: Session, world: World) -> None:
    w = store_watched(session, area_id=world.ids["g11"])
    hours = [NOW - timedelta(hours=k) for k in (3, 2, 1)]
    for k, hour in enumerate(hours):
        session.add(
            HourlyRollup(
                device_id=w.flow_id, metric="flow_m3h", hour=hour, min=1, max=9,
                sum=120.0 * (k + 1), count=12,
            )
        )  # fmt: skip
    session.add(  # the hour in progress is not rolled up yet
        HourlyRollup(device_id=w.flow_id, metric="flow_m3h", hour=NOW, min=1, max=1, sum=9, count=1)
    )
    session.flush()
    assert demand.rollup(session, w.network, NOW + timedelta(minutes=20)) == 3
    stored = session.scalars(
        select(DemandHour).where(DemandHour.network_id == w.network.id).order_by(DemandHour.hour)
    ).all()
    assert [round(d.volume_m3 or 0, 1) for d in stored] == [10.0, 20.0, 30.0]
    assert demand.rollup(session, w.network, NOW + timedelta(minutes=40)) == 0  # idempotent


def test_out_of_scope_reads_as_not_found(session: Session, world: World) -> None:
    from gaswarden.core.errors import NotFound

    w = store_watched(session, area_id=world.ids["g11"])
    other = who(session, "ent_b_admin")
    with pytest.raises(NotFound):
        demand.forecast(session=session, principal=other, id=w.network.id)
