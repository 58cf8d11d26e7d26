"""The demo's emergency data without loading the district: the equipment lines add up to the
rescue teams' sets (225 in all), and the invented road network crosses the river only on
its bridges."""

from __future__ import annotations

import itertools

from gaswarden.sim.demo_emergency import (
    BRIDGED,
    EW_LATS,
    RIVER_EAST,
    RIVER_WEST,
    equipment_lines,
    road_network,
)
from gaswarden.sim.demo_workforce import RESCUE_TEAMS


def test_equipment_lines_add_up_to_each_team_and_to_225() -> None:
    totals = []
    for _, _, sets, _ in RESCUE_TEAMS:
        lines = equipment_lines(sets)
        assert sum(n for *_, n in lines) == sets
        assert all(n > 0 for *_, n in lines)
        totals.append(sets)
    assert len(RESCUE_TEAMS) == 8 and sum(totals) == 225


def test_the_river_is_crossed_only_on_the_bridges() -> None:
    crossings = set()
    for feature in road_network()["features"]:
        coords = feature["geometry"]["coordinates"]
        for (x1, y1), (x2, y2) in itertools.pairwise(coords):
            if x1 <= RIVER_WEST and x2 >= RIVER_EAST:
                assert y1 == y2
                crossings.add(y1)
    assert crossings == set(BRIDGED) and set(BRIDGED) < set(EW_LATS)
