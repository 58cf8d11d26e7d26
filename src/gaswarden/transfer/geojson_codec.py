"""GeoJSON FeatureCollections (RFC 7946, WGS84): a feature per site, asset or area; its
properties are the CSV columns, its geometry the point, the pipe's line or the grid's polygon."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from gaswarden.transfer.importer import Row, RowError, check_columns
from gaswarden.transfer.resources import Resource
from gaswarden.transfer.values import to_json

LINES = ("LineString", "MultiLineString")
POLYGONS = ("Polygon", "MultiPolygon")


def feature(resource: Resource, row: dict[str, Any]) -> dict[str, Any]:
    geometry_field = resource.geometry_field
    geometry = row.get(geometry_field) if geometry_field else None
    if geometry is None and row.get("lon") is not None and row.get("lat") is not None:
        geometry = {"type": "Point", "coordinates": [row["lon"], row["lat"]]}
    properties = {
        c: to_json(row.get(c)) for c in resource.columns if c not in ("id", geometry_field)
    }
    return {"type": "Feature", "id": row["id"], "geometry": geometry, "properties": properties}


def write(resource: Resource, rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One feature per line, so that a large collection streams and diffs well."""
    yield '{"type":"FeatureCollection","features":[\n'
    for index, row in enumerate(rows):
        text = json.dumps(feature(resource, row), ensure_ascii=False, separators=(",", ":"))
        yield ("," if index else "") + text + "\n"
    yield "]}\n"


def read(resource: Resource, content: bytes) -> tuple[list[Row], list[RowError]]:
    """Rows numbered by feature (the first feature is row 1)."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [], [RowError(0, "", f"不是有效的GeoJSON / not valid GeoJSON: {exc}")]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        return [], [RowError(0, "", "应为FeatureCollection / expected a FeatureCollection")]
    rows: list[Row] = []
    errors: list[RowError] = []
    for number, item in enumerate(data["features"], start=1):
        if not isinstance(item, dict) or item.get("type") != "Feature":
            errors.append(RowError(number, "", "不是Feature / not a GeoJSON Feature"))
            continue
        cells = dict(item.get("properties") or {})
        errors.extend(check_columns(resource, list(cells), number))
        # The feature's own "id" is not used: files from other systems number features their
        # own way, and the natural key (code) finds the record.
        geometry = item.get("geometry")
        if geometry is not None:
            problem = _apply_geometry(resource, geometry, cells)
            if problem:
                errors.append(RowError(number, "geometry", problem))
                continue
        rows.append((number, cells))
    return rows, errors


def _apply_geometry(resource: Resource, geometry: Any, cells: dict[str, Any]) -> str | None:
    """Put the feature's geometry into the row; a message if it does not fit the table."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind == "Point" and resource.geo in ("point", "asset"):
        coords = geometry.get("coordinates")
        if not (isinstance(coords, list) and len(coords) >= 2):
            return "点坐标应为[经度, 纬度] / a Point's coordinates are [lon, lat]"
        cells["lon"], cells["lat"] = coords[0], coords[1]
        return None
    if kind in LINES and resource.geo == "asset":
        cells["geometry"] = geometry
        return None
    if kind in POLYGONS and resource.geo == "area":
        cells["boundary"] = geometry
        return None
    return f"{resource.zh}不接受{kind}几何 / {resource.name} take no {kind} geometry"
