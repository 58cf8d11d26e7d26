"""Broken sensors are flagged, and a broken sensor does not raise a leak."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gaswarden.network.detect import detect_leak
from gaswarden.network.sensor_faults import check_sensors

HOURS = pd.date_range("2026-01-01", periods=48, freq="h", tz="UTC")
SIGMA = 10.0


def healthy(n_sensors: int = 5, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Measured pressures (Pa gauge) and residuals of healthy sensors."""
    rng = np.random.default_rng(seed)
    resid = pd.DataFrame(
        rng.normal(0.0, SIGMA, (len(HOURS), n_sensors)), index=HOURS,
        columns=[f"P{k}" for k in range(n_sensors)],
    )  # fmt: skip
    base = 98_000.0 + 300.0 * np.sin(np.arange(len(HOURS)) / 24 * 2 * np.pi)
    measured = resid.add(base, axis=0)
    return measured, resid


def reasons(measured: pd.DataFrame, resid: pd.DataFrame) -> dict[str, str]:
    return {f.sensor: f.reason for f in check_sensors(measured, resid)}


def test_healthy_sensors_pass() -> None:
    assert reasons(*healthy()) == {}


def test_stuck_sensor_is_flagged_and_raises_no_leak() -> None:
    measured, resid = healthy()
    measured.iloc[20:, 2] = 97_850.0  # frozen at a low reading
    resid.iloc[20:, 2] = 97_850.0 - (measured.iloc[20:, 0] - resid.iloc[20:, 0])
    assert reasons(measured, resid) == {"P2": "stuck"}
    exclude = [f.sensor for f in check_sensors(measured, resid)]
    assert detect_leak(resid, SIGMA, min_sensors=1) != []  # the raw chart would alarm
    assert detect_leak(resid, SIGMA, exclude=exclude, min_sensors=1) == []


def test_out_of_range_and_missing_values_are_flagged() -> None:
    measured, resid = healthy()
    measured.iloc[30, 1] = -5_000.0
    measured.iloc[5:25, 3] = np.nan
    assert reasons(measured, resid) == {"P1": "out_of_range", "P3": "out_of_range"}


def test_drifting_sensor_is_flagged_and_raises_no_leak() -> None:
    measured, resid = healthy()
    ramp = -np.linspace(0.0, 150.0, len(HOURS))
    measured["P4"] += ramp
    resid["P4"] += ramp
    assert reasons(measured, resid) == {"P4": "drifting"}
    exclude = [f.sensor for f in check_sensors(measured, resid)]
    assert detect_leak(resid, SIGMA, min_sensors=1) != []
    assert detect_leak(resid, SIGMA, exclude=exclude, min_sensors=1) == []


def test_a_leak_step_is_not_mistaken_for_drift() -> None:
    measured, resid = healthy()
    for col, drop in (("P0", 120.0), ("P1", 60.0), ("P2", 25.0)):
        measured.iloc[24:, measured.columns.get_loc(col)] -= drop
        resid.iloc[24:, resid.columns.get_loc(col)] -= drop
    assert reasons(measured, resid) == {}
    assert {d.sensor for d in detect_leak(resid, SIGMA)} >= {"P0", "P1"}
