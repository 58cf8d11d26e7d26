"""Small hand-built pandapipes nets for the network tests (shared by the network helpers).

`small_net()`: a 5 × 4 grid of mains junctions 100 m apart (a spanning tree of the grid plus two
extra pipes, so two loops), one feed (external grid, 1 bar gauge) at the corner junction 0, and
ten houses, each a leaf junction on a 15 m service pipe with one sink. 30 junctions, 31 pipes,
coordinates in metres. Mains junction ids 0..19 (row-major: id = 5·row + col), houses 20..29.
"""

from __future__ import annotations

import pandapipes
from pandapipes import pandapipesNet

GRID_COLS = 5
GRID_ROWS = 4
SPACING_M = 100.0
# (row, col) of the mains junction each house hangs off
HOUSES: tuple[tuple[int, int], ...] = (
    (0, 2), (0, 4), (1, 1), (1, 3), (2, 0), (2, 2), (2, 4), (3, 1), (3, 3), (3, 4),
)  # fmt: skip
HOUSE_DEMAND_KG_S = 0.004


def grid_id(row: int, col: int) -> int:
    return row * GRID_COLS + col


def small_net() -> pandapipesNet:
    net = pandapipes.create_empty_network(fluid="hgas")
    for row in range(GRID_ROWS):
        for col in range(GRID_COLS):
            pandapipes.create_junction(
                net, pn_bar=1.0, tfluid_k=283.15, name=f"M{row}{col}",
                geodata=(col * SPACING_M, row * SPACING_M),
            )  # fmt: skip

    def pipe(a: int, b: int, length_m: float, diameter_m: float, name: str) -> None:
        pandapipes.create_pipe_from_parameters(
            net,
            a,
            b,
            length_km=length_m / 1000.0,
            inner_diameter_mm=diameter_m * 1000.0,
            k_mm=0.1,
            name=name,
        )

    # a comb: the first column is the trunk, every row a branch ...
    for row in range(GRID_ROWS):
        if row > 0:
            pipe(grid_id(row - 1, 0), grid_id(row, 0), SPACING_M, 0.08, f"trunk{row}")
        for col in range(1, GRID_COLS):
            pipe(grid_id(row, col - 1), grid_id(row, col), SPACING_M, 0.05, f"row{row}_{col}")
    # ... and two cross links making two loops
    pipe(grid_id(0, 2), grid_id(1, 2), SPACING_M, 0.05, "loop_a")
    pipe(grid_id(2, 3), grid_id(3, 3), SPACING_M, 0.05, "loop_b")
    for k, (row, col) in enumerate(HOUSES):
        j = pandapipes.create_junction(
            net, pn_bar=1.0, tfluid_k=283.15, name=f"H{k}",
            geodata=(col * SPACING_M + 10.0, row * SPACING_M + 11.0),
        )  # fmt: skip
        pipe(grid_id(row, col), j, 15.0, 0.025, f"service{k}")
        pandapipes.create_sink(net, j, mdot_kg_per_s=HOUSE_DEMAND_KG_S, name=f"house{k}")
    pandapipes.create_ext_grid(net, grid_id(0, 0), p_bar=1.0, t_k=283.15, name="feed")
    return net
