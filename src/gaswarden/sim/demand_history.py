"""The demo's synthetic hourly history of one feed: temperature and metered inflow.

A North China plain climate (Liaocheng, Shandong: winter days about -5..5 °C, summer days
about 25..33 °C) with a seasonal cycle, a daily cycle and autocorrelated weather, and a demand
made of space heating (a sigmoid of the allocation temperature, with night setback), cooking
(morning, noon and evening peaks), hot water, and commerce/industry (working days). Weekends,
Chinese public holidays and 调休 working weekends, and the Spring Festival (people travel home,
factories close; the family dinner on New Year's Eve) shape it; the customer base grows slowly;
noise on the day and the hour. Scaled so the last 365 days deliver `annual_m3`.

Everything here is made up for the demo; it is not a measured history.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from gaswarden.network.forecast.calendar import (
    LOCAL_TZ,
    NO_SPRING,
    SUNDAY,
    WORKDAY,
    day_features,
)
from gaswarden.network.forecast.weather import allocation_temperature

DAYS = 730  # two years

# Climate (daily means, °C): annual mean, half the winter-summer swing, coldest day of year.
CLIMATE_MEAN_C = 13.8
CLIMATE_SWING_C = 14.8
COLDEST_DOY = 18
GROWTH_PER_YEAR = 0.04  # customers connected each year

# Shares of the hour in each component's day (local hours 0..23), each summing to 1.
_HEATING = np.array(
    [
        3,
        3,
        3,
        3,
        3.5,
        4.5,
        6,
        6.5,
        5.5,
        4.5,
        4,
        3.8,
        3.8,
        3.6,
        3.5,
        3.7,
        4.2,
        5,
        5.8,
        6,
        5.6,
        5,
        4,
        3.2,
    ]
)
_COOKING = np.array(
    [
        0.3,
        0.2,
        0.2,
        0.2,
        0.3,
        1.0,
        3.5,
        4.5,
        2.5,
        1.5,
        2.5,
        6.0,
        6.5,
        2.5,
        1.2,
        1.2,
        2.5,
        6.5,
        7.5,
        4.5,
        2.2,
        1.2,
        0.7,
        0.4,
    ]
)
_HOT_WATER = np.array(
    [
        0.5,
        0.3,
        0.3,
        0.3,
        0.5,
        1.5,
        4.5,
        5.5,
        4,
        2.5,
        2,
        2,
        2,
        1.8,
        1.6,
        1.8,
        2.5,
        3.5,
        5,
        6.5,
        7.5,
        7,
        4.5,
        2,
    ]
)
_COMMERCE = np.array(
    [
        1.5,
        1.5,
        1.5,
        1.5,
        1.5,
        2,
        3,
        5,
        6.5,
        7,
        7,
        7.5,
        7,
        6.5,
        6.5,
        6.5,
        6,
        5,
        3.5,
        2.5,
        2,
        1.8,
        1.6,
        1.5,
    ]
)
for _p in (_HEATING, _COOKING, _HOT_WATER, _COMMERCE):
    _p /= _p.sum()


def _ar1(rng: np.random.Generator, n: int, phi: float, sigma: np.ndarray | float) -> np.ndarray:
    shocks = rng.normal(0.0, 1.0, n) * sigma
    out = np.empty(n)
    acc = 0.0
    for i in range(n):
        acc = phi * acc + shocks[i]
        out[i] = acc
    return out


def _spring_factors(offset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(residential, commerce) multipliers by days from Chinese New Year's Day."""
    off = offset.astype(float)
    inside = offset != NO_SPRING
    # people leave from about -8, most are away over the first week, back by +15
    away = np.where(off < 0, np.clip((off + 8) / 8, 0, 1), np.clip(1 - (off - 6) / 9, 0, 1))
    residential = np.where(inside, 1 - 0.12 * away, 1.0)
    closed = np.where(off < 0, np.clip((off + 4) / 4, 0, 1), np.clip(1 - (off - 7) / 7, 0, 1))
    commerce = np.where(inside, 1 - 0.6 * closed, 1.0)
    return residential, commerce


