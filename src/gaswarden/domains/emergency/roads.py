"""The road graph: imported from GeoJSON LineStrings, kept in road_node/road_edge, loaded into
a networkx graph once per process (checked against the tables' fingerprint on each use, and
dropped on import), and used for travel distances: both ends snapped to their nearest road
node, the straight access legs added to the shortest path between the two nodes."""

from __future__ import annotations

import itertools
import math
import threading
from dataclasses import dataclass
from typing import Any

import networkx as nx
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Invalid
from gaswarden.core.geo import haversine_m
from gaswarden.domains.audit import service as audit
from gaswarden.domains.emergency.models import RoadEdge, RoadNode
from gaswarden.domains.emergency.scope import require_regulator

# Vertices closer than this (degrees, ~0.1 m) are one road node: lines that share an end meet.
SNAP_DEGREES = 1e-6
ENTITY = "road_graph"


@dataclass
class RoadGraph:
    """Directed: a two-way road is two arcs. `xy` holds each node's (lon, lat)."""

    graph: nx.DiGraph
    xy: dict[int, tuple[float, float]]
    reverse: nx.DiGraph

    @property
    def empty(self) -> bool:
        return not self.xy

    def nearest(self, lon: float, lat: float) -> tuple[int, float]:
        """The nearest node and the straight distance to it (metres)."""
        cos = math.cos(math.radians(lat))
        best = min(
            self.xy, key=lambda n: ((self.xy[n][0] - lon) * cos) ** 2 + (self.xy[n][1] - lat) ** 2
        )
        bx, by = self.xy[best]
        return best, haversine_m(lon, lat, bx, by)

    def distances_to(self, lon: float, lat: float) -> tuple[dict[int, float], float]:
        """Road distance (m) from every node that can reach the point's nearest node, and the
        access leg from that node to the point."""
        target, leg = self.nearest(lon, lat)
        lengths: dict[int, float] = nx.single_source_dijkstra_path_length(
            self.reverse, target, weight="length"
        )
        return lengths, leg

    def distance(self, a: tuple[float, float], b: tuple[float, float]) -> float | None:
        """Travel distance from a to b (m), None where no road leads from one to the other."""
        lengths, leg_b = self.distances_to(*b)
        node_a, leg_a = self.nearest(*a)
        if node_a not in lengths:
            return None
        return leg_a + lengths[node_a] + leg_b


_cache: dict[str, tuple[tuple[int, int, int], RoadGraph]] = {}
_lock = threading.Lock()


def _key(session: Session) -> str:
    return str(session.get_bind().engine.url)


def _fingerprint(session: Session) -> tuple[int, int, int]:
    n, hi = session.execute(select(func.count(RoadEdge.id), func.max(RoadEdge.id))).one()
    nodes = session.scalar(select(func.count(RoadNode.id))) or 0
    return int(n or 0), int(hi or 0), int(nodes)


def invalidate() -> None:
    with _lock:
        _cache.clear()


def load(session: Session) -> RoadGraph:
    """The road graph of this database, built once per process and reused while the tables
    keep the same fingerprint (an import elsewhere changes it)."""
    key, fp = _key(session), _fingerprint(session)
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == fp:
            return hit[1]
    graph = nx.DiGraph()
    xy: dict[int, tuple[float, float]] = {}
    for node_id, lon, lat in session.execute(select(RoadNode.id, RoadNode.lon, RoadNode.lat)):
        xy[node_id] = (lon, lat)
        graph.add_node(node_id)
    for s, t, length, oneway in session.execute(
        select(RoadEdge.source_id, RoadEdge.target_id, RoadEdge.length_m, RoadEdge.oneway)
    ):
        graph.add_edge(s, t, length=length)
        if not oneway:
            graph.add_edge(t, s, length=length)
    built = RoadGraph(graph=graph, xy=xy, reverse=graph.reverse(copy=True))
    with _lock:
        _cache[key] = (fp, built)
    return built


def _lines(geometry: dict[str, Any]) -> list[list[list[float]]]:
    kind = geometry.get("type")
    if kind == "LineString":
        return [geometry["coordinates"]]
    if kind == "MultiLineString":
        return list(geometry["coordinates"])
    return []


def import_geojson(
    *, session: Session, principal: Principal, collection: dict[str, Any]
) -> tuple[int, int, float]:
    """Replace the road graph with the LineStrings of a GeoJSON FeatureCollection (WGS84).
    Properties read: `name`, `oneway` (true/"yes"/1). Returns nodes, edges, length in km."""
    require_regulator(principal, "import the road graph")
    if collection.get("type") == "FeatureCollection":
        features = collection.get("features") or []
    elif collection.get("type") == "Feature":
        features = [collection]
    else:
        raise Invalid("expected a GeoJSON FeatureCollection of LineStrings")
    ids: dict[tuple[int, int], int] = {}
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []

    def node(point: list[float]) -> int:
        if len(point) < 2:
            raise Invalid("a coordinate needs lon and lat")
        lon, lat = float(point[0]), float(point[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise Invalid(f"not WGS84 lon/lat: {point[:2]}")
        snapped = (round(lon / SNAP_DEGREES), round(lat / SNAP_DEGREES))
        if snapped not in ids:
            ids[snapped] = len(nodes) + 1
            nodes.append({"id": ids[snapped], "lon": lon, "lat": lat})
        return ids[snapped]

    for feature in features:
        props = feature.get("properties") or {}
        name = str(props["name"])[:100] if props.get("name") else None
        oneway = str(props.get("oneway", "")).lower() in ("true", "yes", "1")
        for line in _lines(feature.get("geometry") or {}):
            for a, b in itertools.pairwise(line):
                s, t = node(a), node(b)
                if s == t:
                    continue
                na, nb = nodes[s - 1], nodes[t - 1]
                length = haversine_m(na["lon"], na["lat"], nb["lon"], nb["lat"])
                edges.append(
                    {
                        "id": len(edges) + 1,
                        "source_id": s,
                        "target_id": t,
                        "length_m": length,
                        "oneway": oneway,
                        "name": name,
                    }
                )
    if not edges:
        raise Invalid("no LineString with two distinct points in the file")
    session.execute(delete(RoadEdge))
    session.execute(delete(RoadNode))
    session.execute(insert(RoadNode), nodes)
    session.execute(insert(RoadEdge), edges)
    km = sum(e["length_m"] for e in edges) / 1000
    audit.record(
        session=session,
        principal=principal,
        action="import",
        entity_type=ENTITY,
        entity_id=None,
        entity_label="road graph",
        changes={"nodes": [None, len(nodes)], "edges": [None, len(edges)]},
    )
    session.flush()
    invalidate()
    return len(nodes), len(edges), round(km, 3)


def summary(session: Session) -> tuple[int, int, float]:
    nodes = session.scalar(select(func.count(RoadNode.id))) or 0
    edges, metres = session.execute(
        select(func.count(RoadEdge.id), func.coalesce(func.sum(RoadEdge.length_m), 0.0))
    ).one()
    return int(nodes), int(edges), round(float(metres) / 1000, 3)


def as_geojson(session: Session) -> dict[str, Any]:
    """The graph's edges as one MultiLineString (for the resources map)."""
    rows = session.execute(select(RoadNode.id, RoadNode.lon, RoadNode.lat))
    xy = {i: (lon, lat) for i, lon, lat in rows}
    lines = [
        [list(xy[s]), list(xy[t])]
        for s, t in session.execute(select(RoadEdge.source_id, RoadEdge.target_id))
        if s in xy and t in xy
    ]
    return {"type": "MultiLineString", "coordinates": lines}
