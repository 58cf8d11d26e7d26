"""The network's state now: simulated pressures everywhere, residuals at the monitors.

Quasi-static state estimation: the demand (the model's sinks, in proportion) is scaled so that
the simulated inflow equals the newest metered inflow, and solved; each monitor's residual is
its reading minus the simulated pressure at its junction. With no metered inflow in the last
hour the state is the nominal one (the model's own demand) and there are no residuals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.domains.network import service
from gaswarden.domains.network.loaded import load
from gaswarden.domains.network.models import NetworkJunction, NetworkPipe
from gaswarden.domains.network.readings import window
from gaswarden.network.topology import positions

PA_PER_KPA = 1000.0


@dataclass
class SensorState:
    serial: str
    junction: int
    lon: float
    lat: float
    measured_kpa: float | None
    simulated_kpa: float | None
    residual_pa: float | None


@dataclass
class NetworkState:
    network_id: int
    at: datetime | None  # of the metered inflow used; None: nominal
    source: str  # "metered" | "nominal"
    inflow_m3h: float
    scale: float  # demand multiplier over the model's nominal demand
    junction_kpa: dict[int, float]  # junction label -> simulated pressure, kPa gauge
    sensors: list[SensorState] = field(default_factory=list)
    lowest: tuple[int, float] | None = None  # (junction, kPa)
    highest: tuple[int, float] | None = None

    def pipe_kpa(self, pipes: list[NetworkPipe]) -> dict[int, float]:
        """A pipe's pressure: the mean of its two ends."""
        j = self.junction_kpa
        return {
            p.index: (j[p.from_junction] + j[p.to_junction]) / 2
            for p in pipes
            if p.from_junction in j and p.to_junction in j
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "network_id": self.network_id,
            "at": self.at.isoformat() if self.at else None,
            "source": self.source,
            "inflow_m3h": round(self.inflow_m3h, 1),
            "scale": round(self.scale, 4),
            "lowest": _extreme(self.lowest),
            "highest": _extreme(self.highest),
            "sensors": [s.__dict__ for s in self.sensors],
        }


def _extreme(value: tuple[int, float] | None) -> dict[str, Any] | None:
    return None if value is None else {"junction": value[0], "kpa": round(value[1], 3)}


def current(*, session: Session, principal: Principal, id: int, now: datetime) -> NetworkState:
    network = service.get_network(session=session, principal=principal, id=id)
    loaded = load(network)
    w = window(session, network, end=now, minutes=60.0)
    sensors = w.pressure
    pos = positions(loaded.net, [s.junction for s in sensors])
    measured = w.matrix[-1] if len(w) else np.full(len(sensors), np.nan)
    with loaded.lock:
        if len(w):
            inflow_kg_s = loaded.m3h_to_kg_s(w.inflow_m3h[-1])
            est = loaded.solver.estimate(pos, np.nan_to_num(measured), inflow_kg_s)
            state, scale = est.state, est.scale
        else:
            state, scale = loaded.solver.solve(), 1.0
    ids = loaded.geometry.junction_ids
    kpa = state.pressure_pa / PA_PER_KPA
    junction_kpa = {int(i): float(v) for i, v in zip(ids, kpa, strict=True) if np.isfinite(v)}
    coords = {
        j.index: (j.lon, j.lat)
        for j in session.scalars(
            select(NetworkJunction).where(
                NetworkJunction.network_id == network.id,
                NetworkJunction.index.in_([s.junction for s in sensors]),
            )
        )
    }
    out = NetworkState(
        network_id=network.id,
        at=w.times[-1] if len(w) else None,
        source="metered" if len(w) else "nominal",
        inflow_m3h=loaded.kg_s_to_m3h(state.inflow_kg_s),
        scale=scale,
        junction_kpa=junction_kpa,
    )
    for k, s in enumerate(sensors):
        lon, lat = coords.get(s.junction, (0.0, 0.0))
        sim = junction_kpa.get(s.junction)
        meas = float(measured[k]) / PA_PER_KPA if np.isfinite(measured[k]) else None
        residual = None if meas is None or sim is None else round((meas - sim) * PA_PER_KPA, 1)
        out.sensors.append(SensorState(s.serial, s.junction, lon, lat, meas, sim, residual))
    if junction_kpa:
        low = min(junction_kpa.items(), key=lambda kv: kv[1])
        high = max(junction_kpa.items(), key=lambda kv: kv[1])
        out.lowest, out.highest = low, high
    return out
