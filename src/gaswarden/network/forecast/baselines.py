"""The baselines a forecast has to beat.

- Seasonal naive: the same hour (or day) one season ago, a week by default, reaching back
  whole seasons until the value is one that was known at the forecast's issue time.
- The standard load profile (BDEW-style): daily volume = h(T_alloc) × F(day type), with the
  sigmoid h(T) = A / (1 + (B / (T − T0))^C) + D fitted to the feed's own history with
  scipy.optimize.curve_fit, weekday factors F (holidays count as Sundays, 调休 working weekends
  as working days), and hourly shares by day type and 5 °C temperature class.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import curve_fit

from gaswarden.network.forecast.calendar import LOCAL_TZ, day_features, local_days
from gaswarden.network.forecast.frames import daily
from gaswarden.standards.heating import SLP_SIGMOID_T0_C

WEEK = pd.Timedelta(days=7)
FIT_DAYS = 365  # the sigmoid is refitted on the last year, as the customer value is yearly
TEMPERATURE_CLASSES = np.array([-5.0, 0.0, 5.0, 10.0, 15.0, 20.0, 25.0])  # bin edges, °C


def seasonal_naive(
    series: pd.Series,
    targets: pd.DatetimeIndex,
    *,
    season: pd.Timedelta = WEEK,
    known_until: pd.Timestamp | None = None,
) -> pd.Series:
    """Each target's value one season earlier, going back whole seasons until the source is
    at or before `known_until` (default: the series' last index)."""
    last = series.index[-1] if known_until is None else known_until
    step = season
    out = pd.Series(np.nan, index=targets)
    pending = np.ones(len(targets), dtype=bool)
    lag = 1
    while pending.any() and lag <= 1000:
        sources = targets - step * lag
        ok = pending & (sources <= last)
        if ok.any():
            out.iloc[np.flatnonzero(ok)] = series.reindex(sources[ok]).to_numpy()
            pending &= ~ok
        lag += 1
    return out


def sigmoid(t: np.ndarray, a: float, b: float, c: float, d: float) -> np.ndarray:
    """The standard load profile's h(T) = A / (1 + (B / (T − T0))^C) + D."""
    ratio = b / (np.asarray(t, dtype=float) - SLP_SIGMOID_T0_C)
    return a / (1.0 + np.power(np.clip(ratio, 1e-9, None), c)) + d


def fit_sigmoid(temperature_c: np.ndarray, values: np.ndarray) -> tuple[float, float, float, float]:
    """(A, B, C, D) of the sigmoid, least squares with scipy's curve_fit."""
    t = np.asarray(temperature_c, dtype=float)
    y = np.asarray(values, dtype=float)
    keep = np.isfinite(t) & np.isfinite(y)
    t, y = t[keep], y[keep]
    if len(y) < 8:
        raise ValueError("too few days to fit the sigmoid")
    scale = float(np.max(y))
    p0 = (scale, -37.0, 5.0, float(np.min(y)) * 0.5)
    bounds = ([0.0, -200.0, 0.5, 0.0], [scale * 20, -1.0, 20.0, scale])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        params, _ = curve_fit(sigmoid, t, y, p0=p0, bounds=bounds, maxfev=20000)
    a, b, c, d = (float(p) for p in params)
    return a, b, c, d


@dataclass
class SigmoidBaseline:
    """The fitted standard load profile of one feed."""

    params: tuple[float, float, float, float]
    day_factors: dict[int, float]  # by weekday 0..6, holidays counted as Sunday (6)
    hour_shares: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)
    tz: str = LOCAL_TZ

    @classmethod
    def fit(cls, frame: pd.DataFrame, *, tz: str = LOCAL_TZ) -> SigmoidBaseline:
        """From an hourly frame (frames.hourly) of the feed's history."""
        days = daily(frame, tz).dropna(subset=["volume_m3"]).iloc[-FIT_DAYS:]
        slot = _day_slot(days.index)
        factors = pd.Series(1.0, index=range(7))
        params = fit_sigmoid(days["t_alloc"].to_numpy(), days["volume_m3"].to_numpy())
        for _ in range(3):  # alternate: sigmoid on de-weekdayed volumes, then the factors
            adjusted = days["volume_m3"].to_numpy() / factors.reindex(slot).to_numpy()
            params = fit_sigmoid(days["t_alloc"].to_numpy(), adjusted)
            ratio = days["volume_m3"] / sigmoid(days["t_alloc"].to_numpy(), *params)
            factors = ratio.groupby(slot).mean().reindex(range(7)).fillna(1.0)
            factors = factors / factors.mean()
        shares = _hour_shares(frame, days, tz)
        return cls(params=params, day_factors=factors.to_dict(), hour_shares=shares, tz=tz)

    def predict_days(self, days: pd.DatetimeIndex, t_alloc: np.ndarray) -> np.ndarray:
        factors = np.array([self.day_factors[s] for s in _day_slot(days)])
        return np.asarray(sigmoid(np.asarray(t_alloc), *self.params) * factors)

    def predict(self, hours: pd.DatetimeIndex, days_frame: pd.DataFrame) -> pd.Series:
        """Hourly volumes for `hours` given per local day the allocation temperature
        (`days_frame['t_alloc']`, indexed by naive day)."""
        days = local_days(hours, self.tz)
        unique = days.unique()
        t_alloc = days_frame["t_alloc"].reindex(unique).to_numpy()
        per_day = pd.Series(self.predict_days(unique, t_alloc), index=unique)
        keys = _share_keys(unique, t_alloc)
        local_hour = hours.tz_convert(self.tz).hour.to_numpy()
        share_of_day = {day: self._shares(key) for day, key in zip(unique, keys, strict=True)}
        shares = np.array([share_of_day[day][h] for day, h in zip(days, local_hour, strict=True)])
        return pd.Series(per_day.reindex(days).to_numpy() * shares, index=hours)

    def _shares(self, key: tuple[int, int]) -> np.ndarray:
        if key in self.hour_shares:
            return self.hour_shares[key]
        same_type = [v for (slot, _), v in self.hour_shares.items() if slot == key[0]]
        pool = same_type or list(self.hour_shares.values())
        return np.mean(pool, axis=0) if pool else np.full(24, 1 / 24)


