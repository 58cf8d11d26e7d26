"""Greedy placement adds sensors where they help locate simulated leaks."""

from __future__ import annotations

from gaswarden.network.hydraulics import Solver
from gaswarden.network.localise import geometry_of
from gaswarden.network.placement import farthest_point, greedy
from gaswarden.network.topology import mains_junctions
from tests.network.nets import grid_id


def test_farthest_point_starts_at_the_far_corner(solver: Solver) -> None:
    geo = geometry_of(solver.net)
    picks = farthest_point(geo, 3, mains_junctions(solver.net), start=grid_id(0, 0))
    assert picks[0] == grid_id(3, 4)
    assert len(set(picks)) == 3


def test_greedy_adds_new_sites_and_locates_more_leaks(solver: Solver) -> None:
    geo = geometry_of(solver.net)
    existing = [grid_id(0, 4)]
    first = greedy(solver, 1, geo, existing=existing, n_leaks=80, radius_m=100.0, seed=3)
    more = greedy(solver, 3, geo, existing=existing, n_leaks=80, radius_m=100.0, seed=3)
    assert more.sensors[:1] == existing and len(more.added) == 3
    assert len(set(more.sensors)) == 4 and set(more.added) <= set(mains_junctions(solver.net))
    assert more.added[0] == first.added[0]  # same seed, same first choice
    assert more.share_within[-1] > more.share_within[0] > 0.0
