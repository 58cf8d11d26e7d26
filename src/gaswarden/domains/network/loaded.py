"""A stored network made ready to compute: its net, solver, geometry and sensitivities.

Loading a net (JSON → pandapipes) and the first solve take a fraction of a second; the
sensitivities per load level less than one. Each process keeps the few networks it computes
on, keyed by id and the row's `updated_at` (a re-import or edit loads afresh).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from gaswarden.domains.network.models import PipeNetwork
from gaswarden.network.hydraulics import Solver
from gaswarden.network.localise import Geometry, geometry_of
from gaswarden.network.model import Net, from_json
from gaswarden.network.sensitivity import SensitivityCache

KEEP = 4  # networks per process


@dataclass
class Loaded:
    network_id: int
    version: datetime | None
    net: Net
    solver: Solver
    geometry: Geometry
    density: float  # kg/m³ at normal conditions (0 °C, 101.325 kPa)
    sensitivities: SensitivityCache = field(default_factory=SensitivityCache)
    lock: threading.Lock = field(default_factory=threading.Lock)  # one computation at a time

    def m3h_to_kg_s(self, m3h: float) -> float:
        return m3h * self.density / 3600.0

    def kg_s_to_m3h(self, kg_s: float) -> float:
        return kg_s / self.density * 3600.0


_cache: OrderedDict[int, Loaded] = OrderedDict()
_guard = threading.Lock()


def load(network: PipeNetwork) -> Loaded:
    with _guard:
        hit = _cache.get(network.id)
        if hit is not None and hit.version == network.updated_at:
            _cache.move_to_end(network.id)
            return hit
    net = from_json(network.model_json)
    loaded = Loaded(
        network_id=network.id,
        version=network.updated_at,
        net=net,
        solver=Solver(net),
        geometry=geometry_of(net),
        density=float(net.fluid.get_density(273.15)),
    )
    with _guard:
        _cache[network.id] = loaded
        while len(_cache) > KEEP:
            _cache.popitem(last=False)
    return loaded
