"""The pipe graph of a net: networkx graph, mains junctions, coordinates and distances.

Junctions are addressed by their *position* (0..n-1 in `net.junction` order) in the engine's
arrays; `junction_ids` maps positions back to the net's junction index labels.

Mains junctions: every junction except a house-connection leaf, i.e. except a junction of
degree 1 (one pipe) that carries a sink. Dead ends of the mains without a sink count as mains.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import numpy.typing as npt
from pandapipes import pandapipesNet as Net

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


def junction_ids(net: Net) -> Ints:
    return np.asarray(net.junction.index, dtype=np.int64)


def positions(net: Net, ids: npt.ArrayLike) -> Ints:
    """Junction index labels -> positions in `net.junction` order."""
    return np.asarray(net.junction.index.get_indexer(np.asarray(ids)), dtype=np.int64)


def pipe_graph(net: Net, *, in_service_only: bool = True) -> nx.MultiGraph:
    """Junction positions as nodes; one edge per pipe (key = pipe index, length_m)."""
    g: nx.MultiGraph = nx.MultiGraph()
    g.add_nodes_from(range(len(net.junction)))
    pipes = net.pipe[net.pipe.in_service] if in_service_only else net.pipe
    a = positions(net, pipes.from_junction.values)
    b = positions(net, pipes.to_junction.values)
    for idx, u, v, km in zip(pipes.index, a, b, pipes.length_km.values, strict=True):
        g.add_edge(int(u), int(v), key=int(idx), length_m=float(km) * 1000.0)
    return g


def mains_junctions(net: Net) -> Ints:
    """Positions of the mains junctions (everything but house-connection leaves)."""
    g = pipe_graph(net)
    degree = np.array([g.degree(n) for n in range(len(net.junction))])
    has_sink = np.zeros(len(net.junction), dtype=bool)
    sinks = net.sink[net.sink.in_service]
    has_sink[positions(net, sinks.junction.values)] = True
    return np.flatnonzero(~((degree == 1) & has_sink)).astype(np.int64)


def junction_xy(net: Net) -> Floats:
    """(n, 2) coordinates in metres, NaN where a junction has none."""
    xy = np.full((len(net.junction), 2), np.nan)
    geo = net.get("junction_geodata")
    if geo is not None and len(geo):
        pos = positions(net, geo.index.values)
        ok = pos >= 0
        xy[pos[ok], 0] = geo.x.values[ok]
        xy[pos[ok], 1] = geo.y.values[ok]
    return xy


def euclidean(xy: Floats, a: npt.ArrayLike, b: npt.ArrayLike) -> Floats:
    """Pairwise plane distances (len(a), len(b)) between junction positions a and b."""
    pa = xy[np.asarray(a)]
    pb = xy[np.asarray(b)]
    diff = pa[:, None, :] - pb[None, :, :]
    return np.asarray(np.sqrt((diff**2).sum(axis=2)))
