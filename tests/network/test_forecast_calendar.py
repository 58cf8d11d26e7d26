"""Calendar and temperature features of the demand forecast."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from gaswarden.network.forecast.calendar import (
    NO_SPRING,
    SATURDAY,
    SUNDAY,
    WORKDAY,
    chinese_new_year,
    day_features,
    hour_features,
    spring_offset,
)
from gaswarden.network.forecast.weather import allocation_temperature, heating_degree_days


def test_holidays_and_makeup_working_weekends() -> None:
    days = [date(2024, 2, 3), date(2024, 2, 4), date(2024, 2, 12), date(2024, 2, 19)]
    cal = day_features(days)
    # Sat 3 Feb 2024 an ordinary Saturday; Sun 4 Feb worked (调休) for the Spring Festival
    assert cal["day_type"].tolist() == [SATURDAY, WORKDAY, SUNDAY, WORKDAY]
    assert cal["is_makeup_workday"].tolist() == [0, 1, 0, 0]
    assert cal["is_holiday"].tolist() == [0, 0, 1, 0]  # Mon 12 Feb: Spring Festival holiday
    assert cal["is_workday"].tolist() == [0, 1, 0, 1]
    assert cal["weekday"].tolist() == [5, 6, 0, 0]


def test_national_day_week_is_off() -> None:
    cal = day_features(pd.date_range("2025-10-01", "2025-10-08", freq="D"))
    assert cal["is_workday"].sum() == 0
    assert (cal["day_type"] != WORKDAY).all()
    assert cal.loc["2025-10-01", "day_type"] == SUNDAY  # a holiday counts as a Sunday


def test_spring_festival_offset() -> None:
    assert chinese_new_year(2024) == date(2024, 2, 10)
    assert chinese_new_year(2025) == date(2025, 1, 29)
    assert spring_offset(date(2024, 2, 10)) == 0
    assert spring_offset(date(2024, 2, 9)) == -1  # New Year's Eve
    assert spring_offset(date(2025, 2, 12)) == 14  # 元宵节
    assert spring_offset(date(2024, 7, 1)) == NO_SPRING


def test_hour_features_use_local_day() -> None:
    # 16:00 UTC on New Year's Eve is midnight on New Year's Day in Beijing
    hours = pd.DatetimeIndex(["2024-02-09 15:00", "2024-02-09 16:00"], tz="UTC")
    feats = hour_features(hours)
    assert feats["hour"].tolist() == [23, 0]
    assert feats["spring_offset"].tolist() == [-1, 0]


def test_heating_degree_days_and_allocation_temperature() -> None:
    assert heating_degree_days(np.array([20.0, 18.0, 10.0, -2.0])).tolist() == [0, 0, 8, 20]
    days = pd.date_range("2025-01-01", periods=6, freq="D")
    flat = allocation_temperature(pd.Series(5.0, index=days))
    assert np.allclose(flat, 5.0)
    step = allocation_temperature(pd.Series([0, 0, 0, 0, 15, 15], index=days, dtype=float))
    assert step.iloc[4] == 15 / 1.875  # today weighs 1 of 1.875
    assert step.iloc[5] == 15 * 1.5 / 1.875
