"""The supply plan: nominations and the capacity / pressure warnings."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from gaswarden.network.forecast import fit
from gaswarden.network.plan import (
    CAPACITY,
    EXCEEDS,
    MAY_EXCEED,
    PRESSURE,
    Nomination,
    check,
    supply_plan,
)
from gaswarden.sim.demand_history import demand_history


def _nom(peak: float, high: float) -> Nomination:
    return Nomination(
        day=date(2026, 1, 5),
        volume_m3=peak * 16,
        low_m3=peak * 15,
        high_m3=peak * 17,
        peak_hour=datetime(2026, 1, 5, 0, tzinfo=UTC),
        peak_m3h=peak,
        peak_high_m3h=high,
        hours=24,
        kind="day",
    )


def _hydraulics(inflow: float) -> tuple[float, int]:
    """A stand-in network: the worst node (junction 17) loses 1 mbar per 10 m³/h."""
    return 0.030 - inflow * 1e-4, 17


def test_capacity_warning_fires_only_above_capacity() -> None:
    noms = [_nom(900.0, 1000.0)]
    assert check(noms, capacity_m3h=1200.0, min_pressure_bar=None, peak_check=None) == []
    top = check(noms, capacity_m3h=950.0, min_pressure_bar=None, peak_check=None)
    assert [(w.kind, w.level) for w in top] == [(CAPACITY, MAY_EXCEED)]
    over = check(noms, capacity_m3h=800.0, min_pressure_bar=None, peak_check=None)
    assert [(w.kind, w.level) for w in over] == [(CAPACITY, EXCEEDS)]
    assert over[0].value == 900.0 and "800" in over[0].message_zh


def test_pressure_warning_uses_the_peak_check() -> None:
    noms = [_nom(200.0, 250.0)]  # worst node 0.010 bar at the peak, 0.005 bar at the band top
    calm = check(noms, capacity_m3h=None, min_pressure_bar=0.004, peak_check=_hydraulics)
    assert calm == []
    top = check(noms, capacity_m3h=None, min_pressure_bar=0.008, peak_check=_hydraulics)
    assert [(w.kind, w.level, w.junction) for w in top] == [(PRESSURE, MAY_EXCEED, 17)]
    low = check(noms, capacity_m3h=None, min_pressure_bar=0.012, peak_check=_hydraulics)
    assert [(w.kind, w.level) for w in low] == [(PRESSURE, EXCEEDS)]
    assert low[0].value == pytest.approx(0.010)


@pytest.fixture(scope="module")
def forecaster():  # type: ignore[no-untyped-def]
    history = demand_history(
        annual_m3=2e6, end=datetime(2026, 1, 10, 9, tzinfo=UTC), seed=1, days=60
    )
    return fit(history, band_folds=0)


def test_supply_plan_from_a_forecaster(forecaster) -> None:  # type: ignore[no-untyped-def]
    start = forecaster.last_hour + pd.Timedelta(hours=1)
    hours = pd.date_range(start, periods=24 * 9, freq="h")
    temperature = pd.Series(-3.0, index=hours)
    relaxed = supply_plan(forecaster, temperature, feed=0, name="门站", capacity_m3h=1e6)
    assert relaxed.warnings == []
    assert len(relaxed.week) == 7 and relaxed.day_ahead == relaxed.week[0]
    assert relaxed.day_ahead is not None and relaxed.day_ahead.hours == 24
    assert relaxed.day_ahead.day == date(2026, 1, 11)  # history ends 17:00 local on the 10th
    for nom in relaxed.week:
        assert nom.low_m3 <= nom.volume_m3 <= nom.high_m3 and nom.peak_m3h > nom.volume_m3 / 24
    tight_capacity = 0.9 * max(n.peak_m3h for n in relaxed.week)
    tight = supply_plan(
        forecaster,
        temperature,
        capacity_m3h=tight_capacity,
        min_pressure_bar=0.030 - 0.5 * tight_capacity * 1e-4,
        peak_check=_hydraulics,
    )
    kinds = {w.kind for w in tight.warnings}
    assert kinds == {CAPACITY, PRESSURE}
    data = json.loads(tight.to_json())
    assert data["week"][0]["day"] == "2026-01-11" and data["warnings"]
    assert data["week_volume_m3"] == pytest.approx(sum(n["volume_m3"] for n in data["week"]))
