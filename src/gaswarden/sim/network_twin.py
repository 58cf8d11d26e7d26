"""The simulated truth behind a pipe network's sensors: pandapipes steady states, hour by hour.

For every model hour the twin takes the feed's demand for that hour (the network's metered
history, the same hour a week earlier when the hour is not in it yet), spreads it over the
houses with an unknown ±20 % per house and hour, adds the leak the `network_leak` incident
injected, and solves. The bound pressure monitors then read the junction's pressure with 10 Pa
of noise and the inlet flow meter the feed's inflow. This is the simulator's truth, solved
independently of the estimator in gaswarden.network, which sees only the readings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandapipes
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.device.models import Device
from gaswarden.domains.network.enums import JunctionRole, SensorQuantity
from gaswarden.domains.network.models import (
    DemandHour,
    NetworkFeed,
    NetworkJunction,
    NetworkSensor,
    PipeNetwork,
)
from gaswarden.network.model import Net, from_json

HOUSE_VARIATION = 0.20  # unknown per-house, per-hour demand variation (uniform ±)
PRESSURE_NOISE_KPA = 0.010  # 10 Pa, a good piezoresistive monitor
FLOW_NOISE = 0.003  # relative, an ultrasonic meter
LEAK_SHARE = (0.05, 0.09)  # of the hour's demand, drawn per incident
LOOKBACK_WEEKS = 8  # how far back the same hour of the week is looked for


@dataclass(frozen=True)
class Leak:
    junction: int
    kg_s: float
    share: float
    lon: float
    lat: float

    def describe(self) -> str:
        return (
            f"junction {self.junction} at ({self.lon:.5f}, {self.lat:.5f}), "
            f"{self.kg_s * 3600:.1f} kg/h ({self.share:.0%} of demand)"
        )


@dataclass
class NetworkTwin:
    network_id: int
    code: str
    net: Net
    density: float  # kg/m³ at normal conditions
    nominal_m3h: float  # the net's sinks as given, m³/h
    sensors: dict[str, tuple[SensorQuantity, int]]  # serial -> (quantity, junction or feed)
    demand_m3h: dict[datetime, float]  # metered history, by hour
    candidates: list[tuple[int, float, float]]  # leak sites: (junction, lon, lat)
    seed: int = 0
    leak_share: tuple[float, float] = LEAK_SHARE  # the next leak's size, drawn in this range
    house_variation: float = HOUSE_VARIATION
    leak: Leak | None = None
    _cache: dict[tuple[datetime, Leak | None], dict[str, float]] = field(default_factory=dict)

    @property
    def flow_meters(self) -> list[str]:
        return [s for s, (q, _) in self.sensors.items() if q is SensorQuantity.FLOW]

    # ---- the hour's state ----------------------------------------------------------------

    def hour_demand_m3h(self, hour: datetime) -> float:
        for weeks in range(LOOKBACK_WEEKS + 1):
            value = self.demand_m3h.get(hour - timedelta(weeks=weeks))
            if value is not None:
                return value
        return self.nominal_m3h * 0.85

    def _solve(self, hour: datetime) -> dict[str, float]:
        key = (hour, self.leak)
        if key in self._cache:
            return self._cache[key]
        net = self.net
        base = net.sink["_nominal"].to_numpy()
        seed = random.Random(f"{self.seed}/{self.code}/{hour}").getrandbits(32)
        rng = np.random.default_rng(seed)
        scale = self.hour_demand_m3h(hour) / self.nominal_m3h
        spread = self.house_variation
        factors = 1 + rng.uniform(-spread, spread, len(base))
        net.sink["mdot_kg_per_s"] = base * scale * factors
        leak_rows = net.sink.index[net.sink["name"] == "__twin_leak__"]
        net.sink.drop(leak_rows, inplace=True)
        if self.leak is not None:
            pandapipes.create_sink(
                net, self.leak.junction, mdot_kg_per_s=self.leak.kg_s, name="__twin_leak__"
            )
        pandapipes.pipeflow(net)
        pressures = net.res_junction["p_bar"]
        inflow = float(-net.res_ext_grid["mdot_kg_per_s"].sum())
        values: dict[str, float] = {}
        for serial, (quantity, where) in self.sensors.items():
            if quantity is SensorQuantity.PRESSURE:
                values[serial] = float(pressures.at[where]) * 100.0  # bar -> kPa
            else:
                values[serial] = inflow / self.density * 3600.0  # m³/h at normal conditions
        if len(self._cache) > 48:
            self._cache.clear()
        self._cache[key] = values
        return values

    def reading(self, serial: str, clock: datetime, rng: random.Random) -> dict[str, float]:
        """What the sensor `serial` reads at model time `clock`."""
        hour = clock.replace(minute=0, second=0, microsecond=0)
        value = self._solve(hour)[serial]
        quantity, _ = self.sensors[serial]
        if quantity is SensorQuantity.PRESSURE:
            return {"pressure_kpa": round(value + rng.gauss(0, PRESSURE_NOISE_KPA), 3)}
        return {"flow_m3h": round(value * (1 + rng.gauss(0, FLOW_NOISE)), 1)}

    # ---- the incident ----------------------------------------------------------------------

    def start_leak(self, rng: random.Random, clock: datetime) -> Leak:
        junction, lon, lat = rng.choice(self.candidates)
        share = rng.uniform(*self.leak_share)
        hour = clock.replace(minute=0, second=0, microsecond=0)
        kg_s = self.hour_demand_m3h(hour) * self.density / 3600.0 * share
        self.leak = Leak(junction, kg_s, share, lon, lat)
        return self.leak

    def stop_leak(self) -> None:
        self.leak = None


@dataclass
class Twins:
    """The twins of every network with bound sensors, by sensor serial."""

    twins: list[NetworkTwin]
    by_serial: dict[str, NetworkTwin] = field(init=False)

    def __post_init__(self) -> None:
        self.by_serial = {s: t for t in self.twins for s in t.sensors}

    def __contains__(self, serial: str) -> bool:
        return serial in self.by_serial

    def reading(self, serial: str, clock: datetime, rng: random.Random) -> dict[str, float]:
        return self.by_serial[serial].reading(serial, clock, rng)

    @property
    def flow_meters(self) -> set[str]:
        return {s for t in self.twins for s in t.flow_meters}


def _twin(session: Session, network: PipeNetwork, seed: int) -> NetworkTwin | None:
    rows = session.execute(
        select(NetworkSensor, Device.serial)
        .join(Device, Device.id == NetworkSensor.device_id)
        .where(NetworkSensor.network_id == network.id)
    ).all()
    if not rows:
        return None
    net = from_json(network.model_json)
    density = float(net.fluid.get_density(273.15))
    net.sink["_nominal"] = net.sink["mdot_kg_per_s"].astype(float)
    nominal_m3h = float(net.sink["_nominal"].sum()) / density * 3600.0
    sensors = {
        serial: (s.quantity, s.junction if s.quantity is SensorQuantity.PRESSURE else s.feed or 0)
        for s, serial in rows
    }
    first_feed = session.scalar(
        select(NetworkFeed.index).where(NetworkFeed.network_id == network.id).limit(1)
    )
    demand = {
        h: v
        for h, v in session.execute(
            select(DemandHour.hour, DemandHour.volume_m3).where(
                DemandHour.network_id == network.id,
                DemandHour.feed == (first_feed or 0),
                DemandHour.volume_m3.is_not(None),
            )
        ).all()
    }
    candidates = [
        (j, lon, lat)
        for j, lon, lat in session.execute(
            select(NetworkJunction.index, NetworkJunction.lon, NetworkJunction.lat)
            .where(
                NetworkJunction.network_id == network.id,
                NetworkJunction.role == JunctionRole.MAINS,
            )
            .order_by(NetworkJunction.index)
        ).all()
    ]
    return NetworkTwin(
        network_id=network.id,
        code=network.code,
        net=net,
        density=density,
        nominal_m3h=nominal_m3h,
        sensors=sensors,
        demand_m3h=_as_aware(demand),
        candidates=candidates,
        seed=seed,
    )


def _as_aware(demand: dict[Any, Any]) -> dict[datetime, float]:
    """SQLite gives naive UTC datetimes back."""
    return {(h if h.tzinfo else h.replace(tzinfo=UTC)): float(v) for h, v in demand.items()}


def read_twins(session: Session, seed: int = 0) -> Twins:
    twins = [
        t
        for network in session.scalars(select(PipeNetwork).order_by(PipeNetwork.id))
        if (t := _twin(session, network, seed)) is not None
    ]
    return Twins(twins)
