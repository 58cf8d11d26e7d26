"""Read a distribution network: pandapipes JSON or GeoJSON, into a pandapipes net.

GeoJSON (see docs/network.md): Point features are junctions (`id`, `name`, `height_m`,
`pn_bar`, `kind` junction | feed | consumer, a feed's `p_bar`, a consumer's `demand_m3_per_a`
or `mdot_kg_per_s`), LineString features are pipes (`from`, `to`, `material`, `diameter_mm`,
`length_m` (else from the geometry), `k_mm`, `pressure_class`). Lon/lat are projected to local
metres around the data's centre. pandapipes JSON keeps its x/y metres in the caller's `crs`.

What cannot be built (a pipe whose end is no junction, a duplicate id, a missing value) is
returned as findings for the validation report rather than raised, so that one report names
every problem of a file. The extra attributes ride in the net's own tables: `pipe.material`,
`pipe.pressure_class`, `junction.ext_id` (the file's id).
"""

from __future__ import annotations

import json
import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandapipes
import pandas as pd

from gaswarden.domains.asset.enums import PipeMaterial
from gaswarden.network.geo import Origin, local_origin, polyline_length_m
from gaswarden.network.model import Net, from_json
from gaswarden.network.validate import Finding, error
from gaswarden.standards.pressure import PressureClass, pressure_class_for

DEFAULT_TFLUID_K = 283.15  # 10 °C, pandapipes' and Schutterwald's gas temperature
DEFAULT_K_MM = 0.1  # practice value for PE and new steel when the file gives none
NORMAL_T_K = 273.15  # m³ of gas are normal cubic metres (0 °C, 1.01325 bar; DIN 1343)
HOURS_PER_YEAR = 8760.0
FORMATS = ("pandapipes", "geojson")


class UnreadableNetwork(ValueError):
    """The file is no network at all (not JSON, not a FeatureCollection, not a net)."""


@dataclass
class Imported:
    net: Net
    source_format: str  # "pandapipes" | "geojson"
    crs: str | None  # of the net's x/y
    origin: Origin | None  # placement onto WGS 84, when the file says (GeoJSON)
    findings: list[Finding] = field(default_factory=list)


def read(text: str, *, fmt: str | None = None, crs: str | None = None) -> Imported:
    """A net from a file's text; `fmt` None guesses from the content."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableNetwork(f"not JSON 不是 JSON: {exc}") from exc
    if fmt is None:
        fmt = (
            "geojson"
            if isinstance(data, dict) and data.get("type") == "FeatureCollection"
            else "pandapipes"
        )
    if fmt == "geojson":
        return read_geojson(data)
    if fmt == "pandapipes":
        return read_pandapipes(text, crs=crs)
    raise UnreadableNetwork(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


# ---- pandapipes JSON ----------------------------------------------------------------------
def read_pandapipes(text: str, *, crs: str | None = None) -> Imported:
    try:
        net = from_json(text)
    except Exception as exc:  # pandapipes raises whatever its JSON decoder meets
        raise UnreadableNetwork(f"not a pandapipes net 不是 pandapipes 模型: {exc}") from exc
    if not isinstance(net, pandapipes.pandapipesNet) or "junction" not in net:
        raise UnreadableNetwork("not a pandapipes net 不是 pandapipes 模型")
    add_attributes(net)
    return Imported(net=net, source_format="pandapipes", crs=crs, origin=None)


_STEEL = re.compile(r"\b(st|steel|stahl)\b", re.IGNORECASE)


def _material_from_type(std_type: Any) -> str | None:
    text = str(std_type or "")
    if "PE" in text.upper().split():
        return PipeMaterial.PE.value
    if _STEEL.search(text):
        return PipeMaterial.STEEL.value
    return None


def add_attributes(net: Net) -> None:
    """Fill `pipe.material` and `pipe.pressure_class` where the net lacks them: the material
    from the pipe's standard type's name, the class from its ends' nominal pressure."""
    pipe = net.pipe
    if "material" not in pipe:
        pipe["material"] = None
    type_col = "stanet_std_type" if "stanet_std_type" in pipe else "std_type"
    if type_col in pipe:
        missing = pipe.material.isna()
        pipe.loc[missing, "material"] = pipe.loc[missing, type_col].map(_material_from_type)
    if "pressure_class" not in pipe:
        pipe["pressure_class"] = None
    pn = net.junction.pn_bar.reindex(pipe.from_junction).to_numpy(dtype=float)
    missing = pipe.pressure_class.isna().to_numpy()
    pipe.loc[missing, "pressure_class"] = [_class_for_bar(p) for p in pn[missing]]
    if "ext_id" not in net.junction:
        net.junction["ext_id"] = net.junction.name.where(
            net.junction.name.notna(), net.junction.index.astype(str)
        )


