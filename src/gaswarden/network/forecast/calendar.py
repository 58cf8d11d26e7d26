"""Calendar features for gas demand: Chinese public holidays, 调休 working weekends, the Spring
Festival window, weekday and month.

Holidays come from the `holidays` package (China: the State Council's schedule, including the
substituted days off and the weekend days worked in exchange). Days are local calendar days
(Asia/Shanghai by default); hours are stored in UTC and converted here.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
import numpy as np
import pandas as pd
from holidays.calendars.chinese import _ChineseLunisolar

from gaswarden.core.localtime import DEFAULT_TZ

LOCAL_TZ = DEFAULT_TZ

# The Spring Festival window, in days relative to Chinese New Year's Day (practice: migrant
# workers leave about a week before and factories restart about two weeks after, 元宵节 at +14).
SPRING_WINDOW = (-10, 16)
NO_SPRING = 99  # the offset given to days outside the window

# Day types as the standard load profiles use them: working day, Saturday-like, Sunday-like.
WORKDAY, SATURDAY, SUNDAY = 0, 1, 2

DAY_COLUMNS = [
    "weekday",
    "month",
    "doy_sin",
    "doy_cos",
    "is_holiday",
    "is_makeup_workday",
    "is_workday",
    "day_type",
    "spring_offset",
]


@lru_cache(maxsize=16)
def _china(years: tuple[int, ...]) -> tuple[frozenset[date], frozenset[date]]:
    cn = holidays.China(years=years)
    off = frozenset(cn.keys())
    worked = frozenset(d for d in cn.weekend_workdays if d.year in years)
    return off, worked


@lru_cache(maxsize=64)
def chinese_new_year(year: int) -> date:
    """Chinese New Year's Day (春节, first day of the first lunar month) of a Gregorian year."""
    found = _ChineseLunisolar().lunar_new_year_date(year)[0]
    if found is None:
        raise ValueError(f"no Chinese New Year known for {year}")
    return found


def holidays_between(start: date, end: date) -> tuple[frozenset[date], frozenset[date]]:
    """(days off that are public holidays or substituted days off, weekend days worked)."""
    return _china(tuple(range(start.year, end.year + 1)))


def spring_offset(day: date) -> int:
    """Days from the nearest Chinese New Year's Day, or NO_SPRING outside SPRING_WINDOW."""
    lo, hi = SPRING_WINDOW
    for year in (day.year - 1, day.year, day.year + 1):
        offset = (day - chinese_new_year(year)).days
        if lo <= offset <= hi:
            return offset
    return NO_SPRING


def day_features(days: pd.DatetimeIndex | list[date]) -> pd.DataFrame:
    """One row per local calendar day (index: the days as naive midnight timestamps)."""
    index = pd.DatetimeIndex(pd.to_datetime(list(days))).normalize()
    if index.tz is not None:
        index = index.tz_localize(None)
    if len(index) == 0:
        return pd.DataFrame(columns=DAY_COLUMNS, index=index, dtype=float)
    pydays = [ts.date() for ts in index]
    off, worked = holidays_between(min(pydays), max(pydays))
    weekday = index.weekday.to_numpy()
    is_holiday = np.array([d in off for d in pydays])
    is_makeup = np.array([d in worked for d in pydays])
    is_workday = ((weekday < 5) & ~is_holiday) | is_makeup
    day_type = np.where(
        is_workday, WORKDAY, np.where(is_holiday | (weekday == 6), SUNDAY, SATURDAY)
    )
    doy = index.dayofyear.to_numpy()
    angle = 2 * np.pi * (doy - 1) / 365.25
    return pd.DataFrame(
        {
            "weekday": weekday,
            "month": index.month.to_numpy(),
            "doy_sin": np.sin(angle),
            "doy_cos": np.cos(angle),
            "is_holiday": is_holiday.astype(int),
            "is_makeup_workday": is_makeup.astype(int),
            "is_workday": is_workday.astype(int),
            "day_type": day_type,
            "spring_offset": [spring_offset(d) for d in pydays],
        },
        index=index,
    )


def local_days(hours: pd.DatetimeIndex, tz: str = LOCAL_TZ) -> pd.DatetimeIndex:
    """The local calendar day (naive midnight) each UTC hour falls in."""
    return hours.tz_convert(tz).tz_localize(None).normalize()


def hour_features(hours: pd.DatetimeIndex, tz: str = LOCAL_TZ) -> pd.DataFrame:
    """Day features of each hour's local day plus the local hour (index: the UTC hours)."""
    if hours.tz is None:
        raise ValueError("hours must be timezone-aware (UTC)")
    days = local_days(hours, tz)
    unique = days.unique()
    per_day = day_features(unique)
    frame = per_day.reindex(days)
    frame.index = hours
    frame.insert(0, "hour", hours.tz_convert(tz).hour)
    return frame


def day_range(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
