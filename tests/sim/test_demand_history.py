"""The demo's synthetic hourly demand history of a feed."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from gaswarden.sim.demand_history import demand_history

END = datetime(2026, 3, 1, 5, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return demand_history(annual_m3=3.7e6, end=END, seed=7)


def test_shape_scale_and_determinism(history: pd.DataFrame) -> None:
    assert list(history.columns) == ["hour", "volume_m3", "temperature_c"]
    assert str(history["hour"].dt.tz) == "UTC"
    assert history["hour"].iloc[-1] == pd.Timestamp("2026-03-01 04:00", tz="UTC")
    assert history["hour"].diff().dropna().eq(pd.Timedelta(hours=1)).all()
    assert len(history) > 2 * 365 * 24 - 24
    last_year = history[history["hour"] >= pd.Timestamp(END).floor("h") - pd.Timedelta(days=365)]
    assert last_year["volume_m3"].sum() == pytest.approx(3.7e6, rel=1e-3)
    again = demand_history(annual_m3=3.7e6, end=END, seed=7)
    assert again.equals(history)
    other = demand_history(annual_m3=3.7e6, end=END, seed=8)
    assert not other["volume_m3"].equals(history["volume_m3"])


def test_climate_and_seasons(history: pd.DataFrame) -> None:
    local = history.set_index(history["hour"].dt.tz_convert("Asia/Shanghai"))
    by_month = local.groupby(local.index.month)
    temps = by_month["temperature_c"].mean()
    assert -4 < temps[1] < 4 and 24 < temps[7] < 31
    volume = by_month["volume_m3"].mean()
    assert volume[1] > 1.6 * volume[7]  # heating
    assert (history["volume_m3"] > 0).all()


def test_daily_profile_and_spring_festival(history: pd.DataFrame) -> None:
    local = history.set_index(history["hour"].dt.tz_convert("Asia/Shanghai"))
    summer = local[local.index.month == 7]
    by_hour = summer.groupby(summer.index.hour)["volume_m3"].mean()
    assert by_hour[18] > 1.5 * by_hour[3]  # evening cooking over the night
    days = local.resample("D").agg({"volume_m3": "sum", "temperature_c": "mean"}).iloc[1:-1]
    winter = days[days["temperature_c"] < 8]
    festival = (winter.index >= "2026-02-17") & (winter.index <= "2026-02-23")  # CNY 17 Feb
    window = (winter.index >= "2026-02-05") & (winter.index <= "2026-03-05")
    others = winter[~window & (winter.index.month.isin([12, 1, 2]))]
    slope, intercept = np.polyfit(others["temperature_c"], others["volume_m3"], 1)
    expected = intercept + slope * winter.loc[festival, "temperature_c"]
    assert (winter.loc[festival, "volume_m3"] / expected).mean() < 0.9  # people went home
