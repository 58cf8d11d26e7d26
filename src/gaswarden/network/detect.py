"""Leak detection: inflow mass balance against the forecast, EWMA and CUSUM on residuals.

Pure functions over pandas series (a DatetimeIndex, hourly or finer). A leak lowers pressures,
so the residual charts watch the lower side (measured below simulated) by default.
`detect_leak` combines them after dropping the sensors `sensor_faults` flagged, and needs either
the mass balance or at least `min_sensors` sensors agreeing, so one bad sensor never raises a
leak on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Method = Literal["mass_balance", "residual_cusum", "residual_ewma"]
MASS_BALANCE_K = 3.0  # excess over k × forecast sigma (practice value)
MASS_BALANCE_HOURS = 3  # sustained this many consecutive samples (practice value)
EWMA_LAMBDA = 0.2
EWMA_L = 3.0  # control limit in sigmas of the EWMA statistic (Roberts 1959)
CUSUM_K = 0.5  # reference value, sigmas (Page 1954; detects a 1 σ shift fastest)
CUSUM_H = 5.0  # decision interval, sigmas


@dataclass(frozen=True)
class Detection:
    method: Method
    start: pd.Timestamp
    end: pd.Timestamp
    size: float  # mass balance: median excess (inflow units); residuals: median shift (Pa)
    sensor: str | None = None


def _runs(flag: pd.Series, min_len: int) -> list[tuple[pd.Timestamp, pd.Timestamp, pd.Index]]:
    """Consecutive True runs at least min_len long: (start, end, index of the run)."""
    values = flag.to_numpy(dtype=bool)
    out = []
    start = None
    for i, v in enumerate([*values, False]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            if i - start >= min_len:
                idx = flag.index[start:i]
                out.append((idx[0], idx[-1], idx))
            start = None
    return out


def mass_balance(
    inflow: pd.Series,
    forecast: pd.Series,
    sigma: pd.Series | float,
    *,
    k: float = MASS_BALANCE_K,
    hours: int = MASS_BALANCE_HOURS,
) -> list[Detection]:
    """Inflow above the forecast by more than k·sigma for `hours` consecutive samples."""
    excess = (inflow - forecast).dropna()
    limit = k * (sigma.reindex(excess.index) if isinstance(sigma, pd.Series) else float(sigma))
    return [
        Detection("mass_balance", s, e, float(excess.loc[idx].median()))
        for s, e, idx in _runs(excess > limit, hours)
    ]


def ewma(
    residual: pd.Series,
    sigma: float,
    *,
    lam: float = EWMA_LAMBDA,
    limit: float = EWMA_L,
    sensor: str | None = None,
    side: Literal["lower", "both"] = "lower",
) -> list[Detection]:
    """EWMA chart of the residual (target 0) beyond limit × its asymptotic sigma."""
    r = residual.dropna()
    z = r.ewm(alpha=lam, adjust=False).mean()
    bound = limit * sigma * np.sqrt(lam / (2.0 - lam))
    flag = z < -bound if side == "lower" else z.abs() > bound
    return [
        Detection("residual_ewma", s, e, float(r.loc[idx].median()), sensor)
        for s, e, idx in _runs(flag, 1)
    ]


def cusum(
    residual: pd.Series,
    sigma: float,
    *,
    k: float = CUSUM_K,
    h: float = CUSUM_H,
    sensor: str | None = None,
) -> list[Detection]:
    """Lower one-sided CUSUM S_t = max(0, S_{t-1} - r_t/σ - k) above h (residual in Pa)."""
    r = residual.dropna()
    x = -(r.to_numpy(dtype=float) / sigma) - k
    s = np.zeros(len(x))
    acc = 0.0
    for i, v in enumerate(x):
        acc = max(0.0, acc + v)
        s[i] = acc
    flag = pd.Series(s > h, index=r.index)
    out = []
    for start, end, _ in _runs(flag, 1):
        # the shift began where the statistic last left zero before crossing h
        pos = r.index.get_loc(start)
        while pos > 0 and s[pos - 1] > 0:
            pos -= 1
        began = r.index[pos]
        out.append(
            Detection("residual_cusum", began, end, float(r.loc[began:end].median()), sensor)
        )
    return out


def residual_detections(
    residuals: pd.DataFrame,
    sigma: float,
    *,
    exclude: Iterable[str] = (),
    method: Literal["cusum", "ewma"] = "cusum",
) -> list[Detection]:
    """Per-sensor charts over a (time × sensor) frame of residuals (Pa)."""
    skip = set(exclude)
    out: list[Detection] = []
    for name in residuals.columns:
        if name in skip:
            continue
        series = residuals[name]
        if method == "cusum":
            out += cusum(series, sigma, sensor=str(name))
        else:
            out += ewma(series, sigma, sensor=str(name))
    return out


def detect_leak(
    residuals: pd.DataFrame,
    sigma: float,
    *,
    inflow: pd.Series | None = None,
    forecast: pd.Series | None = None,
    forecast_sigma: pd.Series | float | None = None,
    exclude: Iterable[str] = (),
    min_sensors: int = 2,
) -> list[Detection]:
    """Leak detections: the mass balance ones, plus residual ones when at least `min_sensors`
    (healthy) sensors raise an alarm; faulty sensors (`exclude`) are left out."""
    found: list[Detection] = []
    if inflow is not None and forecast is not None and forecast_sigma is not None:
        found += mass_balance(inflow, forecast, forecast_sigma)
    per_sensor = residual_detections(residuals, sigma, exclude=exclude)
    if len({d.sensor for d in per_sensor}) >= min_sensors:
        found += per_sensor
    return found
