"""Mass balance, EWMA and CUSUM detections on known series."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gaswarden.network.detect import cusum, detect_leak, ewma, mass_balance

HOURS = pd.date_range("2026-01-01", periods=120, freq="h", tz="UTC")


def noise(seed: int, sigma: float = 10.0, n: int = len(HOURS)) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, sigma, n)


def test_mass_balance_needs_a_sustained_excess() -> None:
    forecast = pd.Series(100.0, index=HOURS)
    inflow = forecast + noise(0, 1.0)
    assert mass_balance(inflow, forecast, 1.0) == []
    blip = inflow.copy()
    blip.iloc[30:32] += 8.0  # two hours only
    assert mass_balance(blip, forecast, 1.0) == []
    leak = inflow.copy()
    leak.iloc[60:] += 6.0
    found = mass_balance(leak, forecast, 1.0)
    assert len(found) == 1 and found[0].method == "mass_balance"
    assert found[0].start == HOURS[60] and found[0].end == HOURS[-1]
    assert 5.0 < found[0].size < 7.0


def test_cusum_finds_a_small_pressure_drop_and_when_it_began() -> None:
    r = pd.Series(noise(1), index=HOURS)
    assert cusum(r, 10.0) == []
    r.iloc[70:] -= 15.0  # 1.5 sigma lower
    found = cusum(r, 10.0, sensor="P1")
    assert found and found[0].method == "residual_cusum" and found[0].sensor == "P1"
    assert HOURS[62] <= found[0].start <= HOURS[75]
    assert found[0].size < -5.0


def test_ewma_flags_the_lower_side_only() -> None:
    r = pd.Series(noise(2), index=HOURS)
    up = r.copy()
    up.iloc[50:] += 40.0
    assert ewma(up, 10.0) == []
    down = r.copy()
    down.iloc[50:] -= 40.0
    found = ewma(down, 10.0)
    assert found and found[0].method == "residual_ewma" and found[0].start >= HOURS[50]


def test_one_sensor_alone_does_not_raise_a_leak() -> None:
    frame = pd.DataFrame({f"P{k}": noise(10 + k) for k in range(4)}, index=HOURS)
    frame.iloc[60:, 0] -= 50.0
    assert detect_leak(frame, 10.0) == []
    frame.iloc[60:, 1] -= 30.0
    found = detect_leak(frame, 10.0)
    assert {d.sensor for d in found} == {"P0", "P1"}
