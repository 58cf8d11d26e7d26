"""The forecast model: gradient boosting (scikit-learn's HistGradientBoostingRegressor) on the
log of hourly volume.

Features: the local hour and the calendar (weekday, day type, holidays and 调休, the Spring
Festival offset, season), the hour's temperature, the day's mean and allocation temperature and
its heating degree days, the fitted standard load profile (sigmoid baseline) for the hour, and
lags that exist when the forecast is issued. Two models: day-ahead (same hour yesterday and
last week, yesterday's total) and week-ahead (last week and the week before). Each lag also
comes "temperature-adjusted": the lagged value times the ratio of the sigmoid baseline now
and then.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from gaswarden.network.forecast.baselines import SigmoidBaseline
from gaswarden.network.forecast.calendar import LOCAL_TZ, hour_features, local_days
from gaswarden.network.forecast.frames import daily
from gaswarden.network.forecast.weather import heating_degree_days

DAY_AHEAD, WEEK_AHEAD = "day", "week"
LAGS_H: dict[str, tuple[int, ...]] = {DAY_AHEAD: (24, 168), WEEK_AHEAD: (168, 336)}
MAX_LEAD_DAYS = 14
# One OpenMP thread: on a shared machine boosting with a thread per core stalls badly when
# other processes hold the cores (measured 1.6 s alone, 25 s under load); one thread does not.
THREADS = 1
HGB_PARAMS = {
    "max_iter": 400,
    "learning_rate": 0.05,
    "max_leaf_nodes": 31,
    "min_samples_leaf": 20,
    "l2_regularization": 1.0,
}


def design(
    frame: pd.DataFrame, sig: SigmoidBaseline, kind: str, *, tz: str = LOCAL_TZ
) -> pd.DataFrame:
    """Features for every hour of `frame` (hourly, columns volume_m3 and temperature_c; the
    volumes are only read through the lags of `kind`)."""
    hours = pd.DatetimeIndex(frame.index)
    feats = hour_features(hours, tz)
    days = daily(frame, tz)
    day_of_hour = local_days(hours, tz)
    per_day = days.reindex(day_of_hour)
    feats["temperature_c"] = frame["temperature_c"].to_numpy()
    feats["day_temperature_c"] = per_day["temperature_c"].to_numpy()
    feats["t_alloc"] = per_day["t_alloc"].to_numpy()
    feats["hdd"] = heating_degree_days(per_day["temperature_c"].to_numpy())
    feats["cold_of_hour"] = feats["day_temperature_c"] - feats["temperature_c"]
    base = sig.predict(hours, days)
    feats["sigmoid"] = base.to_numpy()
    volume = frame["volume_m3"]
    day_volume = days["volume_m3"]
    day_base = pd.Series(
        sig.predict_days(pd.DatetimeIndex(days.index), days["t_alloc"].to_numpy()), index=days.index
    )
    for lag in LAGS_H[kind]:
        lagged = volume.shift(lag, freq="h").reindex(hours)
        lagged_base = base.shift(lag, freq="h").reindex(hours)
        feats[f"lag{lag}"] = lagged.to_numpy()
        feats[f"adj{lag}"] = (lagged * base / lagged_base).to_numpy()
        lag_days = lag // 24
        day_lag = day_volume.shift(lag_days, freq="D").reindex(day_of_hour).to_numpy()
        day_ratio = (day_base / day_base.shift(lag_days, freq="D")).reindex(day_of_hour)
        feats[f"day{lag}"] = day_lag
        feats[f"dayadj{lag}"] = day_lag * day_ratio.to_numpy()
        feats[f"dt{lag}"] = (
            per_day["t_alloc"].to_numpy()
            - days["t_alloc"].shift(lag_days, freq="D").reindex(day_of_hour).to_numpy()
        )
    return feats


def train(
    frame: pd.DataFrame, sig: SigmoidBaseline, kind: str, *, tz: str = LOCAL_TZ
) -> HistGradientBoostingRegressor:
    feats = design(frame, sig, kind, tz=tz)
    target = frame["volume_m3"].to_numpy()
    first_lag = f"lag{LAGS_H[kind][0]}"
    keep = np.isfinite(target) & (target > 0) & feats[first_lag].notna().to_numpy()
    if keep.sum() < 24 * 14:
        raise ValueError("too little history to train the forecast (two weeks at least)")
    model = HistGradientBoostingRegressor(random_state=0, **HGB_PARAMS)
    with threadpool_limits(limits=THREADS, user_api="openmp"):
        model.fit(feats[keep], np.log(target[keep]))
    return model


def predict_log(model: HistGradientBoostingRegressor, feats: pd.DataFrame) -> np.ndarray:
    """The model's volumes (it predicts their logarithm)."""
    with threadpool_limits(limits=THREADS, user_api="openmp"):
        return np.exp(model.predict(feats))