def demand_history(
    *, annual_m3: float, end: datetime, seed: int = 0, days: int = DAYS, tz: str = LOCAL_TZ
) -> pd.DataFrame:
    """Hourly [hour (UTC start, tz-aware), volume_m3, temperature_c] for the `days` local days
    before the day `end` falls in, up to the last whole hour before `end`."""
    rng = np.random.default_rng(seed)
    end_ts = pd.Timestamp(end)
    end_ts = end_ts.tz_localize("UTC") if end_ts.tzinfo is None else end_ts.tz_convert("UTC")
    end_hour = end_ts.floor("h")
    last_day = end_hour.tz_convert(tz).tz_localize(None).normalize()
    day_index = pd.date_range(last_day - pd.Timedelta(days=days), last_day, freq="D")
    cal = day_features(day_index)
    n_days = len(day_index)

    # temperature: seasonal mean + autocorrelated weather (stormier in winter) + daily cycle
    doy = day_index.dayofyear.to_numpy()
    season = -np.cos(2 * np.pi * (doy - COLDEST_DOY) / 365.25)  # -1 mid-winter .. 1 mid-summer
    daily_mean = CLIMATE_MEAN_C + CLIMATE_SWING_C * season
    daily_mean = daily_mean + _ar1(rng, n_days, 0.75, 1.45 - 0.45 * season)
    amplitude = 4.6 - 0.6 * season + rng.normal(0, 0.6, n_days)
    local = pd.date_range(day_index[0], day_index[-1] + pd.Timedelta(hours=23), freq="h")
    hour = local.hour.to_numpy()
    d = np.repeat(np.arange(n_days), 24)
    cycle = (
        np.cos(2 * np.pi * (hour - 15) / 24) * 0.85 + np.cos(4 * np.pi * (hour - 15) / 24) * 0.15
    )
    temperature = daily_mean[d] + amplitude[d] * cycle + _ar1(rng, len(local), 0.9, 0.25)

    # demand components per day (relative units)
    t_alloc = allocation_temperature(pd.Series(daily_mean, index=day_index)).to_numpy()
    heating_day = 3.2 / (1 + (-36.0 / (t_alloc - 40.0)) ** 6.0)
    hot_water_day = 0.55 + 0.2 * np.clip(15 - t_alloc, 0, 25) / 25
    cooking_day = np.full(n_days, 0.55)
    commerce_day = np.full(n_days, 0.75)
    day_type = cal["day_type"].to_numpy()
    res_f, com_f = _spring_factors(cal["spring_offset"].to_numpy())
    weekend = day_type != WORKDAY
    commerce_day = commerce_day * np.where(weekend, np.where(day_type == SUNDAY, 0.5, 0.65), 1.0)
    commerce_day *= com_f
    home = np.where(weekend, 1.06, 1.0) * res_f
    heating_day = heating_day * np.where(weekend, 1.04, 1.0) * res_f
    cooking_day = cooking_day * home
    hot_water_day = hot_water_day * home

    # hourly shapes: late mornings on days off; heating follows the hour's cold
    cook_shape = np.tile(_COOKING, n_days)
    late = np.roll(_COOKING, 1)
    cook_shape = np.where(weekend[d], late[hour], cook_shape)
    eve = cal["spring_offset"].to_numpy() == -1  # the New Year's Eve dinner and dumplings
    cook_boost = np.where(eve[d] & (hour >= 15) & (hour <= 23), 2.5, 1.0)
    cold = np.clip(1 + 0.025 * (daily_mean[d] - temperature), 0.6, 1.4)
    heat = heating_day[d] * _HEATING[hour] * cold
    demand = (
        heat
        + cooking_day[d] * cook_shape * cook_boost
        + hot_water_day[d] * _HOT_WATER[hour]
        + commerce_day[d] * _COMMERCE[hour]
    )

    years = (np.arange(len(local)) - len(local)) / (24 * 365.25)
    demand = demand * (1 + GROWTH_PER_YEAR) ** years
    demand = (
        demand * np.exp(_ar1(rng, n_days, 0.5, 0.022)[d]) * np.exp(rng.normal(0, 0.03, len(local)))
    )

    hours_utc = local.tz_localize(tz).tz_convert("UTC")
    frame = pd.DataFrame(
        {"hour": hours_utc, "volume_m3": demand, "temperature_c": np.round(temperature, 1)}
    )
    frame = frame[frame["hour"] < end_hour].reset_index(drop=True)
    last_year = frame["hour"] >= end_hour - pd.Timedelta(days=365)
    frame["volume_m3"] = (
        frame["volume_m3"] * annual_m3 / frame.loc[last_year, "volume_m3"].sum()
    ).round(2)
    return frame
