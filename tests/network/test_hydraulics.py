"""Warm repeated solves agree with plain pandapipes; the state estimate scales to the inflow."""

from __future__ import annotations

import numpy as np
import pandapipes
import pytest
from pandapipes import pandapipesNet

from gaswarden.network.hydraulics import PA_PER_BAR, Solver
from tests.network.nets import HOUSE_DEMAND_KG_S, grid_id


def plain(net: pandapipesNet, factors: np.ndarray, leak: tuple[int, float] | None) -> np.ndarray:
    net.sink["mdot_kg_per_s"] = net.sink.mdot_kg_per_s * factors
    if leak is not None:
        pandapipes.create_sink(net, leak[0], mdot_kg_per_s=leak[1])
    pandapipes.pipeflow(net)
    return np.asarray(net.res_junction.p_bar.to_numpy() * PA_PER_BAR)


@pytest.mark.parametrize("leak", [None, (grid_id(2, 3), 0.003), (grid_id(3, 4), 0.01)])
def test_warm_solve_matches_a_plain_pipeflow(
    net: pandapipesNet, leak: tuple[int, float] | None
) -> None:
    solver = Solver(net)
    rng = np.random.default_rng(1)
    solver.solve(scale=1.3)  # leave the solver in another state first
    factors = rng.uniform(0.8, 1.2, len(net.sink))
    leaks = {} if leak is None else {leak[0]: leak[1]}
    state = solver.solve(solver.nominal_kg_s * factors, leaks=leaks)
    expected = plain(net, factors, leak)
    assert np.allclose(state.pressure_pa, expected, atol=0.01)
    assert state.inflow_kg_s == pytest.approx(
        HOUSE_DEMAND_KG_S * factors.sum() + (leak or (0, 0))[1]
    )
    assert expected.min() < 1e5 - 500  # the net carries real pressure drops


def test_estimate_scales_the_demand_to_the_metered_inflow(solver: Solver) -> None:
    sensors = [grid_id(0, 4), grid_id(3, 4), grid_id(2, 2)]
    truth = solver.solve(scale=1.1)
    est = solver.estimate(sensors, truth.pressure_pa[sensors], truth.inflow_kg_s)
    assert est.scale == pytest.approx(1.1)
    assert np.allclose(est.residual_pa, 0.0, atol=1e-6)

    leaky = solver.solve(leaks={grid_id(3, 4): 0.006})
    est = solver.estimate(sensors, leaky.pressure_pa[sensors], leaky.inflow_kg_s)
    assert est.scale > 1.0
    # the sensor next to the leak reads lowest against the scaled simulation
    assert est.residual_pa.argmin() == 1 and est.residual_pa[1] < -50


def test_demand_of_the_wrong_length_is_refused(solver: Solver) -> None:
    with pytest.raises(ValueError):
        solver.solve(np.ones(3))
