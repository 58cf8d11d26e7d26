"""A feed's demand: metered history, the forecast with its band, and the supply plan.

History is `DemandHour` (hourly inflow, m³ at normal conditions, and the temperature); hours
after the last metered one may carry the temperature forecast (volume null). `rollup` adds the
hours the inlet flow meter has measured since (from the hourly telemetry rollups). A fitted
forecaster is kept per process for its network, feed and history (fitting two years takes
seconds); the plan's peak-hour pressure check solves the network at the forecast peak inflow.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Invalid, NotFound
from gaswarden.db.base import utcnow
from gaswarden.domains.network import service
from gaswarden.domains.network.loaded import load
from gaswarden.domains.network.models import DemandHour, NetworkFeed, PipeNetwork
from gaswarden.domains.telemetry.models import HourlyRollup
from gaswarden.network.forecast import Forecaster, fit
from gaswarden.network.forecast.frames import hourly
from gaswarden.network.plan import supply_plan

BAR_PER_PA = 1e-5
HISTORY_DAYS = 730  # the forecaster learns from the last two years
SHOWN_DAYS = 14  # actuals drawn before the forecast
MIN_HISTORY_DAYS = 21
BAND_FOLDS, BAND_DAYS = 4, 14  # rolling-origin blocks the forecast band is measured on
Z90 = 1.2816  # the 10–90 % band is ±1.28 σ of a normal error
_fitted: OrderedDict[tuple[int, int, str], Forecaster] = OrderedDict()
_warmed: dict[int, date] = {}  # network -> the day its feeds' forecasters were last fitted
_guard = threading.Lock()


def _feed(session: Session, network: PipeNetwork, feed: int | None) -> NetworkFeed:
    stmt = select(NetworkFeed).where(NetworkFeed.network_id == network.id)
    if feed is not None:
        stmt = stmt.where(NetworkFeed.index == feed)
    row = session.scalars(stmt.order_by(NetworkFeed.index).limit(1)).first()
    if row is None:
        raise NotFound(f"feed {feed} of network {network.code} not found 未找到气源")
    return row


def history(session: Session, network_id: int, feed: int, *, since: datetime) -> pd.DataFrame:
    """[hour, volume_m3, temperature_c] from `since`, metered and forecast-temperature hours."""
    rows = session.execute(
        select(DemandHour.hour, DemandHour.volume_m3, DemandHour.temperature_c)
        .where(
            DemandHour.network_id == network_id,
            DemandHour.feed == feed,
            DemandHour.hour >= since,
        )
        .order_by(DemandHour.hour)
    ).all()
    frame = pd.DataFrame(rows, columns=["hour", "volume_m3", "temperature_c"])
    frame["hour"] = pd.to_datetime(frame["hour"], utc=True)
    return frame.astype({"volume_m3": float, "temperature_c": float})


def _split(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The metered history (up to the last metered hour) and the temperatures after it."""
    metered = frame.dropna(subset=["volume_m3"])
    if metered.empty:
        return metered, pd.Series(dtype=float)
    last = metered["hour"].iloc[-1]
    past = frame[frame["hour"] <= last]
    future = frame[frame["hour"] > last].set_index("hour")["temperature_c"].dropna()
    return past, future


def _temperatures(past: pd.DataFrame, future: pd.Series, hours: pd.DatetimeIndex) -> pd.Series:
    """The temperature forecast for `hours`: stored where given, else persistence (the same
    hour a day earlier, observed or forecast)."""
    known = past.set_index("hour")["temperature_c"].dropna()
    series = pd.concat([known, future]).sort_index()
    series = series[~series.index.duplicated(keep="last")]
    out = []
    for h in hours:
        value = series.get(h)
        back = h
        while value is None or (isinstance(value, float) and np.isnan(value)):
            back = back - pd.Timedelta(days=1)
            if back < series.index.min():
                value = float(series.iloc[-1]) if len(series) else 10.0
                break
            value = series.get(back)
        out.append(float(value))
    return pd.Series(out, index=hours)


