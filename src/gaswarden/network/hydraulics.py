"""Steady states with pandapipes, fast repeated solves, and the quasi-static state estimate.

`Solver` owns a private copy of a net with a few extra zero "leak" sinks. The first solve is a
plain `pandapipes.pipeflow(mode="hydraulics")`; later solves only rewrite the sinks' mass flows
(and the leak sinks' junctions) in pandapipes' internal tables and rerun its Newton-Raphson
solve from the previous solution (a warm start: 2 iterations instead of 3, and none of the
per-call table set-up), which gives the same pressures as a cold `pipeflow` to ~1e-4 Pa.

Pressures are pandapipes' bar (gauge) inside; everything returned here is Pa (gauge).
State estimation: the demand (forecast per sink) is scaled so the simulated feed inflow equals
the metered inflow; residual = measured - simulated at the sensors.
"""

from __future__ import annotations

import copy
import hashlib
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandapipes
from pandapipes import pandapipesNet as Net
from pandapipes.component_models import Sink
from pandapipes.idx_node import IdxNode
from pandapipes.pf.calculation import HydraulicCalculation
from pandapipes.pf.pipeflow_setup import get_lookup
from pandapipes.pf.result_extraction import extract_results_active_pit_hydraulics
from scipy.sparse import csc_matrix
from scipy.sparse.linalg import splu

from gaswarden.network.topology import positions

Floats = npt.NDArray[np.float64]
PA_PER_BAR = 1e5
LEAK_SLOTS = 4  # leak sinks kept in the solver's net (simultaneous leaks per solve)
PF_OPTIONS = {"mode": "hydraulics", "tol_p": 1e-5, "tol_m": 1e-5}


class SolveError(RuntimeError):
    """pandapipes did not converge (or the net is not solvable)."""


@dataclass(frozen=True)
class SteadyState:
    pressure_pa: Floats  # per junction position, gauge Pa (NaN where not supplied)
    inflow_kg_s: float  # into the net from the feed(s)
    iterations: int


@dataclass(frozen=True)
class StateEstimate:
    scale: float  # demand multiplier making the simulated inflow equal the metered one
    state: SteadyState
    sensors: npt.NDArray[np.int64]  # junction positions
    simulated_pa: Floats
    residual_pa: Floats  # measured - simulated


def net_key(net: Net) -> str:
    """A content hash of the net's topology, pipes and sinks (for caches)."""
    h = hashlib.sha1()
    for table, cols in (
        ("junction", ["height_m"]),
        ("pipe", ["from_junction", "to_junction", "length_km", "inner_diameter_mm", "k_mm"]),
        ("sink", ["junction", "mdot_kg_per_s"]),
        ("ext_grid", ["junction", "p_bar"]),
    ):
        frame = net[table]
        h.update(np.asarray(frame.index, dtype=np.int64).tobytes())
        for col in cols:
            if col in frame:
                h.update(np.asarray(frame[col].values, dtype=np.float64).tobytes())
    return h.hexdigest()[:16]


