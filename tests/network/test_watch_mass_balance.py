"""The live watch holds the metered inflow against the demand forecast: an hour of inflow far
above the forecast band, with pressures that show no leak signature (the demand looks evenly
higher, as with a leak next to the feed), is recorded as a mass-balance leak; the same hour
at its usual level is not, and neither is the surge when the mass balance is off (the demo)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.network import demand, watch
from gaswarden.domains.network.enums import DetectionMethod
from gaswarden.domains.network.models import DemandHour
from gaswarden.sim.demo_pipes import load_demand_history
from tests.factories import World
from tests.network.watched import Watched, store_readings, store_watched

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
HOUR = NOW - timedelta(hours=1)  # the hour the readings fall in


def watched_hour(session: Session, world: World, surge: float) -> Watched:
    """The small watched network with five weeks of metered history, and an hour of readings
    (every 5 minutes) with the demand `surge` times the hour's recorded demand."""
    w = store_watched(session, code="NET-MB", area_id=world.ids["g11"])
    load_demand_history(session, w.network, 300_000.0, end=NOW)
    session.execute(
        DemandHour.__table__.delete().where(  # type: ignore[attr-defined]
            DemandHour.network_id == w.network.id, DemandHour.hour < NOW - timedelta(days=35)
        )
    )
    twin = w.twin(session)
    twin.demand_m3h[HOUR] = twin.hour_demand_m3h(HOUR) * surge
    store_readings(session, w, twin, end=NOW, minutes=60, step_s=300)
    return w


@pytest.mark.parametrize("surge", [1.8, 1.0])
def test_inflow_far_above_the_forecast_is_a_mass_balance_leak(
    session: Session, world: World, surge: float
) -> None:
    w = watched_hour(session, world, surge)
    result = watch.check(session, w.network, now=NOW)
    assert result.snapshots == 12 and result.glr is not None
    assert result.glr < watch.GLR_MIN  # the pressures alone see nothing
    if surge == 1.0:
        assert not result.detected and result.mass_balance is None, result.to_json()
        return
    assert result.detected, result.to_json()
    mb = result.mass_balance
    assert mb is not None and mb["excess_m3h"] > 3 * mb["sigma_m3h"] > 0
    assert result.leak is not None and result.leak.method is DetectionMethod.MASS_BALANCE
    assert result.leak.candidates and result.leak.alarm_id is not None
    shown = result.to_json()["mass_balance"]
    assert shown == mb


def test_no_mass_balance_where_the_hours_are_not_real(session: Session, world: World) -> None:
    w = watched_hour(session, world, 1.8)
    result = watch.check(session, w.network, now=NOW, mass_balance=False)
    assert not result.detected and result.mass_balance is None


def test_the_round_fits_the_day_s_forecast_before_anyone_asks(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The watch's round fits each feed's forecaster once a day; the forecast the page and the
    API show then needs no fit of its own. Not in the demo (no rollup): a fit takes the demo
    process's cores from its embedded broker."""
    w = watched_hour(session, world, 1.0)
    monkeypatch.setattr(demand, "_fitted", OrderedDict())
    monkeypatch.setattr(demand, "_warmed", {})
    assert watch.scan(session, NOW, "Asia/Shanghai", rollup=False)["forecasts"] == 0
    assert watch.scan(session, NOW, "Asia/Shanghai")["forecasts"] == 1
    assert watch.scan(session, NOW, "Asia/Shanghai")["forecasts"] == 0

    def no_fit(*args: object, **kwargs: object) -> None:
        raise AssertionError("the forecast page fitted a model the round had fitted")

    monkeypatch.setattr(demand, "fit", no_fit)
    shown = demand.forecast(session=session, principal=SYSTEM, id=w.network.id, days=2)
    assert len(shown["hourly"]) == 48 and shown["daily"]