def _day_slot(days: pd.DatetimeIndex) -> np.ndarray:
    """Weekday 0..6, with public holidays as Sunday and 调休 working weekends as Wednesday."""
    cal = day_features(days)
    slot = cal["weekday"].to_numpy().copy()
    slot[cal["is_holiday"].to_numpy() == 1] = 6
    slot[cal["is_makeup_workday"].to_numpy() == 1] = 2
    return slot


def _share_keys(days: pd.DatetimeIndex, t_alloc: np.ndarray) -> list[tuple[int, int]]:
    day_type = day_features(days)["day_type"].to_numpy()
    bins = np.digitize(
        np.nan_to_num(np.asarray(t_alloc, dtype=float), nan=10.0), TEMPERATURE_CLASSES
    )
    return [(int(a), int(b)) for a, b in zip(day_type, bins, strict=True)]


def _hour_shares(
    frame: pd.DataFrame, days: pd.DataFrame, tz: str
) -> dict[tuple[int, int], np.ndarray]:
    local = frame.index.tz_convert(tz)
    table = pd.DataFrame(
        {"day": local.tz_localize(None).normalize(), "hour": local.hour, "v": frame["volume_m3"]}
    )
    table = table[table["day"].isin(days.index)]
    matrix = table.pivot_table(index="day", columns="hour", values="v", aggfunc="sum")
    matrix = matrix.reindex(columns=range(24)).dropna()
    if matrix.empty:
        return {}
    shares = matrix.div(matrix.sum(axis=1), axis=0)
    keys = _share_keys(
        pd.DatetimeIndex(shares.index), days["t_alloc"].reindex(shares.index).to_numpy()
    )
    grouped = shares.groupby(pd.Index([f"{a},{b}" for a, b in keys])).mean()
    return {
        (int(k.split(",")[0]), int(k.split(",")[1])): row.to_numpy()
        for k, row in grouped.iterrows()
    }
