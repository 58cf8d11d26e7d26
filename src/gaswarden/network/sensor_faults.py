"""Sensor-fault checks, so that a broken pressure sensor is not taken for a leak.

- out_of_range: values outside the measuring range, or too many missing (NaN) samples;
- stuck: the value flat-lined (a live sensor with a few Pa of noise never repeats exactly);
- drifting: its residual, less the median residual of the other sensors, follows a slow
  monotone ramp (better fitted by a line than by one step, which is what a leak looks like).
Detection and localisation drop the sensors returned here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import kendalltau

Reason = Literal["out_of_range", "stuck", "drifting"]
RANGE_PA = (0.0, 1.6e6)  # gauge, a PN 16 transmitter's span (practice value)
MAX_MISSING = 0.2  # share of NaN samples in the window (practice value)
STUCK_SAMPLES = 6
STUCK_TOL_PA = 0.05
DRIFT_MIN_SAMPLES = 12
DRIFT_MIN_PA = 50.0  # total ramp over the window (5 × 10 Pa sensor noise)
DRIFT_TAU = 0.5


@dataclass(frozen=True)
class SensorFault:
    sensor: str
    reason: Reason
    detail: str


def out_of_range(
    values: pd.Series, range_pa: tuple[float, float] = RANGE_PA, max_missing: float = MAX_MISSING
) -> str | None:
    missing = float(values.isna().mean()) if len(values) else 1.0
    if missing > max_missing:
        return f"{missing:.0%} missing"
    v = values.dropna()
    lo, hi = range_pa
    bad = v[(v < lo) | (v > hi)]
    if len(bad):
        return f"{len(bad)} values outside [{lo:g}, {hi:g}] Pa, e.g. {bad.iloc[0]:g}"
    return None


def stuck(
    values: pd.Series, samples: int = STUCK_SAMPLES, tol_pa: float = STUCK_TOL_PA
) -> str | None:
    v = values.dropna()
    if len(v) < samples:
        return None
    spread = v.rolling(samples).max() - v.rolling(samples).min()
    flat = spread <= tol_pa
    if flat.any():
        return f"flat within {tol_pa:g} Pa for {samples} samples from {flat.idxmax()}"
    return None


def _step_sse(y: np.ndarray) -> float:
    n = len(y)
    csum = np.cumsum(y)
    csq = np.cumsum(y**2)
    best = np.inf
    for i in range(2, n - 1):
        left = csq[i - 1] - csum[i - 1] ** 2 / i
        right = (csq[-1] - csq[i - 1]) - (csum[-1] - csum[i - 1]) ** 2 / (n - i)
        best = min(best, left + right)
    return float(best)


def drifting(
    own: pd.Series,
    others_median: pd.Series,
    *,
    min_pa: float = DRIFT_MIN_PA,
    min_samples: int = DRIFT_MIN_SAMPLES,
    tau_min: float = DRIFT_TAU,
) -> str | None:
    d = (own - others_median).dropna()
    if len(d) < min_samples:
        return None
    y = d.to_numpy(dtype=float)
    t = np.arange(len(y), dtype=float)
    slope, icpt = np.polyfit(t, y, 1)
    total = slope * (len(y) - 1)
    if abs(total) < min_pa:
        return None
    tau = kendalltau(t, y).statistic
    if abs(tau) < tau_min:
        return None
    line_sse = float(((y - (slope * t + icpt)) ** 2).sum())
    if line_sse >= _step_sse(y):
        return None  # a step (a leak, a valve) rather than a ramp
    return f"ramp of {total:+.0f} Pa over {len(y)} samples (Kendall τ {tau:.2f})"


def check_sensors(
    measured: pd.DataFrame,
    residuals: pd.DataFrame | None = None,
    *,
    range_pa: tuple[float, float] = RANGE_PA,
) -> list[SensorFault]:
    """Faults per sensor over a window: measured and residual frames are time × sensor (Pa)."""
    faults: list[SensorFault] = []
    flagged: set[str] = set()
    for name in measured.columns:
        for reason, detail in (
            ("out_of_range", out_of_range(measured[name], range_pa)),
            ("stuck", stuck(measured[name])),
        ):
            if detail is not None:
                faults.append(SensorFault(str(name), reason, detail))  # type: ignore[arg-type]
                flagged.add(str(name))
                break
    if residuals is not None and residuals.shape[1] >= 3:
        healthy = [c for c in residuals.columns if str(c) not in flagged]
        for name in healthy:
            others = residuals[[c for c in healthy if c != name]].median(axis=1)
            detail = drifting(residuals[name], others)
            if detail is not None:
                faults.append(SensorFault(str(name), "drifting", detail))
    return faults
