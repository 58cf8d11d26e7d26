"""The shapes the forecast works on: a feed's history as a regular hourly UTC frame, and its
local days."""

from __future__ import annotations

import pandas as pd

from gaswarden.network.forecast.calendar import LOCAL_TZ, local_days
from gaswarden.network.forecast.weather import allocation_temperature

HISTORY_COLUMNS = ("hour", "volume_m3", "temperature_c")


def hourly(history: pd.DataFrame) -> pd.DataFrame:
    """[volume_m3, temperature_c] on every hour from the first to the last (index: UTC hours;
    missing hours are NaN). `history` has columns hour (tz-aware), volume_m3, temperature_c."""
    missing = [c for c in HISTORY_COLUMNS if c not in history.columns]
    if missing:
        raise ValueError(f"history lacks columns {missing}")
    hours = pd.DatetimeIndex(history["hour"])
    if hours.tz is None:
        raise ValueError("history hours must be timezone-aware")
    frame = pd.DataFrame(
        {
            "volume_m3": history["volume_m3"].astype(float).to_numpy(),
            "temperature_c": history["temperature_c"].astype(float).to_numpy(),
        },
        index=hours.tz_convert("UTC").floor("h"),
    )
    frame = frame[~frame.index.duplicated(keep="last")].sort_index()
    if frame.empty:
        raise ValueError("history is empty")
    full = pd.date_range(frame.index[0], frame.index[-1], freq="h")
    return frame.reindex(full)


def daily(frame: pd.DataFrame, tz: str = LOCAL_TZ) -> pd.DataFrame:
    """Per local day: volume_m3 (NaN unless all hours are metered), temperature_c (mean),
    t_alloc (allocation temperature), hours (how many hours the day has in the frame)."""
    days = local_days(pd.DatetimeIndex(frame.index), tz)
    grouped = frame.groupby(days)
    out = pd.DataFrame(
        {
            "volume_m3": grouped["volume_m3"].sum(min_count=1),
            "metered": grouped["volume_m3"].count(),
            "temperature_c": grouped["temperature_c"].mean(),
        }
    )
    out.loc[out["metered"] < 24, "volume_m3"] = float("nan")
    out = out.asfreq("D")
    out["temperature_c"] = out["temperature_c"].interpolate(limit_direction="both")
    out["t_alloc"] = allocation_temperature(out["temperature_c"])
    return out
