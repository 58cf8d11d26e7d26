"""Model metres onto WGS 84 and back, and distances.

A net's coordinates are projected metres (a national grid such as EPSG:31467, or the local
metres an imported GeoJSON was projected to). An `Origin` ties one model point (x0, y0) to one
WGS 84 point (lon0, lat0); the rest follows by a local equirectangular projection without
rotation, which at district size (a few km) is off by well under a metre.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from gaswarden.core.geo import EARTH_RADIUS_M

Floats = npt.NDArray[np.float64]
M_PER_DEG_LAT = math.pi * EARTH_RADIUS_M / 180.0


@dataclass(frozen=True)
class Origin:
    """Model point (x0, y0) [m] sits at (lon0, lat0) [degrees, WGS 84]."""

    x0: float
    y0: float
    lon0: float
    lat0: float

    @property
    def m_per_deg_lon(self) -> float:
        return M_PER_DEG_LAT * math.cos(math.radians(self.lat0))

    def to_lonlat(self, x: Any, y: Any) -> tuple[Floats, Floats]:
        """Model metres (scalars or arrays) to lon/lat arrays."""
        xs = np.asarray(x, dtype=float)
        ys = np.asarray(y, dtype=float)
        lon = self.lon0 + (xs - self.x0) / self.m_per_deg_lon
        lat = self.lat0 + (ys - self.y0) / M_PER_DEG_LAT
        return lon, lat

    def to_xy(self, lon: Any, lat: Any) -> tuple[Floats, Floats]:
        """Lon/lat (scalars or arrays) to model metres."""
        lons = np.asarray(lon, dtype=float)
        lats = np.asarray(lat, dtype=float)
        x = self.x0 + (lons - self.lon0) * self.m_per_deg_lon
        y = self.y0 + (lats - self.lat0) * M_PER_DEG_LAT
        return x, y

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Origin:
        return cls(
            x0=float(data["x0"]),
            y0=float(data["y0"]),
            lon0=float(data["lon0"]),
            lat0=float(data["lat0"]),
        )


def local_origin(lon: Any, lat: Any) -> Origin:
    """An origin at the centre of the given lon/lat points, model metres (0, 0) there: for
    data that comes in lon/lat (GeoJSON)."""
    lons = np.asarray(lon, dtype=float)
    lats = np.asarray(lat, dtype=float)
    lon0 = float((lons.min() + lons.max()) / 2) if lons.size else 0.0
    lat0 = float((lats.min() + lats.max()) / 2) if lats.size else 0.0
    return Origin(0.0, 0.0, lon0, lat0)


def placed(x: Any, y: Any, lon0: float, lat0: float) -> Origin:
    """An origin that puts the centre of the model's extent at (lon0, lat0)."""
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    return Origin(float((xs.min() + xs.max()) / 2), float((ys.min() + ys.max()) / 2), lon0, lat0)


def distance_m(x1: Any, y1: Any, x2: Any, y2: Any) -> Floats:
    """Straight-line distance between model points, metres (broadcasts)."""
    return np.hypot(np.asarray(x2, float) - np.asarray(x1, float), np.asarray(y2, float) - y1)


def polyline_length_m(points: list[tuple[float, float]]) -> float:
    """Length of a polyline in model metres."""
    if len(points) < 2:
        return 0.0
    arr = np.asarray(points, dtype=float)
    return float(np.hypot(*np.diff(arr, axis=0).T).sum())


def extent_m(x: Any, y: Any) -> tuple[float, float]:
    """Width and height of the model's extent, metres."""
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    if not xs.size:
        return 0.0, 0.0
    return float(xs.max() - xs.min()), float(ys.max() - ys.min())
