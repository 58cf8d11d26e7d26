"""The linearised sensitivities against pandapipes finite differences, and their cache."""

from __future__ import annotations

import numpy as np
import pytest

from gaswarden.network.hydraulics import Solver
from gaswarden.network.sensitivity import SensitivityCache, build
from gaswarden.network.topology import mains_junctions
from tests.network.nets import GRID_COLS, GRID_ROWS, grid_id

SENSORS = [grid_id(0, 4), grid_id(1, 3), grid_id(2, 4), grid_id(3, 2)]


def test_mains_junctions_are_the_grid(solver: Solver) -> None:
    assert list(mains_junctions(solver.net)) == list(range(GRID_ROWS * GRID_COLS))


@pytest.mark.parametrize("junction", [grid_id(1, 2), grid_id(2, 3), grid_id(3, 4), 27])
def test_gradients_agree_with_finite_differences(solver: Solver, junction: int) -> None:
    base = solver.solve()
    grad = solver.pressure_gradients(SENSORS)[:, junction]
    step = 2e-4
    moved = solver.solve(leaks={junction: step})
    fd = (moved.pressure_pa[SENSORS] - base.pressure_pa[SENSORS]) / step
    assert np.all(fd < 0)
    assert np.allclose(grad, fd, rtol=0.03)


def test_inflow_normalised_column_explains_a_leak_after_scaling(solver: Solver) -> None:
    leak, size = grid_id(2, 3), 1e-3
    truth = solver.solve(leaks={leak: size})
    est = solver.estimate(SENSORS, truth.pressure_pa[SENSORS], truth.inflow_kg_s)
    sens = build(solver, SENSORS, scale=est.scale)
    column = sens.matrix[:, list(sens.candidates).index(leak)]
    assert np.allclose(est.residual_pa / size, column, rtol=0.05, atol=0.02 * abs(column).max())
    # the common mode is gone: a demand-proportional increase leaves ~nothing
    assert np.allclose(sens.demand_matrix @ sens.demand_kg_s, 0.0, atol=1e-6)


def test_cache_is_per_load_level_and_bounded(solver: Solver) -> None:
    cache = SensitivityCache(maxsize=2)
    a = cache.get(solver, SENSORS, scale=1.01)
    assert cache.get(solver, SENSORS, scale=0.99) is a  # same 5 % level
    b = cache.get(solver, SENSORS, scale=1.2)
    assert b is not a and b.level == pytest.approx(1.2)
    cache.get(solver, SENSORS, scale=0.5)
    assert len(cache) == 2
    assert cache.get(solver, SENSORS, scale=1.0) is not a  # evicted, rebuilt
