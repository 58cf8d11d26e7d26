"""The network watch: from the last minutes of pressures and inflow to a localised leak.

For each snapshot (an inflow reading with the monitors' readings nearest in time) the demand
is scaled to the metered inflow and solved; the residuals (measured − simulated) of the
recent snapshots are combined per monitor (median). Faulty monitors (stuck, drifting, out of
range) are left out first, so that a broken sensor is not a leak. A leak is declared when one
junction's leak signature explains the residuals much better than no leak at all (a
generalised likelihood-ratio test on the GLS misfit, `GLR_MIN`) and the fitted leak is
clearly above zero, or, half as clear, when the residuals' CUSUM charts (network/detect.py)
show a lasting drop on two or more monitors, or, when the pressures see nothing, when the
metered inflow has stayed far above the demand forecast for an hour (the mass balance: gas
lost where the pressures hardly show it); it is then localised (re-linearised around the
leak found), its search zone and shut-off segments worked out, recorded and raised as an alarm
(leaks.record).

`scan` runs every network with bound sensors (a maintenance job); `check` runs one (the CLI's
`gaswarden network locate`, the API's POST .../locate).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM, Principal
from gaswarden.domains.network import leaks
from gaswarden.domains.network.enums import DetectionMethod
from gaswarden.domains.network.loaded import Loaded, load
from gaswarden.domains.network.models import (
    NetworkFeed,
    NetworkLeak,
    NetworkSensor,
    PipeNetwork,
)
from gaswarden.domains.network.readings import Window, window
from gaswarden.network import detect, refine
from gaswarden.network.localise import Localiser
from gaswarden.network.topology import positions

log = logging.getLogger(__name__)

# Practice values, not standards.
WINDOW_MIN = 120.0  # minutes of readings a check looks at ...
MAX_SNAPSHOTS = 24  # ... at most this many of the newest (a 5-minute meter: two hours)
RECENT = 6  # the newest snapshots whose residuals are combined
MIN_SNAPSHOTS = 3
MIN_SENSORS = 3  # healthy pressure monitors needed to localise
GLR_MIN = 30.0  # χ²(no leak) − χ²(best junction) to declare a leak
ALPHA_Z_MIN = 4.0  # fitted leak over its standard error
LOCATE_STAGES = 3  # linearisations (network/refine.py)
MASS_BALANCE_MIN = 60.0  # minutes the inflow must stay above the forecast band


@dataclass
class Check:
    network_id: int
    code: str
    at: datetime
    snapshots: int = 0
    sensors: int = 0
    excluded: list[dict[str, Any]] = field(default_factory=list)
    residuals: dict[str, float] = field(default_factory=dict)  # serial -> Pa
    inflow_m3h: float | None = None
    glr: float | None = None
    cusum: list[str] = field(default_factory=list)  # monitors whose CUSUM chart signals
    mass_balance: dict[str, float] | None = None  # inflow over the forecast, when it signals
    leak_kg_s: float | None = None
    detected: bool = False
    leak: NetworkLeak | None = None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "network_id": self.network_id,
            "network": self.code,
            "at": self.at.isoformat(),
            "snapshots": self.snapshots,
            "sensors": self.sensors,
            "excluded": self.excluded,
            "residuals_pa": self.residuals,
            "inflow_m3h": self.inflow_m3h,
            "glr": self.glr,
            "mass_balance": self.mass_balance,
            "cusum": self.cusum,
            "leak_kg_h": None if self.leak_kg_s is None else round(self.leak_kg_s * 3600, 2),
            "detected": self.detected,
            "leak_id": self.leak.id if self.leak else None,
            "note": self.note,
        }


def _faulty(w: Window, residuals: np.ndarray) -> list[tuple[int, str]]:
    """(row, reason) of the monitors to leave out: out of range, stuck, drifting."""
    from gaswarden.network.sensor_faults import check_sensors

    names = [s.serial for s in w.pressure]
    measured = pd.DataFrame(w.matrix, columns=names)
    faults = check_sensors(measured, pd.DataFrame(residuals, columns=names))
    row = {name: k for k, name in enumerate(names)}
    return [(row[f.sensor], f"{f.reason}: {f.detail}") for f in faults]


def _residuals(loaded: Loaded, w: Window, rows: np.ndarray) -> tuple[np.ndarray, float]:
    """(snapshots, sensors) residuals in Pa over the sensors kept, and the median demand
    scale they were estimated at."""
    pos = positions(loaded.net, [w.pressure[r].junction for r in rows])
    measured = w.matrix[:, rows]
    out = np.full(measured.shape, np.nan)
    scales = []
    for k, inflow in enumerate(w.inflow_m3h):
        est = loaded.solver.estimate(pos, np.nan_to_num(measured[k]), loaded.m3h_to_kg_s(inflow))
        out[k] = np.where(np.isnan(measured[k]), np.nan, est.residual_pa)
        scales.append(est.scale)
    return out, float(np.median(scales))


def check(
    session: Session,
    network: PipeNetwork,
    *,
    now: datetime,
    minutes: float = WINDOW_MIN,
    principal: Principal = SYSTEM,
    record: bool = True,
    mass_balance: bool = True,
) -> Check:
    """Look at the network's last `minutes`; record and raise a leak if one shows.
    `mass_balance`: also hold the metered inflow against the demand forecast (needs real
    metered hours: off where a simulator's clock runs faster than the wall clock)."""
    result = Check(network.id, network.code, now)
    w = window(session, network, end=now, minutes=minutes, newest=MAX_SNAPSHOTS)
    result.snapshots = len(w)
    if len(w) < MIN_SNAPSHOTS or not w.pressure:
        result.note = "not enough readings (inflow and pressures) in the window"
        return result
    loaded = load(network)
    everyone = np.arange(len(w.pressure), dtype=np.int64)
    with loaded.lock:  # the state estimate depends on the inflow only: one per snapshot
        all_res, scale = _residuals(loaded, w, everyone)
    faulty = _faulty(w, all_res)
    result.excluded = [{"serial": w.pressure[r].serial, "reason": why} for r, why in faulty]
    bad = {r for r, _ in faulty}
    rows = np.array([r for r in everyone if r not in bad], dtype=np.int64)
    recent = w.matrix[-RECENT:][:, rows] if len(rows) else np.zeros((0, 0))
    have = rows[~np.all(np.isnan(recent), axis=0)] if len(rows) else rows
    result.sensors = len(have)
    if len(have) < MIN_SENSORS:
        result.note = "too few healthy pressure monitors reporting"
        return result
    res = all_res[:, have]
    with loaded.lock:
        r = np.nanmedian(res[-RECENT:], axis=0)
        result.inflow_m3h = float(np.median(w.inflow_m3h[-RECENT:]))
        result.residuals = {
            w.pressure[row].serial: round(float(v), 1) for row, v in zip(have, r, strict=True)
        }
        pos = positions(loaded.net, [w.pressure[row].junction for row in have])
        sens = loaded.sensitivities.get(loaded.solver, pos, scale=scale)
        localiser = Localiser(sens, loaded.geometry)
        ok = ~np.isnan(r)
        if not ok.all():
            localiser = Localiser(sens, loaded.geometry, exclude=np.flatnonzero(~ok))
        rk = r[ok]
        chi2, alpha = localiser.gls(rk[None, :])
        best = int(chi2[0].argmin())
        result.glr = round(localiser.null_misfit(rk[None, :]) - float(chi2[0, best]), 1)
        result.leak_kg_s = float(alpha[0, best])
        z = float(alpha[0, best]) * np.sqrt(float(localiser.norm2[best]))
        result.cusum = _cusum(w, res, have, ok, localiser)
        method = _decide(result.glr, z, result.cusum)
        if method is None and mass_balance:
            result.mass_balance = _mass_balance(session, network, w)
            if result.mass_balance is not None:
                # Gas is lost, but the pressures hardly show where (a leak near the feed):
                # its size is the excess inflow; the candidates are the pressures' best guess.
                method = DetectionMethod.MASS_BALANCE
                result.leak_kg_s = loaded.m3h_to_kg_s(result.mass_balance["excess_m3h"])
        if method is None:
            result.note = "no leak: the residuals are explained by noise and demand"
            return result
        # Localised with re-linearisation around the leak found (network/refine.py).
        measured = np.nanmedian(w.matrix[-RECENT:][:, have], axis=0)
        located = refine.locate(
            loaded.solver,
            pos,
            np.nan_to_num(measured),
            loaded.m3h_to_kg_s(result.inflow_m3h),
            loaded.geometry,
            sens.candidates,
            first=localiser,
            exclude=np.flatnonzero(~ok) if not ok.all() else None,
            stages=LOCATE_STAGES,
        )
    result.detected = True
    if not record:
        return result
    demand_kg_s = loaded.m3h_to_kg_s(result.inflow_m3h) - result.leak_kg_s
    finding = leaks.Finding(
        method=method,
        at=now,
        window_start=w.times[max(0, len(w) - RECENT)],
        window_end=w.times[-1],
        leak_kg_s=result.leak_kg_s,
        leak_share=result.leak_kg_s / demand_kg_s if demand_kg_s > 0 else None,
        localisation=located.to_json(),
        segments=_segments(session, network, loaded, located.zone.pipes),
        residuals=result.residuals,
        excluded=result.excluded,
    )
    result.leak = leaks.record(
        session,
        network=network,
        finding=finding,
        flow_device_id=w.flow_device,
        principal=principal,
    )
    return result


def _mass_balance(session: Session, network: PipeNetwork, w: Window) -> dict[str, float] | None:
    """The inflow above the forecast by more than k σ (network/detect.py) for the last
    `MASS_BALANCE_MIN` minutes of snapshots, up to the newest; None otherwise."""
    from gaswarden.domains.network import demand

    feed = session.scalar(
        select(NetworkFeed.index).where(
            NetworkFeed.network_id == network.id, NetworkFeed.flow_device_id == w.flow_device
        )
    )
    if feed is None or w.flow_device is None:
        return None
    expected = demand.expected_inflow(session, network, feed, w.times[0], w.times[-1])
    if expected is None:
        return None
    times = pd.DatetimeIndex(w.times)
    hours = times.floor("h")
    inflow = pd.Series(np.asarray(w.inflow_m3h, dtype=float), index=times)
    forecast = pd.Series(expected["forecast"].reindex(hours).to_numpy(), index=times)
    sigma = pd.Series(expected["sigma"].reindex(hours).to_numpy(), index=times)
    lasting = int((times >= times[-1] - pd.Timedelta(minutes=MASS_BALANCE_MIN)).sum())
    found = [
        d
        for d in detect.mass_balance(
            inflow, forecast, sigma, hours=max(detect.MASS_BALANCE_HOURS, lasting)
        )
        if d.end == times[-1]
    ]
    if not found:
        return None
    return {
        "excess_m3h": round(found[-1].size, 1),
        "forecast_m3h": round(float(forecast.iloc[-1]), 1),
        "sigma_m3h": round(float(sigma.iloc[-1]), 1),
    }


def _cusum(
    w: Window, res: np.ndarray, have: np.ndarray, ok: np.ndarray, localiser: Localiser
) -> list[str]:
    """The monitors whose residuals' lower CUSUM chart (network/detect.py) signals a lasting
    drop over the window's snapshots; none unless two or more do."""
    serials = [w.pressure[row].serial for row in have[ok]]
    frame = pd.DataFrame(res[:, ok], index=pd.DatetimeIndex(w.times), columns=serials)
    sigma = float(np.median(localiser.noise_sd_pa))
    return sorted({d.sensor for d in detect.detect_leak(frame, sigma) if d.sensor})


def _decide(glr: float, z: float, cusum: list[str]) -> DetectionMethod | None:
    """A leak when the likelihood ratio is clear on its own, or half as clear with a lasting
    drop charted on two or more monitors."""
    if glr >= GLR_MIN and z >= ALPHA_Z_MIN:
        return DetectionMethod.RESIDUAL_GLR
    if len(cusum) >= 2 and glr >= GLR_MIN / 2 and z >= ALPHA_Z_MIN / 2:
        return DetectionMethod.RESIDUAL_CUSUM
    return None


def _segments(
    session: Session, network: PipeNetwork, loaded: Loaded, pipes: list[int]
) -> list[dict[str, Any]]:
    """The shut-off segments the zone's pipes lie in: valves to close, customers cut off."""
    try:
        from gaswarden.domains.network.shutoff import segments_for
    except ImportError:  # pragma: no cover - while the shut-off module is being built
        return []
    return segments_for(session, network, loaded.net, pipes)


def scan(session: Session, now: datetime, tz: str, *, rollup: bool = True) -> dict[str, int]:
    """Every network with bound sensors, once (the maintenance job): the inlet meters' new
    whole hours into the demand history, then the leak check. Without the rollup (the demo:
    its simulated hours are not the wall clock's) the inflow is not held against the
    forecast either. Then, with the rollup, the day's demand forecasts are fitted if not yet
    (`demand.warm`), so that the forecast page's first visitor of the day does not wait."""
    from gaswarden.domains.network import demand

    ids = session.scalars(select(NetworkSensor.network_id).distinct()).all()
    checked = found = hours = forecasts = 0
    for network in session.scalars(select(PipeNetwork).where(PipeNetwork.id.in_(ids))):
        try:
            with session.begin_nested():
                if rollup:
                    hours += demand.rollup(session, network, now)  # the meters' whole hours
                result = check(session, network, now=now, mass_balance=rollup)
            if rollup:  # not in the demo: a fit there stalls its embedded broker's loop
                forecasts += demand.warm(session, network, now.date())
        except Exception:  # one network's failure must not stop the others
            log.exception("network watch failed for %s", network.code)
            continue
        checked += 1
        found += int(result.detected)
    return {"checked": checked, "leaks": found, "hours": hours, "forecasts": forecasts}
