"""The demo district's map: 东昌府区 as ten towns/streets, each tiled by rectangular grids.

Rectangles share edges and never overlap, so a point strictly inside one lies in no other;
points are drawn with a margin from every edge. The layout is schematic (west to east, north
and south rows), not a survey.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from gaswarden.sim.names import numeral

WEST, EAST = 115.85, 116.15
SOUTH, NORTH = 36.35, 36.55
DISTRICT = ("371502", "东昌府区")


@dataclass(frozen=True)
class Box:
    west: float
    south: float
    east: float
    north: float

    def polygon(self) -> dict[str, Any]:
        ring = [
            [self.west, self.south],
            [self.east, self.south],
            [self.east, self.north],
            [self.west, self.north],
            [self.west, self.south],
        ]
        return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}

    def contains(self, lon: float, lat: float) -> bool:
        return self.west <= lon < self.east and self.south <= lat < self.north

    def point(self, rng: random.Random, margin: float = 0.12) -> tuple[float, float]:
        """A point well inside the box (at least `margin` of its size from every edge)."""
        w, h = self.east - self.west, self.north - self.south
        lon = self.west + w * (margin + rng.random() * (1 - 2 * margin))
        lat = self.south + h * (margin + rng.random() * (1 - 2 * margin))
        return round(lon, 6), round(lat, 6)


@dataclass
class Grid:
    code: str
    name: str
    box: Box
    town: Town


@dataclass
class Town:
    code: str
    name: str
    urban: bool  # a city street (dense: homes, restaurants) or a town (镇, more rural)
    box: Box
    grids: list[Grid] = field(default_factory=list)


# (name, urban) by rows, west to east; each town is 0.06 degrees wide and 0.10 high.
_ROWS: tuple[tuple[tuple[str, bool], ...], ...] = (
    (("堂邑镇", False), ("侯营镇", False), ("北城街道", True), ("道口铺街道", False),
     ("凤凰街道", False)),
    (("湖西街道", True), ("古楼街道", True), ("柳园街道", True), ("新区街道", True),
     ("阎寺街道", False)),
)  # fmt: skip


def build_towns() -> list[Town]:
    """The ten towns with their grids: 3 x 2 grids in a city street, 2 x 2 in the others."""
    towns: list[Town] = []
    n_cols = len(_ROWS[0])
    width = (EAST - WEST) / n_cols
    height = (NORTH - SOUTH) / len(_ROWS)
    seq = 0
    for row, entries in enumerate(_ROWS):
        north = NORTH - row * height
        for col, (name, urban) in enumerate(entries):
            seq += 1
            west = WEST + col * width
            box = Box(west, north - height, west + width, north)
            town = Town(code=f"{DISTRICT[0]}{seq:03d}", name=name, urban=urban, box=box)
            cols, rows = (3, 2) if urban else (2, 2)
            short = name.removesuffix("街道").removesuffix("镇")
            k = 0
            for gr in range(rows):
                for gc in range(cols):
                    k += 1
                    gw, gh = width / cols, height / rows
                    g_box = Box(
                        west + gc * gw,
                        north - (gr + 1) * gh,
                        west + (gc + 1) * gw,
                        north - gr * gh,
                    )
                    town.grids.append(
                        Grid(f"{town.code}-{k:02d}", f"{short}第{numeral(k)}网格", g_box, town)
                    )
            towns.append(town)
    return towns


def district_box() -> Box:
    return Box(WEST, SOUTH, EAST, NORTH)


def grid_for(towns: list[Town], lon: float, lat: float) -> Grid:
    """The grid containing the point (points outside the district go to the nearest edge)."""
    lon = min(max(lon, WEST), EAST - 1e-9)
    lat = min(max(lat, SOUTH), NORTH - 1e-9)
    for town in towns:
        if town.box.contains(lon, lat):
            for grid in town.grids:
                if grid.box.contains(lon, lat):
                    return grid
    raise AssertionError("the towns tile the district")
