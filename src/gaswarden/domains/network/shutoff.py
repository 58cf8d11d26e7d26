"""Shut-off segments of a stored network: which valves to close around pipes, and who loses
supply (network/segments.py on the network's registered valves)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.network.models import NetworkValve, PipeNetwork
from gaswarden.network.model import Net
from gaswarden.network.segments import Segments, Valve

MAX_SEGMENTS = 10  # a zone touching more is reported by its first ten (practice)


def segments_of(
    session: Session, network: PipeNetwork, net: Net
) -> tuple[Segments, dict[str, str]]:
    """The net's segments with the network's valves, and each valve's display name."""
    rows = session.scalars(
        select(NetworkValve).where(NetworkValve.network_id == network.id).order_by(NetworkValve.id)
    ).all()
    valves = [Valve(str(v.id), v.pipe, v.at_junction) for v in rows]
    names = {str(v.id): v.name or f"V{v.id}" for v in rows}
    return Segments(net, valves), names


def segments_for(
    session: Session, network: PipeNetwork, net: Net, pipes: list[int]
) -> list[dict[str, Any]]:
    """For the segments the pipes lie in: the valves to close, the pipes and the customers
    without supply once they are closed. Largest outage first."""
    segs, names = segments_of(session, network, net)
    seen: dict[int, dict[str, Any]] = {}
    for pipe in pipes:
        try:
            seg = segs.of_pipe(pipe)
        except KeyError:
            continue
        if seg.id in seen or len(seen) >= MAX_SEGMENTS:
            continue
        iso = segs.isolate(pipe)
        seen[seg.id] = {
            "segment": seg.id,
            "valves": [names.get(v, v) for v in iso.close],
            "valve_ids": [int(v) for v in iso.close],
            "pipes": len(seg.pipes),
            "customers": iso.customers,
            "junctions_cut": len(iso.junctions),
        }
    return sorted(seen.values(), key=lambda s: -s["customers"])
