"""The bulk writes of an import: registry assets (junctions, pipe segments) and the network's
junction, pipe and feed rows, each table in one executemany (PostgreSQL batches them as
multi-row VALUES), never an ORM object per row. Schutterwald's 2,559 + 2,559 of each stay a
second or two."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from gaswarden.core.scope import areas_under
from gaswarden.domains.area.enums import AreaLevel
from gaswarden.domains.area.models import Area
from gaswarden.domains.asset.enums import AssetKind, AssetStatus, PipeMaterial
from gaswarden.domains.asset.models import Asset
from gaswarden.domains.network.enums import JunctionRole
from gaswarden.domains.network.models import (
    NetworkFeed,
    NetworkJunction,
    NetworkPipe,
    PipeNetwork,
)
from gaswarden.network.geo import Origin
from gaswarden.network.model import Net
from gaswarden.network.validate import components
from gaswarden.standards.pressure import PressureClass

ASSET: Table = Asset.__table__  # type: ignore[assignment]
JUNCTION: Table = NetworkJunction.__table__  # type: ignore[assignment]
PIPE: Table = NetworkPipe.__table__  # type: ignore[assignment]
FEED: Table = NetworkFeed.__table__  # type: ignore[assignment]


@dataclass
class Placed:
    """The net's junctions with their roles and WGS 84 positions, ready to write."""

    junctions: pd.DataFrame  # index: junction index; x, y, lon, lat, role, demand, customers
    pipe_coords: dict[int, list[list[float]]]  # pipe index -> [[lon, lat], ...]


def place(net: Net, origin: Origin) -> Placed:
    j = net.junction
    geo = net.junction_geodata.reindex(j.index)
    lon, lat = origin.to_lonlat(geo.x.to_numpy(), geo.y.to_numpy())
    sinks = net.sink[net.sink.in_service.astype(bool)] if "sink" in net else pd.DataFrame()
    demand = (
        sinks.groupby("junction").mdot_kg_per_s.sum().reindex(j.index, fill_value=0.0)
        if len(sinks)
        else pd.Series(0.0, index=j.index)
    )
    customers = (
        sinks.groupby("junction").size().reindex(j.index, fill_value=0)
        if len(sinks)
        else pd.Series(0, index=j.index)
    )
    _, degree = components(net)
    feeds = set(net.ext_grid.junction.tolist())
    roles = [
        JunctionRole.FEED
        if idx in feeds
        else JunctionRole.SERVICE
        if (deg <= 1 and n > 0) or str(kind) == "house_node"
        else JunctionRole.MAINS
        for idx, deg, n, kind in zip(j.index, degree, customers, j.type, strict=True)
    ]
    frame = pd.DataFrame(
        {
            "x": geo.x.to_numpy(),
            "y": geo.y.to_numpy(),
            "lon": lon,
            "lat": lat,
            "role": roles,
            "demand": demand.to_numpy(),
            "customers": customers.to_numpy(),
        },
        index=j.index,
    )
    coords: dict[int, list[list[float]]] = {}
    pg = net.pipe_geodata if "pipe_geodata" in net else pd.DataFrame()
    for idx, a, b in zip(net.pipe.index, net.pipe.from_junction, net.pipe.to_junction, strict=True):
        points = pg.coords.get(idx) if len(pg) else None
        if points is not None and len(points) >= 2:
            arr = np.asarray(points, dtype=float)
            plon, plat = origin.to_lonlat(arr[:, 0], arr[:, 1])
            coords[int(idx)] = [[round(x, 7), round(y, 7)] for x, y in zip(plon, plat, strict=True)]
        else:
            coords[int(idx)] = [
                [round(float(frame.at[a, "lon"]), 7), round(float(frame.at[a, "lat"]), 7)],
                [round(float(frame.at[b, "lon"]), 7), round(float(frame.at[b, "lat"]), 7)],
            ]
    return Placed(junctions=frame, pipe_coords=coords)


class GridFinder:
    """The grid (under `area_id`) containing a point; the network's area when none does."""

    def __init__(self, session: Session, area_id: int | None) -> None:
        from shapely.geometry import shape

        stmt = select(Area).where(Area.level == AreaLevel.GRID, Area.boundary.is_not(None))
        if area_id is not None:
            area = session.get(Area, area_id)
            if area is not None:
                stmt = stmt.where(Area.id.in_(areas_under((area.path,))))
        self.default = area_id
        self.grids = [(a.id, shape(a.boundary)) for a in session.scalars(stmt)]

    def areas(self, lon: np.ndarray, lat: np.ndarray) -> list[int | None]:
        import shapely

        out: list[int | None] = [self.default] * len(lon)
        left = np.ones(len(lon), dtype=bool)
        for grid_id, polygon in self.grids:
            inside = shapely.intersects_xy(polygon, lon, lat) & left
            for k in np.flatnonzero(inside):
                out[k] = grid_id
            left &= ~inside
        return out


def _material(value: Any) -> PipeMaterial | None:
    return PipeMaterial(value) if value in PipeMaterial._value2member_map_ else None


def _pclass(value: Any) -> PressureClass | None:
    return PressureClass(value) if value in PressureClass._value2member_map_ else None


