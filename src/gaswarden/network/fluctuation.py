"""Users' pressure fluctuations per area: how often and how far the pressure at users'
regulators strayed from its band, and for how long.

Pure pandas. Readings: [device, area, ts, pressure_kpa]; bands: [device, low_kpa, high_kpa].
Each reading stands for the time until the device's next reading, but at most
`GAP_FACTOR` times the device's usual interval (a silent device is not counted as outside).
An excursion is a run of consecutive readings outside the band on the same side.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GAP_FACTOR = 3.0  # practice: longer gaps are outages, not time spent at the last value

COLUMNS = [
    "area",
    "devices",
    "readings",
    "outside",
    "share_outside",
    "below",
    "above",
    "excursions",
    "max_excursion_kpa",
    "mean_excursion_kpa",
    "max_excursion_pct",
    "mean_excursion_pct",
    "hours_observed",
    "hours_outside",
    "share_time_outside",
]


def excursions(readings: pd.DataFrame, bands: pd.DataFrame) -> pd.DataFrame:
    """Readings with their band, side (-1 below, 0 inside, 1 above), excursion beyond the band
    (kPa and % of the limit crossed), duration (h) and excursion number (per device)."""
    need = {"device", "area", "ts", "pressure_kpa"}
    if not need <= set(readings.columns):
        raise ValueError(f"readings need columns {sorted(need)}")
    if not {"device", "low_kpa", "high_kpa"} <= set(bands.columns):
        raise ValueError("bands need columns device, low_kpa, high_kpa")
    if (bands["low_kpa"] > bands["high_kpa"]).any():
        raise ValueError("a band's low is above its high")
    frame = readings.merge(bands[["device", "low_kpa", "high_kpa"]], on="device", how="inner")
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    frame = frame.sort_values(["device", "ts"]).reset_index(drop=True)
    p = frame["pressure_kpa"].astype(float)
    side = np.where(p < frame["low_kpa"], -1, np.where(p > frame["high_kpa"], 1, 0))
    frame["side"] = side
    beyond = np.where(
        side < 0, frame["low_kpa"] - p, np.where(side > 0, p - frame["high_kpa"], 0.0)
    )
    limit = np.where(side < 0, frame["low_kpa"], frame["high_kpa"]).astype(float)
    frame["excursion_kpa"] = beyond
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["excursion_pct"] = np.where(side != 0, beyond / np.abs(limit) * 100, 0.0)

    by_device = frame.groupby("device", sort=False)
    step = by_device["ts"].diff(-1).abs().dt.total_seconds() / 3600
    usual = by_device["ts"].transform(lambda s: s.diff().dt.total_seconds().median() / 3600)
    usual = usual.fillna(0.0)
    frame["hours"] = np.minimum(step.fillna(usual), GAP_FACTOR * usual).fillna(0.0)
    starts = (frame["side"] != 0) & (
        (frame["side"] != by_device["side"].shift()) | (frame["device"] != frame["device"].shift())
    )
    frame["excursion_no"] = np.where(
        frame["side"] != 0, starts.groupby(frame["device"]).cumsum(), 0
    )
    frame["starts"] = starts
    return frame


def by_area(readings: pd.DataFrame, bands: pd.DataFrame) -> pd.DataFrame:
    """One row per area (COLUMNS), worst share of time outside first."""
    frame = excursions(readings, bands)
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    outside = frame[frame["side"] != 0]
    grouped = frame.groupby("area")
    out = pd.DataFrame(
        {
            "devices": grouped["device"].nunique(),
            "readings": grouped.size(),
            "outside": outside.groupby("area").size(),
            "below": outside[outside["side"] < 0].groupby("area").size(),
            "above": outside[outside["side"] > 0].groupby("area").size(),
            "excursions": grouped["starts"].sum(),
            "max_excursion_kpa": outside.groupby("area")["excursion_kpa"].max(),
            "mean_excursion_kpa": outside.groupby("area")["excursion_kpa"].mean(),
            "max_excursion_pct": outside.groupby("area")["excursion_pct"].max(),
            "mean_excursion_pct": outside.groupby("area")["excursion_pct"].mean(),
            "hours_observed": grouped["hours"].sum(),
            "hours_outside": outside.groupby("area")["hours"].sum(),
        }
    )
    counts = ["outside", "below", "above", "excursions"]
    out[counts] = out[counts].fillna(0).astype(int)
    out = out.fillna({"hours_outside": 0.0})
    out["share_outside"] = out["outside"] / out["readings"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share_time_outside"] = np.where(
            out["hours_observed"] > 0, out["hours_outside"] / out["hours_observed"], 0.0
        )
    out = out.reset_index().rename(columns={"index": "area"})
    return out[COLUMNS].sort_values("share_time_outside", ascending=False, ignore_index=True)
