"""The inflow-normalised sensitivity matrix, cached per load level.

For a leak of q kg/s at junction j, the pressure at sensor k changes by q·G[k, j]
(G = d p / d load, from the linearised pandapipes equations, Pa per kg/s). The state estimate
scales the demand so the simulated inflow equals the metered one, so the same extra inflow q
spread over the demand in proportion is absorbed: what is left in the residuals is
q·(G[k, j] - c[k]) with c[k] = Σ_i w_i G[k, i] (w = demand shares). That column is the leak's
signature. A per-house demand deviation is absorbed the same way, so its signature is the
corresponding column at the house's junction (used for the noise covariance in `localise`).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gaswarden.network.hydraulics import Solver
from gaswarden.network.topology import mains_junctions

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
LEVEL_STEP = 0.05  # load levels are demand scales rounded to this step (practice value)


@dataclass(frozen=True)
class Sensitivity:
    sensors: Ints  # junction positions of the pressure sensors (rows)
    candidates: Ints  # junction positions of the candidate leak sites (columns)
    matrix: Floats  # (n_sensors, n_candidates) inflow-normalised, Pa per kg/s
    demand_matrix: Floats  # (n_sensors, n_sinks) the same for each sink's demand
    demand_kg_s: Floats  # per sink, the demand at this level
    level: float  # the demand scale linearised around
    build_s: float  # seconds taken to build


def level_of(scale: float, step: float = LEVEL_STEP) -> float:
    return round(max(step, round(scale / step) * step), 6)


def build(
    solver: Solver,
    sensors: Sequence[int] | Ints,
    *,
    scale: float = 1.0,
    demand_kg_s: npt.ArrayLike | None = None,
    candidates: Sequence[int] | Ints | None = None,
) -> Sensitivity:
    """Linearise around the steady state at `demand × scale` and build the signatures."""
    t0 = time.perf_counter()
    demand = solver.nominal_kg_s if demand_kg_s is None else np.asarray(demand_kg_s, float)
    cand = mains_junctions(solver.net) if candidates is None else np.asarray(candidates)
    sens = np.asarray(sensors, dtype=np.int64)
    solver.solve(demand, scale=scale)
    grad = solver.pressure_gradients(sens)  # (k, n_junctions)
    at_sinks = grad[:, solver.sink_positions]
    weights = demand / demand.sum()
    common = at_sinks @ weights
    return Sensitivity(
        sensors=sens,
        candidates=np.asarray(cand, dtype=np.int64),
        matrix=grad[:, cand] - common[:, None],
        demand_matrix=at_sinks - common[:, None],
        demand_kg_s=demand * scale,
        level=scale,
        build_s=time.perf_counter() - t0,
    )


class SensitivityCache:
    """Sensitivities per (net, sensors, candidates, load level); least recently used dropped."""

    def __init__(self, maxsize: int = 16) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[tuple[object, ...], Sensitivity] = OrderedDict()

    def get(
        self,
        solver: Solver,
        sensors: Sequence[int] | Ints,
        *,
        scale: float = 1.0,
        demand_kg_s: npt.ArrayLike | None = None,
        candidates: Sequence[int] | Ints | None = None,
        demand_key: str = "nominal",
    ) -> Sensitivity:
        level = level_of(scale)
        cand_key = None if candidates is None else tuple(int(c) for c in candidates)
        key = (solver.key, tuple(int(s) for s in sensors), cand_key, demand_key, level)
        hit = self._items.get(key)
        if hit is not None:
            self._items.move_to_end(key)
            return hit
        value = build(solver, sensors, scale=level, demand_kg_s=demand_kg_s, candidates=candidates)
        self._items[key] = value
        if len(self._items) > self.maxsize:
            self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)
