"""Fitting a feed's forecast: both models on the whole history, the band from a short
rolling-origin backtest of the latest weeks."""

from __future__ import annotations

import pandas as pd

from gaswarden.network.forecast.calendar import LOCAL_TZ
from gaswarden.network.forecast.evaluate import backtest, bands
from gaswarden.network.forecast.frames import hourly
from gaswarden.network.forecast.model import DAY_AHEAD, WEEK_AHEAD, Forecaster, fit_models

BAND_FOLDS = 4
BAND_TEST_DAYS = 14


def fit(
    history: pd.DataFrame,
    *,
    tz: str = LOCAL_TZ,
    band_folds: int = BAND_FOLDS,
    band_test_days: int = BAND_TEST_DAYS,
    seed: int = 0,
) -> Forecaster:
    """A forecaster for one feed from its history [hour (tz-aware), volume_m3, temperature_c].

    The 10-90 % band comes from the residuals of `band_folds` rolling-origin blocks of
    `band_test_days` days (set band_folds=0 to skip it and use the default band)."""
    frame = hourly(history)
    forecaster = fit_models(frame, tz=tz)
    if band_folds > 0:
        result = backtest(
            frame,
            folds=band_folds,
            test_days=band_test_days,
            kinds=(DAY_AHEAD, WEEK_AHEAD),
            seed=seed,
            tz=tz,
        )
        forecaster.bands = bands(result, tz=tz)
    return forecaster
