"""The forecast figures of `gaswarden bench network`, on a short history."""

from __future__ import annotations

import math

from gaswarden.bench.network_forecast import forecast_figures

KEYS = {
    "daily_mape",
    "hourly_mape",
    "daily_mape_naive",
    "hourly_mape_naive",
    "daily_mape_sigmoid",
    "hourly_mape_sigmoid",
}


def test_forecast_figures_are_finite_percentages() -> None:
    lines: list[str] = []
    figures = forecast_figures(seed=1, echo=lines.append, folds=2, test_days=7, days=90)
    assert set(figures) == KEYS
    for key, value in figures.items():
        assert math.isfinite(value) and 0 < value < 60, key
    assert any("daily MAPE model" in line for line in lines)
    assert any("hourly MAPE naive" in line for line in lines)