@dataclass
class Forecaster:
    """A fitted forecast for one feed: predicts hours and days after its history."""

    frame: pd.DataFrame  # the hourly history it was fitted on (frames.hourly)
    sigmoid: SigmoidBaseline
    models: dict[str, HistGradientBoostingRegressor]
    # band as (low, high) ratios of actual to forecast, by ("hour" | "day", DAY_AHEAD | ...)
    bands: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    tz: str = LOCAL_TZ

    @property
    def last_hour(self) -> pd.Timestamp:
        known = self.frame["volume_m3"].dropna()
        return pd.Timestamp(known.index[-1])

    def predict(
        self, hours: pd.DatetimeIndex, temperature: pd.Series | np.ndarray | list[float]
    ) -> pd.DataFrame:
        """[hour, forecast, low, high, kind] for future `hours` (UTC) given the temperature
        forecast for each of them."""
        hours = pd.DatetimeIndex(hours).tz_convert("UTC")
        temps = np.asarray(
            temperature.reindex(hours).to_numpy()
            if isinstance(temperature, pd.Series)
            else temperature,
            dtype=float,
        )
        if len(temps) != len(hours):
            raise ValueError("one temperature per hour")
        if len(hours) == 0:
            return pd.DataFrame(columns=["hour", "forecast", "low", "high", "kind"])
        last = self.last_hour
        if hours.min() <= last:
            raise ValueError("forecast hours must come after the history")
        issue_day = local_days(pd.DatetimeIndex([last]), self.tz)[0]
        target_days = local_days(hours, self.tz)
        if (target_days.max() - issue_day).days > MAX_LEAD_DAYS:
            raise ValueError(f"at most {MAX_LEAD_DAYS} days ahead")
        span = pd.date_range(last - pd.Timedelta(days=16), max(hours.max(), last), freq="h")
        work = self.frame.reindex(span)
        work.loc[work.index > last, "volume_m3"] = np.nan
        work.loc[hours, "temperature_c"] = temps
        work["temperature_c"] = work["temperature_c"].interpolate(limit_direction="both")
        work_days = local_days(pd.DatetimeIndex(work.index), self.tz)
        out = pd.Series(np.nan, index=span)
        kinds = pd.Series("", index=span)
        for day in pd.DatetimeIndex(work_days[work.index > last]).unique().sort_values():
            kind = DAY_AHEAD if (day - issue_day).days <= 1 else WEEK_AHEAD
            mask = (work_days == day) & (work.index > last)
            window = work.loc[work.index[mask][0] - pd.Timedelta(days=16) : work.index[mask][-1]]
            feats = design(window, self.sigmoid, kind, tz=self.tz)
            pred = predict_log(self.models[kind], feats.loc[work.index[mask]])
            work.loc[work.index[mask], "volume_m3"] = pred
            out.loc[work.index[mask]] = pred
            kinds.loc[work.index[mask]] = kind
        forecast = out.reindex(hours).to_numpy()
        kind_of = kinds.reindex(hours).to_numpy()
        low, high = self._band("hour", kind_of)
        return pd.DataFrame(
            {
                "hour": hours,
                "forecast": forecast,
                "low": forecast * low,
                "high": forecast * high,
                "kind": kind_of,
            }
        )

    def predict_daily(
        self, hours: pd.DatetimeIndex, temperature: pd.Series | np.ndarray | list[float]
    ) -> pd.DataFrame:
        """[day, forecast, low, high, peak_hour, peak_m3h, peak_high_m3h, hours] per local day of
        `hours` (whole days give whole-day volumes)."""
        hourly = self.predict(hours, temperature)
        hourly["day"] = local_days(pd.DatetimeIndex(hourly["hour"]), self.tz)
        rows = []
        for day, group in hourly.groupby("day"):
            peak = group.loc[group["forecast"].idxmax()]
            kind = str(group["kind"].iloc[-1])
            low, high = self._band("day", np.array([kind]))
            total = float(group["forecast"].sum())
            rows.append(
                {
                    "day": pd.Timestamp(str(day)).date(),
                    "forecast": total,
                    "low": total * float(low[0]),
                    "high": total * float(high[0]),
                    "peak_hour": peak["hour"],
                    "peak_m3h": float(peak["forecast"]),
                    "peak_high_m3h": float(peak["high"]),
                    "hours": len(group),
                    "kind": kind,
                }
            )
        return pd.DataFrame(rows)

    def _band(self, level: str, kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        default = (0.9, 1.1) if level == "day" else (0.85, 1.15)
        low = np.array([self.bands.get((level, str(k)), default)[0] for k in kinds])
        high = np.array([self.bands.get((level, str(k)), default)[1] for k in kinds])
        return low, high


def fit_models(frame: pd.DataFrame, *, tz: str = LOCAL_TZ) -> Forecaster:
    """Fit the sigmoid baseline and both models on an hourly frame (no bands yet)."""
    sig = SigmoidBaseline.fit(frame, tz=tz)
    models = {kind: train(frame, sig, kind, tz=tz) for kind in (DAY_AHEAD, WEEK_AHEAD)}
    return Forecaster(frame=frame, sigmoid=sig, models=models, tz=tz)
