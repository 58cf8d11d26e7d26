"""Shut-off segments: which valves isolate which pipes, and who loses supply.

Like wntr's valve segments. A valve sits on a pipe at one of its end junctions; closing it
separates that pipe from that junction. Segments are the connected parts of the network once
every valve is closed (a graph of pipe and junction nodes, linked pipe-to-end-junction except
where a valve sits). To isolate a pipe, close the valves around its segment; the customers
(sinks) that lose supply are those in that segment and in every segment no longer connected to
a feed (external grid) through open valves.

Junctions and pipes here are the net's index labels (not positions).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
from pandapipes import pandapipesNet as Net


@dataclass(frozen=True)
class Valve:
    id: str
    pipe: int
    junction: int  # the pipe's end junction the valve sits at


@dataclass(frozen=True)
class Segment:
    id: int
    pipes: frozenset[int]
    junctions: frozenset[int]
    valves: frozenset[str]  # valves on its boundary


@dataclass(frozen=True)
class Isolation:
    pipe: int
    close: list[str]  # valve ids to close
    segments: list[int]  # segments cut off (the pipe's own first)
    junctions: list[int]  # junctions without supply
    customers: int  # sinks without supply
    customer_ids: list[int]


class Segments:
    def __init__(self, net: Net, valves: Iterable[Valve]) -> None:
        self.valves = {v.id: v for v in valves}
        pipes = net.pipe[net.pipe.in_service]
        ends = {
            int(i): (int(a), int(b))
            for i, a, b in zip(pipes.index, pipes.from_junction, pipes.to_junction, strict=True)
        }
        for v in self.valves.values():
            if v.pipe not in ends or v.junction not in ends[v.pipe]:
                raise ValueError(
                    f"valve {v.id}: junction {v.junction} is not an end of pipe {v.pipe}"
                )
        cut = {(v.pipe, v.junction) for v in self.valves.values()}
        g: nx.Graph = nx.Graph()
        g.add_nodes_from(("j", int(j)) for j in net.junction.index)
        for p, (a, b) in ends.items():
            g.add_node(("p", p))
            for j in (a, b):
                if (p, j) not in cut:
                    g.add_edge(("p", p), ("j", j))
        self.segment_of: dict[tuple[str, int], int] = {}
        parts = []
        for k, comp in enumerate(nx.connected_components(g)):
            for node in comp:
                self.segment_of[node] = k
            parts.append(comp)
        boundary: dict[int, set[str]] = {k: set() for k in range(len(parts))}
        self.graph: nx.MultiGraph = nx.MultiGraph()  # segments linked by valves
        self.graph.add_nodes_from(range(len(parts)))
        for v in self.valves.values():
            a, b = self.segment_of[("p", v.pipe)], self.segment_of[("j", v.junction)]
            boundary[a].add(v.id)
            boundary[b].add(v.id)
            if a != b:
                self.graph.add_edge(a, b, key=v.id)
        self.segments = [
            Segment(
                id=k,
                pipes=frozenset(n[1] for n in comp if n[0] == "p"),
                junctions=frozenset(n[1] for n in comp if n[0] == "j"),
                valves=frozenset(boundary[k]),
            )
            for k, comp in enumerate(parts)
        ]
        self.feed_segments = {
            self.segment_of[("j", int(j))] for j in net.ext_grid[net.ext_grid.in_service].junction
        }
        sinks = net.sink[net.sink.in_service]
        self.sinks_at: dict[int, list[int]] = {}
        for sid, j in zip(sinks.index, sinks.junction, strict=True):
            self.sinks_at.setdefault(int(j), []).append(int(sid))

    def of_pipe(self, pipe: int) -> Segment:
        return self.segments[self.segment_of[("p", int(pipe))]]

    def isolate(self, pipe: int) -> Isolation:
        """Valves to close around the pipe's segment, and what is left without supply."""
        seg = self.of_pipe(pipe)
        rest = self.graph.copy()
        rest.remove_node(seg.id)
        supplied: set[int] = set()
        for f in self.feed_segments - {seg.id}:
            supplied |= nx.node_connected_component(rest, f)
        lost = [seg.id, *sorted(k for k in rest.nodes if k not in supplied)]
        junctions = sorted(j for k in lost for j in self.segments[k].junctions)
        customers = sorted(c for j in junctions for c in self.sinks_at.get(j, []))
        close = sorted(v for v in seg.valves if self._separates(v))
        return Isolation(int(pipe), close, lost, junctions, len(customers), customers)

    def _separates(self, valve: str) -> bool:
        """A valve with its two sides in different segments (not one inside a loop)."""
        v = self.valves[valve]
        return self.segment_of[("p", v.pipe)] != self.segment_of[("j", v.junction)]