def _class_for_bar(p_bar: float) -> str | None:
    try:
        return pressure_class_for(p_bar / 10.0).value if math.isfinite(p_bar) else None
    except ValueError:
        return None


# ---- GeoJSON ------------------------------------------------------------------------------
def _number(props: dict[str, Any], key: str, default: float | None = None) -> float:
    value = props.get(key, default)
    try:
        return float(value) if value is not None else math.nan
    except (TypeError, ValueError):
        return math.nan


def _features(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise UnreadableNetwork("not a GeoJSON FeatureCollection 不是 GeoJSON 要素集")
    features = data.get("features")
    if not isinstance(features, list):
        raise UnreadableNetwork("FeatureCollection without features 要素集没有 features")
    return [f for f in features if isinstance(f, dict)]


def read_geojson(data: dict[str, Any]) -> Imported:
    features = _features(data)
    points, lines, findings = [], [], []
    for k, feature in enumerate(features):
        geometry = feature.get("geometry") or {}
        kind = geometry.get("type")
        if kind == "Point":
            points.append(feature)
        elif kind == "LineString":
            lines.append(feature)
        else:
            findings.append(
                error(
                    "bad_geometry",
                    f"要素 {k} 的几何类型 {kind} 无法使用(应为 Point 或 LineString)",
                    f"feature {k}: geometry {kind} is neither Point nor LineString",
                    [f"feature {k}"],
                )
            )
    coords = np.array([p["geometry"]["coordinates"][:2] for p in points] or [[0.0, 0.0]], float)
    origin = local_origin(coords[:, 0], coords[:, 1])
    net = pandapipes.create_empty_network(fluid="hgas", add_stdtypes=False)
    ids = _junctions(net, points, origin, findings)
    _pipes(net, lines, ids, origin, findings)
    return Imported(net=net, source_format="geojson", crs=None, origin=origin, findings=findings)


def _junctions(
    net: Net, points: list[dict[str, Any]], origin: Origin, findings: list[Finding]
) -> dict[str, int]:
    """Junctions, feeds and consumers; the file's id → the junction index."""
    ids: dict[str, int] = {}
    duplicates: list[str] = []
    density = float(net.fluid.get_density(NORMAL_T_K))
    for k, feature in enumerate(points):
        props = feature.get("properties") or {}
        raw = props.get("id", feature.get("id"))
        if raw is None:
            findings.append(
                error(
                    "missing_id",
                    f"节点要素 {k} 缺少 id",
                    f"junction feature {k} has no id",
                    [f"feature {k}"],
                )
            )
            continue
        ext = str(raw)
        if ext in ids:
            duplicates.append(ext)
            continue
        lon, lat = feature["geometry"]["coordinates"][:2]
        x, y = origin.to_xy(lon, lat)
        tfluid = _number(props, "tfluid_k", DEFAULT_TFLUID_K)
        j = pandapipes.create_junction(
            net,
            pn_bar=_number(props, "pn_bar"),
            tfluid_k=tfluid,
            height_m=_number(props, "height_m", 0.0),
            name=str(props.get("name") or ext)[:64],
            geodata=(float(x), float(y)),
            ext_id=ext,
        )
        ids[ext] = int(j)
        kind = str(props.get("kind") or "junction")
        if kind == "feed":
            pandapipes.create_ext_grid(
                net, j, p_bar=_number(props, "p_bar"), t_k=tfluid, name=props.get("name") or ext
            )
        elif kind == "consumer":
            mdot = _number(props, "mdot_kg_per_s")
            if math.isnan(mdot):
                m3a = _number(props, "demand_m3_per_a")
                mdot = m3a * density / (HOURS_PER_YEAR * 3600.0)
            if not mdot >= 0:
                findings.append(
                    error(
                        "bad_demand",
                        f"用户节点 {ext} 的用气量缺失或为负",
                        f"consumer {ext}: demand missing or negative "
                        "(demand_m3_per_a or mdot_kg_per_s)",
                        [f"junction {ext}"],
                    )
                )
                continue
            pandapipes.create_sink(net, j, mdot_kg_per_s=mdot, name=props.get("name") or ext)
        elif kind != "junction":
            findings.append(
                error(
                    "bad_kind",
                    f"节点 {ext} 的类型 {kind!r} 无效(junction/feed/consumer)",
                    f"junction {ext}: kind {kind!r} is not junction, feed or consumer",
                    [f"junction {ext}"],
                )
            )
    if duplicates:
        findings.append(
            error(
                "duplicate_id",
                f"节点 id 重复: {', '.join(sorted(set(duplicates)))}",
                f"duplicate junction ids: {', '.join(sorted(set(duplicates)))}",
                [f"junction {d}" for d in sorted(set(duplicates))],
            )
        )
    return ids


def _pipes(
    net: Net,
    lines: list[dict[str, Any]],
    ids: dict[str, int],
    origin: Origin,
    findings: list[Finding],
) -> None:
    rows: list[dict[str, Any]] = []
    dangling: list[str] = []
    seen: set[str] = set()
    duplicates: list[str] = []
    for k, feature in enumerate(lines):
        props = feature.get("properties") or {}
        label = str(props.get("id", feature.get("id", k)))
        if label in seen:
            duplicates.append(label)
            continue
        seen.add(label)
        a, b = str(props.get("from")), str(props.get("to"))
        missing = [end for end in (a, b) if end not in ids]
        if missing:
            dangling.append(f"pipe {label} → {', '.join(missing)}")
            continue
        lonlat = np.asarray(feature["geometry"]["coordinates"], float)[:, :2]
        xs, ys = origin.to_xy(lonlat[:, 0], lonlat[:, 1])
        points = list(zip(xs.tolist(), ys.tolist(), strict=True))
        length_m = _number(props, "length_m")
        if math.isnan(length_m) and "length_m" not in props:
            length_m = polyline_length_m(points)
        material = props.get("material")
        if material is not None and material not in PipeMaterial._value2member_map_:
            findings.append(
                error(
                    "bad_material",
                    f"管段 {label} 的管材 {material!r} 无效",
                    f"pipe {label}: material {material!r} is not one of "
                    f"{', '.join(m.value for m in PipeMaterial)}",
                    [f"pipe {label}"],
                )
            )
        klass = props.get("pressure_class")
        if klass is not None and klass not in PressureClass._value2member_map_:
            findings.append(
                error(
                    "bad_pressure_class",
                    f"管段 {label} 的压力级制 {klass!r} 无效",
                    f"pipe {label}: pressure_class {klass!r} is not one of "
                    f"{', '.join(c.value for c in PressureClass)}",
                    [f"pipe {label}"],
                )
            )
        rows.append(
            {
                "from": ids[a],
                "to": ids[b],
                "length_km": length_m / 1000.0,
                "diameter_mm": _number(props, "diameter_mm"),
                "k_mm": _number(props, "k_mm", DEFAULT_K_MM),
                "name": str(props.get("name") or label)[:64],
                "material": material,
                "pressure_class": klass,
                "in_service": bool(props.get("in_service", True)),
                "coords": points,
            }
        )
    if dangling:
        findings.append(
            error(
                "dangling_pipe",
                f"管段端点节点不存在(悬空管段): {'; '.join(dangling[:20])}",
                f"dangling pipes (an end junction does not exist): {'; '.join(dangling[:20])}",
                dangling,
            )
        )
    if duplicates:
        findings.append(
            error(
                "duplicate_id",
                f"管段 id 重复: {', '.join(sorted(set(duplicates)))}",
                f"duplicate pipe ids: {', '.join(sorted(set(duplicates)))}",
                [f"pipe {d}" for d in sorted(set(duplicates))],
            )
        )
    if not rows:
        net.pipe["material"] = pd.Series(dtype=object)
        net.pipe["pressure_class"] = pd.Series(dtype=object)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = pandapipes.create_pipes_from_parameters(
            net,
            [r["from"] for r in rows],
            [r["to"] for r in rows],
            length_km=[r["length_km"] for r in rows],
            inner_diameter_mm=[r["diameter_mm"] for r in rows],
            k_mm=[r["k_mm"] for r in rows],
            name=[r["name"] for r in rows],
            in_service=[r["in_service"] for r in rows],
            geodata=[r["coords"] for r in rows],
        )
    net.pipe.loc[index, "material"] = [r["material"] for r in rows]
    net.pipe.loc[index, "pressure_class"] = [r["pressure_class"] for r in rows]
    add_attributes(net)
