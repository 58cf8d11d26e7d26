"""A leak on the small net, where the answer is known, is found and lies in the zone."""

from __future__ import annotations

import json

import numpy as np
import pandapipes
import pytest
from pandapipes import pandapipesNet

from gaswarden.network.hydraulics import PA_PER_BAR, Solver
from gaswarden.network.localise import Localiser, geometry_of
from gaswarden.network.sensitivity import build
from tests.network.nets import grid_id, small_net

SENSORS = [grid_id(0, 4), grid_id(1, 4), grid_id(2, 4), grid_id(3, 4), grid_id(3, 1), grid_id(1, 1)]


def measured(leak: int, size: float, seed: int) -> tuple[np.ndarray, float]:
    """A full pandapipes solve with ±20 % demand per house and a leak; sensors with 10 Pa noise."""
    rng = np.random.default_rng(seed)
    net: pandapipesNet = small_net()
    net.sink["mdot_kg_per_s"] *= rng.uniform(0.8, 1.2, len(net.sink))
    pandapipes.create_sink(net, leak, mdot_kg_per_s=size)
    pandapipes.pipeflow(net)
    p = net.res_junction.p_bar.to_numpy()[SENSORS] * PA_PER_BAR
    return p + rng.normal(0.0, 10.0, len(SENSORS)), float(-net.res_ext_grid.mdot_kg_per_s.sum())


def localiser(solver: Solver, scale: float, **kw: object) -> Localiser:
    return Localiser(build(solver, SENSORS, scale=scale), geometry_of(solver.net), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("leak", "seed"), [(grid_id(3, 3), 0), (grid_id(1, 3), 1), (grid_id(2, 2), 2)]
)
def test_a_known_leak_is_located_within_the_zone(solver: Solver, leak: int, seed: int) -> None:
    p, inflow = measured(leak, 0.004, seed)  # 10 % of the demand
    est = solver.estimate(SENSORS, p, inflow)
    result = localiser(solver, est.scale).locate(est.residual_pa)
    xy = geometry_of(solver.net).xy
    top = result.candidates[0]
    assert np.hypot(*(xy[top.junction] - xy[leak])) <= 100.0
    assert 0.001 < top.leak_kg_s < 0.012  # the right order of magnitude
    touching = set(solver.net.pipe.index[(solver.net.pipe.from_junction == leak)
                                         | (solver.net.pipe.to_junction == leak)])  # fmt: skip
    assert touching <= set(result.zone.pipes)
    assert 0 < result.zone.length_m < solver.net.pipe.length_km.sum() * 1000
    doc = json.loads(json.dumps(result.to_json()))
    assert doc["method"] == "gls" and doc["candidates"][0]["junction_id"] == top.junction_id


def test_no_leak_leaves_no_confident_candidate(solver: Solver) -> None:
    truth = solver.solve(scale=1.0)
    rng = np.random.default_rng(3)
    p = truth.pressure_pa[SENSORS] + rng.normal(0.0, 10.0, len(SENSORS))
    est = solver.estimate(SENSORS, p, truth.inflow_kg_s)
    result = localiser(solver, est.scale).locate(est.residual_pa)
    assert result.candidates[0].leak_kg_s < 0.001  # nothing of a leak's size is fitted
    assert result.extra["chi2_best"] < 30


def test_cosine_baseline_ranks_by_similarity(solver: Solver) -> None:
    leak = grid_id(3, 3)
    p, inflow = measured(leak, 0.004, 0)
    est = solver.estimate(SENSORS, p, inflow)
    loc = localiser(solver, est.scale)
    result = loc.locate_cosine(est.residual_pa, top=5)
    assert result.method == "cosine" and len(result.candidates) == 5
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores)


def test_an_excluded_faulty_sensor_does_not_mislead(solver: Solver) -> None:
    leak = grid_id(1, 3)
    p, inflow = measured(leak, 0.004, 1)
    p[3] -= 800.0  # sensor at (3, 4) reads far too low: would point at the bottom row
    est = solver.estimate(SENSORS, p, inflow)
    xy = geometry_of(solver.net).xy
    fooled = localiser(solver, est.scale).locate(est.residual_pa).candidates[0]
    good = localiser(solver, est.scale, exclude=[3]).locate(est.residual_pa).candidates[0]
    assert np.hypot(*(xy[good.junction] - xy[leak])) <= 100.0
    assert np.hypot(*(xy[fooled.junction] - xy[leak])) > 100.0


def test_the_point_is_where_the_leak_most_likely_lies_within_reach(solver: Solver) -> None:
    """Not the single likeliest junction: the one with the most probability within 60 m (and,
    weighted less, within 200 m). Four candidates: 0 alone, 1-3 within 50 m of each other."""
    base = localiser(solver, 1.0)
    n = base.dist.shape[0]
    dist = np.full((n, n), 1000.0)
    np.fill_diagonal(dist, 0.0)
    for a in (1, 2, 3):
        for b in (1, 2, 3):
            dist[a, b] = 0.0 if a == b else 50.0
    loc = localiser(solver, 1.0, dist=dist)
    post = np.zeros((1, n))
    post[0, :4] = [0.4, 0.2, 0.2, 0.2]
    loss = loc.expected_loss(post)[0]
    assert int(loss.argmin()) in (1, 2, 3)
    # 0: P(d > 60) = 0.6 and P(d > 200) = 0.6; 1: 0.4 and 0.4 (FAR_WEIGHT 0.3)
    assert loss[0] == pytest.approx(0.6 + 0.3 * 0.6)
    assert loss[1] == pytest.approx(0.4 + 0.3 * 0.4)
    # the leak far from both: the far term decides between two equally likely sites
    dist[0, 4] = dist[4, 0] = 150.0  # a fifth candidate 150 m from candidate 0
    post[0, :5] = [0.3, 0.0, 0.0, 0.0, 0.0]
    post[0, 5] = 0.7  # the rest 1,000 m from everything
    mixed = localiser(solver, 1.0, dist=dist).expected_loss(post / post.sum())[0]
    assert mixed[0] == pytest.approx(0.7 + 0.3 * 0.7)
    assert mixed[4] == pytest.approx(1.0 + 0.3 * 0.7)  # 0.3 within 200 m, none within 60 m
