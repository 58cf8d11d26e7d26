"""Greedy pressure-sensor placement: where the next k monitors locate the most leaks.

Leaks are simulated with the linear model (the inflow-normalised signatures, see
`sensitivity`): random junctions among the candidates, 2-10 % of the demand, sensor noise and
unknown per-house demand deviations drawn once for every possible site. Each step adds the
site (from a random sample of the remaining ones) that maximises the share of those leaks
whose point estimate (`localise`) lies within `radius_m` of the truth, measured smoothly as
the mean of min(error, radius_m) (lower is better; it moves with the share and the median).
For speed the point estimates are taken among a random subset of the candidates.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gaswarden.network.hydraulics import Solver
from gaswarden.network.localise import (
    DEMAND_REL_STD,
    SENSOR_SIGMA_PA,
    ZONE_RADIUS_M,
    Geometry,
    Localiser,
)
from gaswarden.network.sensitivity import Sensitivity
from gaswarden.network.topology import mains_junctions

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
LEAK_SHARE = (0.02, 0.10)  # leak size as a share of the total demand


@dataclass(frozen=True)
class Placement:
    sensors: list[int]  # junction positions: the existing ones, then the added ones in order
    added: list[int]
    share_within: list[float]  # 1 - mean(min(error, radius))/radius after each addition
    radius_m: float
    seconds: float


@dataclass(frozen=True)
class _Pool:
    """Signatures and simulated residuals for every possible site at once."""

    sites: Ints
    sens: Floats  # (n_sites, n_candidates)
    demand_sens: Floats  # (n_sites, n_sinks)
    residuals: Floats  # (n_sites, n_leaks)
    truth: Ints  # candidate column of each simulated leak


def _pool(
    solver: Solver,
    sites: Ints,
    candidates: Ints,
    *,
    n_leaks: int,
    sigma_pa: float,
    demand_rel_std: float,
    rng: np.random.Generator,
) -> _Pool:
    demand = solver.nominal_kg_s
    solver.solve(demand)
    grad = solver.pressure_gradients(sites)
    at_sinks = grad[:, solver.sink_positions]
    common = at_sinks @ (demand / demand.sum())
    sens = grad[:, candidates] - common[:, None]
    dsens = at_sinks - common[:, None]
    truth = rng.integers(0, len(candidates), n_leaks)
    alpha = rng.uniform(*LEAK_SHARE, n_leaks) * demand.sum()
    half_width = demand_rel_std * np.sqrt(3.0)  # uniform ± with that standard deviation
    dev = demand[:, None] * rng.uniform(-half_width, half_width, (len(demand), n_leaks))
    noise = sigma_pa * rng.standard_normal((len(sites), n_leaks)) + dsens @ dev
    return _Pool(sites, sens, dsens, sens[:, truth] * alpha + noise, truth)


def farthest_point(
    geometry: Geometry, k: int, candidates: Sequence[int] | Ints, *, start: int
) -> list[int]:
    """k candidate positions, each the farthest (in the plane) from `start` and those before:
    the rule that seeds a placement with the network's extremities."""
    cand = np.asarray(candidates, dtype=np.int64)
    xy = geometry.xy
    d = np.hypot(*(xy[cand] - xy[start]).T)
    out: list[int] = []
    for _ in range(min(k, len(cand))):
        i = int(d.argmax())
        out.append(int(cand[i]))
        d = np.minimum(d, np.hypot(*(xy[cand] - xy[cand[i]]).T))
    return out


def greedy(
    solver: Solver,
    k: int,
    geometry: Geometry,
    *,
    existing: Sequence[int] = (),
    sites: Sequence[int] | Ints | None = None,
    candidates: Sequence[int] | Ints | None = None,
    n_leaks: int = 150,
    sites_per_step: int = 30,
    point_subset: int = 400,
    radius_m: float = 200.0,
    sigma_pa: float = SENSOR_SIGMA_PA,
    demand_rel_std: float = DEMAND_REL_STD,
    seed: int = 0,
) -> Placement:
    """Add k sensors to `existing` (junction positions), one at a time."""
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    cand = mains_junctions(solver.net) if candidates is None else np.asarray(candidates)
    site_arr = cand if sites is None else np.asarray(sites, dtype=np.int64)
    site_arr = np.unique(np.concatenate([site_arr, np.asarray(existing, dtype=np.int64)]))
    pool = _pool(
        solver, site_arr, np.asarray(cand, dtype=np.int64), n_leaks=n_leaks,
        sigma_pa=sigma_pa, demand_rel_std=demand_rel_std, rng=rng,
    )  # fmt: skip
    row_of = {int(s): i for i, s in enumerate(site_arr)}
    cand_xy = geometry.xy[cand]
    dist = np.sqrt(((cand_xy[:, None, :] - cand_xy[None, :, :]) ** 2).sum(axis=2))
    demand = solver.nominal_kg_s
    subset = np.sort(rng.choice(len(cand), min(point_subset, len(cand)), replace=False))
    loss = np.minimum(dist[:, subset], ZONE_RADIUS_M)  # the proxy keeps the zone radius

    def score(rows: list[int]) -> float:
        sens = Sensitivity(
            sensors=site_arr[rows], candidates=np.asarray(cand, dtype=np.int64),
            matrix=pool.sens[rows], demand_matrix=pool.demand_sens[rows],
            demand_kg_s=demand, level=1.0, build_s=0.0,
        )  # fmt: skip
        loc = Localiser(
            sens, geometry, sigma_pa=sigma_pa, demand_rel_std=demand_rel_std, dist=dist,
            loss=loss,
        )  # fmt: skip
        err = dist[pool.truth, subset[loc.point_estimates(pool.residuals[rows].T)]]
        return float(np.minimum(err, radius_m).mean())

    chosen = [row_of[int(s)] for s in existing]
    added: list[int] = []
    shares: list[float] = []
    for _ in range(k):
        free = np.setdiff1d(np.arange(len(site_arr)), chosen)
        if not len(free):
            break
        trial = rng.choice(free, min(sites_per_step, len(free)), replace=False)
        best = min(trial, key=lambda r: score([*chosen, int(r)]))
        chosen.append(int(best))
        added.append(int(site_arr[best]))
        shares.append(1.0 - score(chosen) / radius_m)
    return Placement(
        sensors=[int(site_arr[r]) for r in chosen],
        added=added,
        share_within=shares,
        radius_m=radius_m,
        seconds=time.perf_counter() - t0,
    )
