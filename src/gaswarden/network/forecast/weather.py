"""Temperature features: heating degree days and the standard load profile's allocation
temperature (a geometrically weighted mean of today and the three days before)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gaswarden.standards.heating import HDD_BASE_C, SLP_ALLOCATION_WEIGHTS


def heating_degree_days(
    temperature_c: pd.Series | np.ndarray, base_c: float = HDD_BASE_C
) -> np.ndarray:
    """Degrees below the base per day (on daily mean temperatures), never negative."""
    return np.clip(base_c - np.asarray(temperature_c, dtype=float), 0.0, None)


def allocation_temperature(daily_mean_c: pd.Series) -> pd.Series:
    """The weighted mean of each day's temperature and the three before it (missing days
    before the first are taken as the first)."""
    weights = np.asarray(SLP_ALLOCATION_WEIGHTS, dtype=float)
    values = daily_mean_c.astype(float)
    total = pd.Series(0.0, index=daily_mean_c.index)
    for lag, weight in enumerate(weights):
        total = total + weight * values.shift(lag).bfill()
    return total / weights.sum()
