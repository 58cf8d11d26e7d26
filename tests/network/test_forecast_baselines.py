"""Baselines on series whose right answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gaswarden.network.forecast.baselines import (
    SigmoidBaseline,
    fit_sigmoid,
    seasonal_naive,
    sigmoid,
)
from gaswarden.network.forecast.calendar import day_features
from gaswarden.network.forecast.frames import daily, hourly


def _weekly(weeks: int) -> pd.Series:
    hours = pd.date_range("2025-03-03", periods=weeks * 168, freq="h", tz="UTC")
    pattern = 100 + 50 * np.sin(np.arange(168) / 168 * 2 * np.pi) + np.arange(168) % 24
    return pd.Series(np.tile(pattern, weeks), index=hours)


def test_seasonal_naive_is_exact_on_a_weekly_pattern() -> None:
    series = _weekly(5)
    history, future = series.iloc[: 4 * 168], series.iloc[4 * 168 :]
    got = seasonal_naive(history, pd.DatetimeIndex(future.index))
    assert np.allclose(got.to_numpy(), future.to_numpy())


def test_seasonal_naive_reaches_back_whole_seasons_to_known_values() -> None:
    series = _weekly(4).astype(float)
    series.iloc[-168:] = np.arange(168, dtype=float)  # the last week differs
    known_until = series.index[-200]  # issued before most of the last week was metered
    targets = pd.DatetimeIndex(series.index[-10:])
    got = seasonal_naive(series, targets, known_until=known_until)
    # one week back is after known_until for these targets: two weeks back is used
    assert np.allclose(got.to_numpy(), series.reindex(targets - pd.Timedelta(days=14)))


def test_sigmoid_parameters_are_recovered() -> None:
    t = np.linspace(-12, 32, 200)
    truth = (3.2, -36.0, 6.0, 0.15)
    a, b, c, d = fit_sigmoid(t, sigmoid(t, *truth))
    assert np.allclose(sigmoid(t, a, b, c, d), sigmoid(t, *truth), rtol=1e-3, atol=1e-4)
    assert abs(b - truth[1]) < 0.5 and abs(c - truth[2]) < 0.1
    assert abs(a - truth[0]) < 0.05 and abs(d - truth[3]) < 0.01


def test_sigmoid_baseline_recovers_weekday_factors_and_hour_shares() -> None:
    hours = pd.date_range("2024-06-30 16:00", periods=24 * 400, freq="h", tz="UTC")
    local = hours.tz_convert("Asia/Shanghai")
    day = local.tz_localize(None).normalize()
    doy = day.dayofyear.to_numpy()
    temp_day = 13 - 14 * np.cos(2 * np.pi * (doy - 18) / 365.25)
    frame = pd.DataFrame({"volume_m3": 0.0, "temperature_c": temp_day}, index=hours)
    days = daily(frame)
    cal = day_features(pd.DatetimeIndex(days.index))
    factor = np.where(cal["day_type"] == 0, 1.1, 0.8)
    per_day = sigmoid(days["t_alloc"].to_numpy(), 3.0, -36.0, 6.0, 0.2) * factor
    shape = np.where(np.arange(24) < 12, 1.0, 3.0) / 48.0
    volume = pd.Series(per_day, index=days.index).reindex(day).to_numpy() * shape[local.hour]
    frame["volume_m3"] = volume
    base = SigmoidBaseline.fit(hourly(frame.reset_index(names="hour")))
    got = base.predict(hours, days)
    assert np.allclose(got.to_numpy()[-24 * 60 :], volume[-24 * 60 :], rtol=0.03)
