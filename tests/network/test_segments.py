"""Shut-off segments on the small net: which valves to close, who loses supply."""

from __future__ import annotations

import pytest
from pandapipes import pandapipesNet

from gaswarden.network.segments import Segments, Valve
from tests.network.nets import grid_id


def pipe(net: pandapipesNet, name: str) -> int:
    return int(net.pipe.index[net.pipe.name == name][0])


def sink_at_house(net: pandapipesNet, house: int) -> int:
    return int(net.sink.index[net.sink.name == f"house{house}"][0])


def test_isolating_a_pipe_cuts_off_the_dead_end_beyond(net: pandapipesNet) -> None:
    valves = [
        Valve("V6", pipe(net, "row0_3"), grid_id(0, 2)),
        Valve("V7", pipe(net, "row0_4"), grid_id(0, 3)),
    ]
    seg = Segments(net, valves)
    own = seg.of_pipe(pipe(net, "row0_3"))
    assert own.pipes == {pipe(net, "row0_3")} and own.junctions == {grid_id(0, 3)}
    iso = seg.isolate(pipe(net, "row0_3"))
    assert iso.close == ["V6", "V7"]
    assert iso.customers == 1 and iso.customer_ids == [sink_at_house(net, 1)]  # house at (0, 4)
    assert grid_id(0, 4) in iso.junctions and grid_id(0, 2) not in iso.junctions


def test_a_segment_fed_from_the_other_side_keeps_its_supply(net: pandapipesNet) -> None:
    valves = [
        Valve("V1", pipe(net, "row2_1"), grid_id(2, 0)),
        Valve("V5", pipe(net, "row2_3"), grid_id(2, 3)),
        Valve("V2", pipe(net, "loop_b"), grid_id(2, 3)),
    ]
    iso = Segments(net, valves).isolate(pipe(net, "row2_2"))
    assert iso.close == ["V1", "V5"]
    # the house at (2, 2) is lost; the one at (2, 4) is still fed through loop_b
    assert iso.customer_ids == [sink_at_house(net, 5)]
    assert grid_id(2, 4) not in iso.junctions


def test_without_valves_the_whole_net_is_one_segment(net: pandapipesNet) -> None:
    seg = Segments(net, [])
    assert len(seg.segments) == 1
    iso = seg.isolate(pipe(net, "row1_2"))
    assert iso.close == [] and iso.customers == len(net.sink)


def test_a_valve_off_its_pipe_is_refused(net: pandapipesNet) -> None:
    with pytest.raises(ValueError):
        Segments(net, [Valve("bad", pipe(net, "row0_1"), grid_id(3, 3))])
