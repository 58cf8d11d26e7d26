"""The forecast model and its rolling-origin evaluation on a synthetic temperature-driven
series (the demo generator, shortened)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from gaswarden.network.forecast import DAY_AHEAD, WEEK_AHEAD, backtest, fit, rolling_origin, scores
from gaswarden.network.forecast.frames import hourly
from gaswarden.sim.demand_history import demand_history

END = datetime(2026, 2, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    # autumn into winter: the weather moves demand a lot from week to week
    return hourly(demand_history(annual_m3=1e6, end=END, seed=3, days=90))


def test_splits_train_only_on_the_past(frame: pd.DataFrame) -> None:
    splits = rolling_origin(frame, folds=3, test_days=7)
    assert len(splits) == 3
    for before, after in itertools.pairwise(splits):
        assert before.test_hours[-1] < after.train_until  # blocks in order, no overlap
    for split in splits:
        assert split.test_hours[0] == split.train_until
        assert len(split.test_hours) == 7 * 24
    assert (
        splits[-1].test_hours[-1] == frame.index[-1] or splits[-1].test_hours[-1] < frame.index[-1]
    )


def test_backtest_never_sees_the_future(frame: pd.DataFrame) -> None:
    first = backtest(frame, folds=2, test_days=7)
    poisoned = frame.copy()
    last_block = first[first["fold"] == 1].index
    poisoned.loc[last_block, "volume_m3"] *= 10  # what happens later must not change fold 0
    second = backtest(poisoned, folds=2, test_days=7)
    fold0 = first["fold"] == 0
    assert np.allclose(first.loc[fold0, "model"], second.loc[fold0, "model"])
    assert not np.allclose(first.loc[~fold0, "actual"], second.loc[~fold0, "actual"])


def test_model_beats_seasonal_naive_on_a_temperature_driven_series(frame: pd.DataFrame) -> None:
    result = backtest(frame, folds=2, test_days=7, kinds=(DAY_AHEAD, WEEK_AHEAD))
    got = scores(result)
    assert got["daily_mape"] < 0.8 * got["daily_mape_naive"]
    assert got["hourly_mape"] < 0.8 * got["hourly_mape_naive"]
    assert got["week_daily_mape"] < got["week_daily_mape_naive"]
    assert 0 < got["hourly_mape"] < 15


def test_forecaster_predicts_hours_and_days_with_a_band(frame: pd.DataFrame) -> None:
    history = frame.reset_index(names="hour")
    forecaster = fit(history, band_folds=1, band_test_days=7)
    assert ("day", DAY_AHEAD) in forecaster.bands and ("hour", WEEK_AHEAD) in forecaster.bands
    start = frame.index[-1] + pd.Timedelta(hours=1)
    hours = pd.date_range(start, periods=24 * 3, freq="h")
    cold = forecaster.predict(hours, pd.Series(-8.0, index=hours))
    mild = forecaster.predict(hours, pd.Series(12.0, index=hours))
    assert len(cold) == 72 and cold["forecast"].gt(0).all()
    assert (cold["low"] <= cold["forecast"]).all() and (cold["forecast"] <= cold["high"]).all()
    assert cold["forecast"].sum() > 1.1 * mild["forecast"].sum()  # colder days burn more gas
    assert cold["kind"].iloc[0] == DAY_AHEAD and cold["kind"].iloc[-1] == WEEK_AHEAD
    days = forecaster.predict_daily(hours, pd.Series(-8.0, index=hours))
    assert days["forecast"].sum() == pytest.approx(cold["forecast"].sum())
    assert (days["peak_m3h"] <= days["peak_high_m3h"]).all()
    with pytest.raises(ValueError):
        forecaster.predict(pd.DatetimeIndex(frame.index[-3:]), [0.0, 0.0, 0.0])