def write_assets(
    session: Session, network: PipeNetwork, net: Net, placed: Placed
) -> tuple[dict[int, int], dict[int, int]]:
    """Junction and pipe-segment assets; (junction index -> asset id, pipe -> asset id)."""
    frame = placed.junctions
    finder = GridFinder(session, network.area_id)
    j_areas = finder.areas(frame.lon.to_numpy(), frame.lat.to_numpy())
    code = network.code
    rows: list[dict[str, Any]] = []
    j = net.junction
    for (idx, row), area_id, name, pn in zip(
        frame.iterrows(), j_areas, j.name, j.pn_bar, strict=True
    ):
        lon, lat = round(float(row.lon), 7), round(float(row.lat), 7)
        rows.append(
            _asset(
                network,
                code=f"{code}-J{idx}",
                name=f"{network.name} 节点 {name if isinstance(name, str) else idx}"[:150],
                kind=AssetKind.JUNCTION,
                area_id=area_id,
                lon=lon,
                lat=lat,
                geometry={"type": "Point", "coordinates": [lon, lat]},
                design_pressure_mpa=float(pn) / 10.0,
            )
        )
    pipe = net.pipe
    mid_lon = np.array([np.mean([c[0] for c in placed.pipe_coords[int(i)]]) for i in pipe.index])
    mid_lat = np.array([np.mean([c[1] for c in placed.pipe_coords[int(i)]]) for i in pipe.index])
    p_areas = finder.areas(mid_lon, mid_lat)
    for k, (idx, row) in enumerate(pipe.iterrows()):
        rows.append(
            _asset(
                network,
                code=f"{code}-P{idx}",
                name=f"{network.name} 管段 {row['name'] if isinstance(row['name'], str) else idx}"[
                    :150
                ],
                kind=AssetKind.PIPE_SEGMENT,
                area_id=p_areas[k],
                lon=round(float(mid_lon[k]), 7),
                lat=round(float(mid_lat[k]), 7),
                geometry={"type": "LineString", "coordinates": placed.pipe_coords[int(idx)]},
                material=_material(row.get("material")),
                diameter_mm=float(row.inner_diameter_mm),
                length_m=round(float(row.length_km) * 1000.0, 2),
                pressure_class=_pclass(row.get("pressure_class")),
                status=AssetStatus.IN_SERVICE
                if bool(row.in_service)
                else AssetStatus.OUT_OF_SERVICE,
            )
        )
    session.execute(insert(ASSET), rows)
    found = session.execute(select(Asset.code, Asset.id).where(Asset.code.like(f"{code}-%")))
    ids = {asset_code: asset_id for asset_code, asset_id in found}
    j_ids = {int(i): ids[f"{code}-J{i}"] for i in frame.index}
    p_ids = {int(i): ids[f"{code}-P{i}"] for i in pipe.index}
    return j_ids, p_ids


def _asset(network: PipeNetwork, **values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {c.name: None for c in ASSET.columns if c.name != "id"}
    base.update(
        status=AssetStatus.IN_SERVICE,
        owner_id=network.owner_id,
        notes=f"管网模型 {network.code} network model",
        created_at=None,
        updated_at=None,
    )
    base.update(values)
    from gaswarden.db.base import utcnow

    now = utcnow()
    base["created_at"] = base["updated_at"] = now
    return base


def write_rows(
    session: Session,
    network: PipeNetwork,
    net: Net,
    placed: Placed,
    junction_assets: dict[int, int],
    pipe_assets: dict[int, int],
) -> None:
    frame = placed.junctions
    names = net.junction.name
    session.execute(
        insert(JUNCTION),
        [
            {
                "network_id": network.id,
                "index": int(idx),
                "name": (str(names[idx])[:64] if isinstance(names[idx], str) else None),
                "asset_id": junction_assets[int(idx)],
                "role": row.role,
                "x_m": float(row.x),
                "y_m": float(row.y),
                "lon": float(row.lon),
                "lat": float(row.lat),
                "height_m": float(net.junction.at[idx, "height_m"]),
                "pn_bar": float(net.junction.at[idx, "pn_bar"]),
                "demand_kg_s": float(row.demand),
                "customers": int(row.customers),
            }
            for idx, row in frame.iterrows()
        ],
    )
    pipe = net.pipe
    session.execute(
        insert(PIPE),
        [
            {
                "network_id": network.id,
                "index": int(idx),
                "name": str(row["name"])[:64] if isinstance(row["name"], str) else None,
                "asset_id": pipe_assets[int(idx)],
                "from_junction": int(row.from_junction),
                "to_junction": int(row.to_junction),
                "length_m": float(row.length_km) * 1000.0,
                "diameter_mm": float(row.inner_diameter_mm),
                "k_mm": float(row.k_mm),
                "material": row.get("material") if isinstance(row.get("material"), str) else None,
                "pressure_class": (
                    row.get("pressure_class")
                    if isinstance(row.get("pressure_class"), str)
                    else None
                ),
            }
            for idx, row in pipe.iterrows()
        ],
    )
    feeds = [
        {
            "network_id": network.id,
            "index": int(idx),
            "name": (str(row["name"]) if isinstance(row["name"], str) else f"feed {idx}")[:100],
            "junction": int(row.junction),
            "p_bar": float(row.p_bar),
            "capacity_m3h": None,
            "asset_id": None,
            "flow_device_id": None,
        }
        for idx, row in net.ext_grid.iterrows()
    ]
    if feeds:
        session.execute(insert(FEED), feeds)
