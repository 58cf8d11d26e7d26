"""The supply plan of a feed: day-ahead and week-ahead nominations from the demand forecast,
with their band and peak hour, and warnings where the peak hour would exceed the feed's
capacity or leave the worst node below the minimum pressure.

The hydraulics stay elsewhere: the caller passes `peak_check(inflow_m3h) -> (lowest node
pressure bar, junction index)`, e.g. a pandapipes solve of the network at that inflow.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

from gaswarden.network.forecast.model import Forecaster

PeakCheck = Callable[[float], tuple[float, int]]

EXCEEDS, MAY_EXCEED = "exceeds", "may_exceed"  # the forecast peak / only the band's top
CAPACITY, PRESSURE = "capacity", "pressure"
WEEK_DAYS = 7


@dataclass(frozen=True)
class PlanWarning:
    day: date
    kind: str  # CAPACITY | PRESSURE
    level: str  # EXCEEDS (at the forecast peak) | MAY_EXCEED (only at the band's top)
    peak_hour: datetime
    inflow_m3h: float
    limit: float  # capacity m³/h, or the minimum pressure bar
    value: float  # the inflow m³/h, or the lowest pressure bar
    junction: int | None = None
    message_zh: str = ""
    message_en: str = ""


@dataclass(frozen=True)
class Nomination:
    """One gas day (local calendar day) of a feed."""

    day: date
    volume_m3: float
    low_m3: float
    high_m3: float
    peak_hour: datetime
    peak_m3h: float
    peak_high_m3h: float
    hours: int  # hours of the day the forecast covers (24 for a whole day)
    kind: str  # DAY_AHEAD | WEEK_AHEAD: which model forecast it


@dataclass
class SupplyPlan:
    feed: int
    name: str
    issued_at: datetime
    capacity_m3h: float | None
    min_pressure_bar: float | None
    day_ahead: Nomination | None
    week: list[Nomination] = field(default_factory=list)
    warnings: list[PlanWarning] = field(default_factory=list)

    @property
    def week_volume_m3(self) -> float:
        return sum(n.volume_m3 for n in self.week)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["week_volume_m3"] = self.week_volume_m3
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), default=_default, ensure_ascii=False)


def _default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def nominations(daily: pd.DataFrame) -> list[Nomination]:
    """From Forecaster.predict_daily's frame."""
    return [
        Nomination(
            day=row.day,
            volume_m3=float(row.forecast),
            low_m3=float(row.low),
            high_m3=float(row.high),
            peak_hour=pd.Timestamp(row.peak_hour).to_pydatetime(),
            peak_m3h=float(row.peak_m3h),
            peak_high_m3h=float(row.peak_high_m3h),
            hours=int(row.hours),
            kind=str(row.kind),
        )
        for row in daily.itertuples(index=False)
    ]


def check(
    noms: list[Nomination],
    *,
    capacity_m3h: float | None,
    min_pressure_bar: float | None,
    peak_check: PeakCheck | None,
) -> list[PlanWarning]:
    """Capacity and pressure warnings of each day's peak hour (forecast and band top)."""
    out: list[PlanWarning] = []
    for nom in noms:
        for level, inflow in ((EXCEEDS, nom.peak_m3h), (MAY_EXCEED, nom.peak_high_m3h)):
            if capacity_m3h is not None and inflow > capacity_m3h:
                out.append(
                    PlanWarning(
                        day=nom.day,
                        kind=CAPACITY,
                        level=level,
                        peak_hour=nom.peak_hour,
                        inflow_m3h=inflow,
                        limit=capacity_m3h,
                        value=inflow,
                        message_zh=f"{nom.day} 高峰小时 {inflow:.0f} m³/h 超过气源能力 "
                        f"{capacity_m3h:.0f} m³/h",
                        message_en=f"{nom.day}: peak hour {inflow:.0f} m³/h exceeds the feed's "
                        f"capacity {capacity_m3h:.0f} m³/h",
                    )
                )
                break  # the band's top only matters when the forecast itself is within
        if peak_check is None or min_pressure_bar is None:
            continue
        for level, inflow in ((EXCEEDS, nom.peak_m3h), (MAY_EXCEED, nom.peak_high_m3h)):
            lowest, junction = peak_check(inflow)
            if lowest < min_pressure_bar:
                out.append(
                    PlanWarning(
                        day=nom.day,
                        kind=PRESSURE,
                        level=level,
                        peak_hour=nom.peak_hour,
                        inflow_m3h=inflow,
                        limit=min_pressure_bar,
                        value=lowest,
                        junction=junction,
                        message_zh=f"{nom.day} 高峰小时最不利点(节点 {junction})压力 "
                        f"{lowest:.4f} bar 低于最低 {min_pressure_bar:.4f} bar",
                        message_en=f"{nom.day}: in the peak hour the worst node ({junction}) "
                        f"falls to {lowest:.4f} bar, below the minimum {min_pressure_bar:.4f} bar",
                    )
                )
                break
    return out


def supply_plan(
    forecaster: Forecaster,
    temperature: pd.Series,
    *,
    feed: int = 0,
    name: str = "",
    capacity_m3h: float | None = None,
    min_pressure_bar: float | None = None,
    peak_check: PeakCheck | None = None,
    days: int = WEEK_DAYS,
) -> SupplyPlan:
    """The plan for the `days` local days after the forecaster's history.

    `temperature` is the hourly temperature forecast (UTC index) covering those days. The
    day-ahead nomination is the first whole day; the rest of the day in progress, if any, is
    forecast (so the lags line up) but not nominated."""
    last = forecaster.last_hour
    start = last + pd.Timedelta(hours=1)
    first_day = pd.Timestamp(start.tz_convert(forecaster.tz).date())
    whole_from = (
        first_day if start.tz_convert(forecaster.tz).hour == 0 else first_day + pd.Timedelta(days=1)
    )
    end_local = (whole_from + pd.Timedelta(days=days)).tz_localize(forecaster.tz)
    hours = pd.date_range(start, end_local.tz_convert("UTC"), freq="h", inclusive="left")
    daily = forecaster.predict_daily(hours, temperature)
    noms = [n for n in nominations(daily) if n.hours == 24]
    return SupplyPlan(
        feed=feed,
        name=name,
        issued_at=start.to_pydatetime(),
        capacity_m3h=capacity_m3h,
        min_pressure_bar=min_pressure_bar,
        day_ahead=noms[0] if noms else None,
        week=noms,
        warnings=check(
            noms,
            capacity_m3h=capacity_m3h,
            min_pressure_bar=min_pressure_bar,
            peak_check=peak_check,
        ),
    )