def forecaster(
    session: Session, network: PipeNetwork, feed: int
) -> tuple[Forecaster, pd.DataFrame, pd.Series]:
    frame = history(session, network.id, feed, since=utcnow() - timedelta(days=HISTORY_DAYS + 30))
    past, future = _split(frame)
    if len(past) < MIN_HISTORY_DAYS * 24:
        raise Invalid(
            f"需要至少 {MIN_HISTORY_DAYS} 天的进气量记录才能预测 / the forecast needs "
            f"{MIN_HISTORY_DAYS} days of metered inflow; {len(past) // 24} days are recorded"
        )
    past = past.tail(HISTORY_DAYS * 24)
    # Refitted once a day; within the day the fitted models forecast from the newest hours.
    key = (network.id, feed, str(past["hour"].iloc[-1].date()))
    with _guard:
        hit = _fitted.get(key)
    if hit is None:
        days = len(past) // 24  # the band needs 14-day test blocks after four training weeks
        hit = fit(past, band_folds=max(0, min(BAND_FOLDS, (days - 30) // BAND_DAYS)))
        with _guard:
            _fitted[key] = hit
            while len(_fitted) > 8:
                _fitted.popitem(last=False)
    elif hit.last_hour < past["hour"].iloc[-1]:
        hit = replace(hit, frame=hourly(past))
    return hit, past, future


def warm(session: Session, network: PipeNetwork, today: date) -> int:
    """Fit the day's forecaster of each of the network's feeds, once a day, so that the first
    one to open the forecast page or the supply plan does not wait for a fit (seconds, and
    tens of seconds on a busy machine): the network watch's round calls this in the
    background. Returns how many feeds were fitted (0: done today, or too little history)."""
    with _guard:
        if _warmed.get(network.id) == today:
            return 0
    fitted = 0
    feeds = select(NetworkFeed.index).where(NetworkFeed.network_id == network.id)
    for feed in session.scalars(feeds).all():
        try:
            forecaster(session, network, feed)
        except Invalid:  # too little history yet: the page says so
            continue
        fitted += 1
    with _guard:
        _warmed[network.id] = today
    return fitted


def expected_inflow(
    session: Session, network: PipeNetwork, feed: int, start: datetime, end: datetime
) -> pd.DataFrame | None:
    """The forecast of the hours from `start` to `end` (UTC), issued from the history before
    `start`'s hour (so the hours being checked never taught it), indexed by hour:
    [forecast, low, high, sigma] in m³/h; None without enough history."""
    try:
        fc, past, future = forecaster(session, network, feed)
    except Invalid:
        return None
    first, last = pd.Timestamp(start).floor("h"), pd.Timestamp(end).floor("h")
    before = past[past["hour"] < first]
    if len(before) < MIN_HISTORY_DAYS * 24:
        return None
    hours = pd.date_range(first, last, freq="h")
    observed = past[past["hour"] >= first].set_index("hour")["temperature_c"].dropna()
    temps = _temperatures(before, pd.concat([observed, future]).sort_index(), hours)
    out = replace(fc, frame=hourly(before)).predict(hours, temps).set_index("hour")
    out["sigma"] = (out["high"] - out["low"]) / (2 * Z90)
    return out


def forecast(
    *, session: Session, principal: Principal, id: int, feed: int | None = None, days: int = 7
) -> dict[str, Any]:
    """Actuals of the last two weeks and the hourly and daily forecast with its band."""
    network = service.get_network(session=session, principal=principal, id=id)
    row = _feed(session, network, feed)
    fc, past, future = forecaster(session, network, row.index)
    start = fc.last_hour + pd.Timedelta(hours=1)
    hours = pd.date_range(start, periods=days * 24, freq="h")
    temps = _temperatures(past, future, hours)
    hourly = fc.predict(hours, temps)
    daily = fc.predict_daily(hours, temps)
    shown = past.tail(SHOWN_DAYS * 24)
    return {
        "network_id": network.id,
        "feed": row.index,
        "feed_name": row.name,
        "issued_after": fc.last_hour.isoformat(),
        "actual": [
            {"hour": h.isoformat(), "m3": round(float(v), 1)}
            for h, v in zip(shown["hour"], shown["volume_m3"], strict=True)
        ],
        "hourly": [
            {
                "hour": r.hour.isoformat(),
                "forecast": round(float(r.forecast), 1),
                "low": round(float(r.low), 1),
                "high": round(float(r.high), 1),
                "kind": r.kind,
                "temperature_c": round(float(temps[r.hour]), 1),
            }
            for r in hourly.itertuples()
        ],
        "daily": [
            {
                "day": str(r.day),
                "forecast": round(float(r.forecast)),
                "low": round(float(r.low)),
                "high": round(float(r.high)),
                "peak_hour": pd.Timestamp(r.peak_hour).isoformat(),
                "peak_m3h": round(float(r.peak_m3h), 1),
                "kind": r.kind,
            }
            for r in daily.itertuples()
        ],
    }


def plan(
    *, session: Session, principal: Principal, id: int, feed: int | None = None
) -> dict[str, Any]:
    """Day-ahead and week-ahead nominations with the capacity and peak-pressure warnings."""
    network = service.get_network(session=session, principal=principal, id=id)
    row = _feed(session, network, feed)
    fc, past, future = forecaster(session, network, row.index)
    loaded = load(network)

    def peak_check(inflow_m3h: float) -> tuple[float, int]:
        with loaded.lock:
            state = loaded.solver.solve(scale=_scale(loaded, inflow_m3h))
        p = np.where(np.isnan(state.pressure_pa), np.inf, state.pressure_pa)
        worst = int(np.argmin(p))
        return float(p[worst]) * BAR_PER_PA, int(loaded.geometry.junction_ids[worst])

    start = fc.last_hour + pd.Timedelta(hours=1)
    hours = pd.date_range(start, periods=9 * 24, freq="h")
    result = supply_plan(
        fc,
        _temperatures(past, future, hours),
        feed=row.index,
        name=row.name,
        capacity_m3h=row.capacity_m3h,
        min_pressure_bar=network.min_pressure_bar,
        peak_check=peak_check,
    )
    return {"network_id": network.id, **result.to_dict()}


def _scale(loaded: Any, inflow_m3h: float) -> float:
    nominal = float(loaded.solver.nominal_kg_s.sum())
    return loaded.m3h_to_kg_s(inflow_m3h) / nominal if nominal > 0 else 1.0


def rollup(session: Session, network: PipeNetwork, now: datetime) -> int:
    """Copy the inlet meters' whole hours into the demand history (mean m³/h over the hour =
    the hour's m³). Hours already metered are left alone. Returns the hours added."""
    added = 0
    top = now.replace(minute=0, second=0, microsecond=0)
    for feed in session.scalars(
        select(NetworkFeed).where(
            NetworkFeed.network_id == network.id, NetworkFeed.flow_device_id.is_not(None)
        )
    ):
        last = session.scalar(
            select(func.max(DemandHour.hour)).where(
                DemandHour.network_id == network.id,
                DemandHour.feed == feed.index,
                DemandHour.volume_m3.is_not(None),
            )
        )
        stmt = select(HourlyRollup).where(
            HourlyRollup.device_id == feed.flow_device_id,
            HourlyRollup.metric == "flow_m3h",
            HourlyRollup.hour < top,
        )
        if last is not None:
            stmt = stmt.where(HourlyRollup.hour > last)
        for r in session.scalars(stmt.order_by(HourlyRollup.hour)):
            if r.count <= 0:
                continue
            key = (network.id, feed.index, r.hour)
            row = session.get(DemandHour, key)
            if row is None:
                row = DemandHour(network_id=network.id, feed=feed.index, hour=r.hour)
                session.add(row)
            row.volume_m3 = r.sum / r.count
            added += 1
    session.flush()
    return added