class Solver:
    """Repeated steady-state solves of one net with varying demand and leaks."""

    def __init__(self, net: Net) -> None:
        self.key = net_key(net)
        self.net = copy.deepcopy(net)
        sinks = self.net.sink
        self.sink_ids = np.asarray(sinks.index[sinks.in_service], dtype=np.int64)
        self.n_sinks = len(self.sink_ids)
        self.nominal_kg_s = np.nan_to_num(
            sinks.loc[self.sink_ids, "mdot_kg_per_s"].values.astype(float)
            * sinks.loc[self.sink_ids, "scaling"].values.astype(float)
        )
        self.sink_positions = positions(self.net, sinks.loc[self.sink_ids, "junction"].values)
        self.n_junctions = len(self.net.junction)
        feed = int(self.net.ext_grid.junction.iloc[0])
        self._sink_rows = self.net.sink.index.get_indexer(self.sink_ids)
        self._leak_rows = np.arange(LEAK_SLOTS) + len(self.net.sink)
        for _ in range(LEAK_SLOTS):
            pandapipes.create_sink(self.net, feed, mdot_kg_per_s=0.0, name="gaswarden_leak")
        self._ids = np.asarray(self.net.junction.index, dtype=np.int64)
        self._cold_solve()

    # -- solving ---------------------------------------------------------------------------

    def _cold_solve(self) -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pandapipes.pipeflow(self.net, **PF_OPTIONS)
        except Exception as exc:  # pandapipes raises its own PipeflowNotConverged and others
            raise SolveError(str(exc)) from exc
        self._rows = get_lookup(self.net, "node", "index")["junction"][self._ids]

    def solve(
        self,
        demand_kg_s: npt.ArrayLike | None = None,
        *,
        scale: float = 1.0,
        leaks: Mapping[int, float] | None = None,
    ) -> SteadyState:
        """Steady state for per-sink demand (default nominal) × scale, plus leak sinks.

        `leaks` maps junction positions to leak mass flows (kg/s), at most LEAK_SLOTS of them.
        """
        demand = self.nominal_kg_s if demand_kg_s is None else np.asarray(demand_kg_s, float)
        if demand.shape != (self.n_sinks,):
            raise ValueError(f"demand needs {self.n_sinks} values, got {demand.shape}")
        leaks = dict(leaks or {})
        if len(leaks) > LEAK_SLOTS:
            raise ValueError(f"at most {LEAK_SLOTS} simultaneous leaks")
        arr = self.net["_pit"]["components"]["sink"]
        arr[:, Sink.MDOT] = 0.0
        arr[self._sink_rows, Sink.MDOT] = demand * scale
        for slot, (pos, kg_s) in enumerate(leaks.items()):
            arr[self._leak_rows[slot], Sink.JUNCTION] = self._ids[pos]
            arr[self._leak_rows[slot], Sink.MDOT] = kg_s
        calc = HydraulicCalculation()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            calc.run(self.net)
        if not self.net.converged:
            self._sync_tables(demand * scale, leaks)
            self._cold_solve()  # retry from pandapipes' own initial guess
        else:
            extract_results_active_pit_hydraulics(self.net)
        node_pit = self.net["_pit"]["node"]
        p = node_pit[self._rows, IdxNode.PINIT] * PA_PER_BAR
        active = get_lookup(self.net, "node", "active_hydraulics")[self._rows]
        p = np.where(active, p, np.nan)
        inflow = float(demand.sum() * scale + sum(leaks.values()))
        iters = int(self.net["_internal_results"].get("iterations_hydraulics", 0))
        return SteadyState(pressure_pa=p, inflow_kg_s=inflow, iterations=iters)

    def _sync_tables(self, demand: Floats, leaks: Mapping[int, float]) -> None:
        """Write the demand and leaks into the net's tables (for a cold solve)."""
        sink = self.net.sink
        sink.loc[self.sink_ids, "mdot_kg_per_s"] = demand / sink.loc[self.sink_ids, "scaling"]
        leak_idx = sink.index[self._leak_rows]
        sink.loc[leak_idx, "mdot_kg_per_s"] = 0.0
        for slot, (pos, kg_s) in enumerate(leaks.items()):
            sink.loc[leak_idx[slot], ["junction", "mdot_kg_per_s"]] = [self._ids[pos], kg_s]

    # -- state estimation ------------------------------------------------------------------

    def estimate(
        self,
        sensors: Sequence[int] | npt.NDArray[np.int64],
        measured_pa: npt.ArrayLike,
        inflow_kg_s: float,
        demand_kg_s: npt.ArrayLike | None = None,
    ) -> StateEstimate:
        """Scale the demand to the metered inflow, solve, and give sensor residuals (Pa)."""
        demand = self.nominal_kg_s if demand_kg_s is None else np.asarray(demand_kg_s, float)
        total = float(demand.sum())
        if total <= 0:
            raise ValueError("demand must be positive to be scaled to the inflow")
        scale = inflow_kg_s / total
        state = self.solve(demand, scale=scale)
        idx = np.asarray(sensors, dtype=np.int64)
        simulated = state.pressure_pa[idx]
        residual = np.asarray(measured_pa, dtype=float) - simulated
        return StateEstimate(scale, state, idx, simulated, residual)

    # -- linearisation ---------------------------------------------------------------------

    def pressure_gradients(self, sensors: Sequence[int] | npt.NDArray[np.int64]) -> Floats:
        """d p(sensor) / d load(junction) in Pa per kg/s, shape (n_sensors, n_junctions).

        Taken from pandapipes' own Newton Jacobian at the last solved state (one sparse LU,
        one transposed solve per sensor): the exact linearisation of its equations.
        """
        from pandapipes.pf.system_index import ComponentRegistry, HydraulicSystemIndex

        node_pit = self.net["_active_pit"]["node"]
        branch_pit = self.net["_active_pit"]["branch"]
        sys_idx = HydraulicSystemIndex(node_pit, branch_pit)
        registry = ComponentRegistry()
        for comp in self.net["component_list"]:
            comp.register_equations(
                self.net, branch_pit, node_pit, sys_idx, registry, mode="hydraulics"
            )
        size = sys_idx.size()
        rows, cols, data, _ = registry.assemble(size)
        lu = splu(csc_matrix((data, (rows, cols)), shape=(size, size)))
        active_rows = get_lookup(self.net, "node", "index_active_hydraulics")["junction"]
        jrows = np.asarray(active_rows[self._ids], dtype=np.int64)
        idx = np.asarray(sensors, dtype=np.int64)
        if np.any(jrows[idx] < 0):
            raise SolveError("a sensor sits on a junction that is not supplied")
        rhs = np.zeros((size, len(idx)))
        rhs[jrows[idx], np.arange(len(idx))] = 1.0
        y = lu.solve(rhs, trans="T")  # row i: d p_k / d (equation i)
        out = np.zeros((len(idx), self.n_junctions))
        ok = jrows >= 0
        out[:, ok] = y[jrows[ok]].T * PA_PER_BAR  # node equation i carries -load (checked)
        return out
