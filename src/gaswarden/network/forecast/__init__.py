"""Demand forecast per feed: calendar and temperature features, the seasonal-naive and
standard-load-profile baselines, a gradient-boosting model, rolling-origin evaluation.

Pure pandas in and out:

    forecaster = fit(history)            # history: [hour (UTC), volume_m3, temperature_c]
    forecaster.predict(hours, temps)     # [hour, forecast, low, high, kind]
    forecaster.predict_daily(hours, temps)  # [day, forecast, low, high, peak_hour, ...]
"""

from __future__ import annotations

from gaswarden.network.forecast.evaluate import backtest, mape, rolling_origin, scores
from gaswarden.network.forecast.fitting import fit
from gaswarden.network.forecast.model import DAY_AHEAD, WEEK_AHEAD, Forecaster

__all__ = [
    "DAY_AHEAD",
    "WEEK_AHEAD",
    "Forecaster",
    "backtest",
    "fit",
    "mape",
    "rolling_origin",
    "scores",
]
