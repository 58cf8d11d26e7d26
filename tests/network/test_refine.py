"""Re-linearised localisation on the small net (full pandapipes truth, noise, demand spread)."""

from __future__ import annotations

import numpy as np
import pytest

from gaswarden.network import refine
from gaswarden.network.hydraulics import Solver
from gaswarden.network.localise import geometry_of
from gaswarden.network.topology import mains_junctions
from tests.network.nets import grid_id
from tests.network.test_localise import SENSORS, localiser, measured


@pytest.mark.parametrize(("leak", "seed"), [(grid_id(3, 3), 0), (grid_id(2, 1), 4)])
def test_refined_localisation_finds_the_leak_and_its_size(
    solver: Solver, leak: int, seed: int
) -> None:
    p, inflow = measured(leak, 0.006, seed)
    est = solver.estimate(SENSORS, p, inflow)
    geo = geometry_of(solver.net)
    first = localiser(solver, est.scale)
    result = refine.locate(
        solver, SENSORS, p, inflow, geo, mains_junctions(solver.net), first=first
    )
    top = result.candidates[0]
    assert np.hypot(*(geo.xy[top.junction] - geo.xy[leak])) <= 100.0
    assert result.extra["stages"] == refine.STAGES
    assert top.leak_kg_s == pytest.approx(0.006, rel=0.5)


def test_without_a_leak_refinement_stops_early(solver: Solver) -> None:
    truth = solver.solve(scale=0.9)
    p = truth.pressure_pa[SENSORS]
    result = refine.locate(
        solver, SENSORS, p, truth.inflow_kg_s, geometry_of(solver.net), mains_junctions(solver.net)
    )
    assert result.extra["stages"] == 1
    assert result.candidates[0].leak_kg_s < refine.MIN_LEAK_SHARE * truth.inflow_kg_s
