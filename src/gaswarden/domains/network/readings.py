"""A network's recent measurements, paired in time: what the state estimate and the watch read.

Every inlet-flow reading in the window is a *snapshot*: the feed's inflow then, and for each
pressure monitor its reading nearest in time (within `pair_s`). Monitors report on their own
schedules, so pairing by time (not by averaging over the window) keeps a pressure with the
demand that produced it.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.device.models import Device
from gaswarden.domains.network.enums import SensorQuantity
from gaswarden.domains.network.models import NetworkFeed, NetworkSensor, PipeNetwork
from gaswarden.domains.telemetry.models import Reading

Floats = npt.NDArray[np.float64]
PRESSURE_METRIC = "pressure_kpa"
FLOW_METRIC = "flow_m3h"
PA_PER_KPA = 1000.0


@dataclass(frozen=True)
class Sensor:
    device_id: int
    serial: str
    junction: int  # the net's junction index label


@dataclass
class Window:
    """Snapshots of one feed's inflow and the network's pressures, oldest first."""

    start: datetime
    end: datetime
    pressure: list[Sensor]
    flow_device: int | None
    flow_serial: str | None
    times: list[datetime] = field(default_factory=list)
    inflow_m3h: list[float] = field(default_factory=list)
    pressure_pa: list[list[float]] = field(default_factory=list)  # per snapshot, per sensor
    series: dict[int, list[tuple[datetime, float]]] = field(default_factory=dict)  # raw, kPa

    @property
    def matrix(self) -> Floats:
        """(snapshots, sensors) pressures in Pa; NaN where a sensor had no reading near."""
        if not self.pressure_pa:
            return np.zeros((0, len(self.pressure)))
        return np.asarray(self.pressure_pa, dtype=float)

    def __len__(self) -> int:
        return len(self.times)


def _aware(ts: datetime) -> datetime:
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def sensors_of(session: Session, network: PipeNetwork) -> tuple[list[Sensor], NetworkFeed | None]:
    rows = session.execute(
        select(NetworkSensor, Device.serial)
        .join(Device, Device.id == NetworkSensor.device_id)
        .where(
            NetworkSensor.network_id == network.id,
            NetworkSensor.quantity == SensorQuantity.PRESSURE,
        )
        .order_by(Device.serial)
    ).all()
    feed = session.scalars(
        select(NetworkFeed)
        .where(NetworkFeed.network_id == network.id, NetworkFeed.flow_device_id.is_not(None))
        .order_by(NetworkFeed.index)
        .limit(1)
    ).first()
    return [Sensor(s.device_id, serial, s.junction) for s, serial in rows], feed


def _series(
    session: Session, device_ids: list[int], metric: str, start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, float]]]:
    out: dict[int, list[tuple[datetime, float]]] = {d: [] for d in device_ids}
    if not device_ids:
        return out
    rows = session.execute(
        select(Reading.device_id, Reading.ts, Reading.value)
        .where(
            Reading.device_id.in_(device_ids),
            Reading.metric == metric,
            Reading.ts > start,
            Reading.ts <= end,
        )
        .order_by(Reading.device_id, Reading.ts)
    ).all()
    for device_id, ts, value in rows:
        out[device_id].append((_aware(ts), float(value)))
    return out


def _nearest(series: list[tuple[datetime, float]], at: datetime, pair_s: float) -> float:
    if not series:
        return float("nan")
    times = [t for t, _ in series]
    i = bisect_left(times, at)
    best: tuple[float, float] | None = None
    for j in (i - 1, i):
        if 0 <= j < len(series):
            gap = abs((series[j][0] - at).total_seconds())
            if gap <= pair_s and (best is None or gap < best[0]):
                best = (gap, series[j][1])
    return best[1] if best is not None else float("nan")


def window(
    session: Session,
    network: PipeNetwork,
    *,
    end: datetime,
    minutes: float = 30.0,
    pair_s: float = 150.0,
    newest: int | None = None,
) -> Window:
    """The snapshots of the last `minutes` before `end` (the `newest` of them): one per inflow
    reading, with each monitor's reading nearest in time, within half the meter's interval (at
    most `pair_s`)."""
    start = end - timedelta(minutes=minutes)
    pressure, feed = sensors_of(session, network)
    flow_device = feed.flow_device_id if feed is not None else None
    flow_serial = session.scalar(select(Device.serial).where(Device.id == flow_device))
    out = Window(start, end, pressure, flow_device, flow_serial)
    if flow_device is None:
        return out
    flows = _series(session, [flow_device], FLOW_METRIC, start, end)[flow_device]
    if newest is not None:
        flows = flows[-newest:]
    if len(flows) > 2:  # pair within half the meter's reporting interval, at most pair_s
        gaps = np.diff([t.timestamp() for t, _ in flows])
        pair_s = min(pair_s, max(1.0, float(np.median(gaps)) / 2))
    out.series = _series(session, [s.device_id for s in pressure], PRESSURE_METRIC, start, end)
    for ts, inflow in flows:
        out.times.append(ts)
        out.inflow_m3h.append(inflow)
        out.pressure_pa.append(
            [_nearest(out.series[s.device_id], ts, pair_s) * PA_PER_KPA for s in pressure]
        )
    return out
