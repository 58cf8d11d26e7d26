"""Rolling-origin evaluation: the model, seasonal naive and the sigmoid baseline forecast each
test block from a model fitted only on the days before it (an expanding window over whole local
days, scikit-learn's TimeSeriesSplit; never shuffled).

Day-ahead means: each test day's 24 hours forecast with the volumes up to the day before and a
temperature forecast (the observed temperature plus a forecast error, by default σ 1.5 °C per
day and 0.5 °C per hour). Week-ahead uses lags of a week and more, and σ 2.5 °C. The model is
refitted once per block rather than every day, which only makes it look worse. The earlier
days of a block also carry the forecast error in the allocation temperature: again pessimistic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import TimeSeriesSplit

from gaswarden.network.forecast.baselines import SigmoidBaseline, seasonal_naive
from gaswarden.network.forecast.calendar import LOCAL_TZ, local_days
from gaswarden.network.forecast.frames import daily
from gaswarden.network.forecast.model import DAY_AHEAD, WEEK_AHEAD, design, predict_log, train

TEMP_ERROR_C = {DAY_AHEAD: 1.5, WEEK_AHEAD: 2.5}  # σ of the daily temperature forecast error
HOURLY_TEMP_ERROR_C = 0.5
WINDOW = pd.Timedelta(days=16)  # enough history for every lag


@dataclass(frozen=True)
class Split:
    train_until: pd.Timestamp  # the first test hour; training uses the hours before it
    test_hours: pd.DatetimeIndex


def rolling_origin(
    frame: pd.DataFrame, *, folds: int, test_days: int, tz: str = LOCAL_TZ
) -> list[Split]:
    """Expanding-window splits over whole local days: each test block follows its training
    days directly, the blocks tile the end of the history."""
    hour_days = local_days(pd.DatetimeIndex(frame.index), tz)
    metered = frame["volume_m3"].notna().groupby(hour_days).sum()
    days = metered[metered == 24].index
    if folds < 1 or len(days) < folds * test_days + 28:
        raise ValueError("history too short for these splits")
    splitter = TimeSeriesSplit(n_splits=max(folds, 2), test_size=test_days)
    splits = []
    for train_idx, test_idx in list(splitter.split(np.arange(len(days))))[-folds:]:
        if train_idx.max() >= test_idx.min():
            raise AssertionError("a split would train on its future")
        test = frame.index[hour_days.isin(days[test_idx])]
        splits.append(Split(train_until=pd.Timestamp(test[0]), test_hours=pd.DatetimeIndex(test)))
    return splits


def forecast_temperature(
    frame: pd.DataFrame, hours: pd.DatetimeIndex, sigma_day: float, *, seed: int, tz: str
) -> pd.Series:
    """The observed temperature at `hours` plus a forecast error (per day and per hour)."""
    rng = np.random.default_rng(seed)
    days = local_days(hours, tz)
    unique = days.unique()
    per_day = pd.Series(rng.normal(0.0, sigma_day, len(unique)), index=unique)
    noise = per_day.reindex(days).to_numpy() + rng.normal(0.0, HOURLY_TEMP_ERROR_C, len(hours))
    return pd.Series(frame["temperature_c"].reindex(hours).to_numpy() + noise, index=hours)


def backtest(
    frame: pd.DataFrame,
    *,
    folds: int = 12,
    test_days: int = 28,
    kinds: tuple[str, ...] = (DAY_AHEAD,),
    seed: int = 0,
    tz: str = LOCAL_TZ,
) -> pd.DataFrame:
    """Per test hour: actual, model, naive (same hour last week), sigmoid, kind, fold."""
    parts = []
    for number, split in enumerate(rolling_origin(frame, folds=folds, test_days=test_days, tz=tz)):
        past = frame[frame.index < split.train_until]
        sig = SigmoidBaseline.fit(past, tz=tz)
        test = split.test_hours
        naive = seasonal_naive(frame["volume_m3"], test, known_until=split.train_until)
        for kind in kinds:
            model = train(past, sig, kind, tz=tz)
            window = frame.loc[test[0] - WINDOW : test[-1]].copy()
            temps = forecast_temperature(
                frame, test, TEMP_ERROR_C[kind], seed=seed * 1000 + number, tz=tz
            )
            window.loc[test, "temperature_c"] = temps.to_numpy()
            feats = design(window, sig, kind, tz=tz).loc[test]
            parts.append(
                pd.DataFrame(
                    {
                        "actual": frame["volume_m3"].reindex(test).to_numpy(),
                        "model": predict_log(model, feats),
                        "naive": naive.to_numpy(),
                        "sigmoid": sig.predict(test, daily(window, tz)).to_numpy(),
                        "kind": kind,
                        "fold": number,
                    },
                    index=test,
                )
            )
    return pd.concat(parts)


def mape(actual: np.ndarray | pd.Series, forecast: np.ndarray | pd.Series) -> float:
    """Mean absolute percentage error, percent, over the positive actuals."""
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    keep = np.isfinite(a) & np.isfinite(f) & (a > 0)
    if not keep.any():
        return float("nan")
    return float(np.mean(np.abs(a[keep] - f[keep]) / a[keep]) * 100)


def to_days(result: pd.DataFrame, tz: str = LOCAL_TZ) -> pd.DataFrame:
    """Local-day sums of a backtest (days with all 24 hours only), per kind."""
    days = local_days(pd.DatetimeIndex(result.index), tz)
    numeric = ["actual", "model", "naive", "sigmoid"]
    grouped = result.groupby([result["kind"], days])
    sums = grouped[numeric].sum(min_count=1)
    counts = grouped["actual"].count()
    return sums[counts.reindex(sums.index) == 24].reset_index(level=0)


def scores(result: pd.DataFrame, tz: str = LOCAL_TZ) -> dict[str, float]:
    """Daily and hourly MAPE of the model and both baselines, per kind (day-ahead keys plain,
    week-ahead keys prefixed `week_`)."""
    out: dict[str, float] = {}
    per_day = to_days(result, tz)
    for kind in result["kind"].unique():
        hours = result[result["kind"] == kind]
        days = per_day[per_day["kind"] == kind]
        prefix = "" if kind == DAY_AHEAD else f"{kind}_"
        for name, suffix in (("model", ""), ("naive", "_naive"), ("sigmoid", "_sigmoid")):
            out[f"{prefix}daily_mape{suffix}"] = mape(days["actual"], days[name])
            out[f"{prefix}hourly_mape{suffix}"] = mape(hours["actual"], hours[name])
    return out


def bands(
    result: pd.DataFrame, *, quantiles: tuple[float, float] = (0.1, 0.9), tz: str = LOCAL_TZ
) -> dict[tuple[str, str], tuple[float, float]]:
    """(low, high) ratios actual/forecast of the model at the quantiles, per level and kind."""
    out: dict[tuple[str, str], tuple[float, float]] = {}
    per_day = to_days(result, tz)
    for level, table in (("hour", result), ("day", per_day)):
        for kind, group in table.groupby("kind"):
            ratio = (group["actual"] / group["model"]).replace([np.inf, -np.inf], np.nan).dropna()
            if len(ratio):
                low, high = np.quantile(ratio, quantiles)
                out[(level, str(kind))] = (float(low), float(high))
    return out
