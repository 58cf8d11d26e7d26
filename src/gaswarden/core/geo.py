"""Small geometry helpers on WGS84 coordinates."""

from __future__ import annotations

import itertools
import math
from typing import Any

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def line_length_m(geometry: dict[str, Any]) -> float:
    lines = (
        [geometry["coordinates"]]
        if geometry["type"] == "LineString"
        else geometry["coordinates"]
        if geometry["type"] == "MultiLineString"
        else []
    )
    return sum(
        haversine_m(a[0], a[1], b[0], b[1]) for line in lines for a, b in itertools.pairwise(line)
    )


def representative_point(geometry: dict[str, Any]) -> tuple[float, float]:
    from shapely.geometry import shape

    point = shape(geometry).representative_point()
    return point.x, point.y
