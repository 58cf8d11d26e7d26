"""The network map's data for plotly.js on a lon/lat plane (no tiles): pipes coloured by
simulated pressure in a few classes (one line trace per class, segments separated by None),
pressure monitors coloured by their residual on a diverging scale, the feeds, and for a leak
its search-zone pipes, numbered candidates and (when simulated) the true leak junction."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.i18n import t
from gaswarden.domains.network.models import (
    NetworkFeed,
    NetworkJunction,
    NetworkLeak,
    NetworkPipe,
    PipeNetwork,
)
from gaswarden.domains.network.state import NetworkState
from gaswarden.domains.network.web_view import text

PRESSURE_CLASSES = 7
# Low pressure (the worry) red, high blue: one colour per class, lowest first.
CLASS_COLOURS = ("#b2182b", "#e8772e", "#d9a21b", "#7fb13c", "#1a9e8f", "#2f6fde", "#3a3f9e")
NO_STATE_COLOUR = "#7a8290"
ZONE_COLOUR = "rgba(214,30,30,0.55)"
TOP_CANDIDATES = 10


def _coords(session: Session, network_id: int) -> dict[int, tuple[float, float]]:
    rows = session.execute(
        select(NetworkJunction.index, NetworkJunction.lon, NetworkJunction.lat).where(
            NetworkJunction.network_id == network_id
        )
    ).all()
    return {i: (lon, lat) for i, lon, lat in rows}


def _pipes(session: Session, network_id: int) -> list[NetworkPipe]:
    stmt = select(NetworkPipe).where(NetworkPipe.network_id == network_id)
    return list(session.scalars(stmt.order_by(NetworkPipe.index)))


def _segments(
    pipes: list[NetworkPipe], where: dict[int, tuple[float, float]], labels: list[str]
) -> dict[str, list[Any]]:
    """One line trace's x, y and hover text: each pipe its two ends, then a gap."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    texts: list[str | None] = []
    for pipe, label in zip(pipes, labels, strict=True):
        a, b = where.get(pipe.from_junction), where.get(pipe.to_junction)
        if a is None or b is None:
            continue
        xs += [a[0], b[0], None]
        ys += [a[1], b[1], None]
        texts += [label, label, None]
    return {"x": xs, "y": ys, "text": texts}


def _edges(lo: float, hi: float, n: int) -> list[float]:
    if not math.isfinite(lo) or not math.isfinite(hi) or hi - lo < 1e-9:
        return [lo, hi]
    return [float(v) for v in np.linspace(lo, hi, n + 1)]


def pipe_layers(
    pipes: list[NetworkPipe],
    where: dict[int, tuple[float, float]],
    kpa: dict[int, float],
    lang: str,
) -> list[dict[str, Any]]:
    """Pipes binned into pressure classes, lowest first; pipes without a state grey."""
    known = [kpa[p.index] for p in pipes if p.index in kpa]
    layers: list[dict[str, Any]] = []
    if known:
        edges = _edges(min(known), max(known), PRESSURE_CLASSES)
        n = len(edges) - 1
        inner = np.asarray(edges[1:-1], dtype=float)
        classes: list[list[NetworkPipe]] = [[] for _ in range(n)]
        for p in pipes:
            if p.index in kpa:
                classes[int(np.searchsorted(inner, kpa[p.index], side="right"))].append(p)
        for k, members in enumerate(classes):
            if not members:
                continue
            labels = [f"{p.name or '#' + str(p.index)} · {kpa[p.index]:.2f} kPa" for p in members]
            colour = CLASS_COLOURS[round(k * (len(CLASS_COLOURS) - 1) / max(n - 1, 1))]
            layers.append(
                {
                    "name": f"{edges[k]:.2f}–{edges[k + 1]:.2f} kPa",
                    "colour": colour,
                    "pipes": [p.index for p in members],
                    **_segments(members, where, labels),
                }
            )
    rest = [p for p in pipes if p.index not in kpa]
    if rest:
        labels = [p.name or f"#{p.index}" for p in rest]
        layers.append(
            {
                "name": text("Pipes", lang),
                "colour": NO_STATE_COLOUR,
                "pipes": [p.index for p in rest],
                **_segments(rest, where, labels),
            }
        )
    return layers


def _sensors(st: NetworkState | None, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {"x": [], "y": [], "text": [], "residual": [], "serial": []}
    for s in st.sensors if st else []:
        out["x"].append(s.lon)
        out["y"].append(s.lat)
        out["serial"].append(s.serial)
        out["residual"].append(s.residual_pa)
        meas = "—" if s.measured_kpa is None else f"{s.measured_kpa:.3f} kPa"
        sim = "—" if s.simulated_kpa is None else f"{s.simulated_kpa:.3f} kPa"
        res = "—" if s.residual_pa is None else f"{s.residual_pa:+.0f} Pa"
        out["text"].append(
            "<br>".join(
                (
                    f"<b>{s.serial}</b> · {text('Junction', lang)} {s.junction}",
                    f"{text('Measured', lang)}: {meas}",
                    f"{text('Simulated', lang)}: {sim}",
                    f"{text('Residual', lang)}: {res}",
                )
            )
        )
    finite = [abs(r) for r in out["residual"] if r is not None]
    out["range_pa"] = max([*finite, 10.0])
    return out


def _feeds(
    session: Session, network_id: int, where: dict[int, tuple[float, float]]
) -> dict[str, Any]:
    feeds = session.scalars(
        select(NetworkFeed).where(NetworkFeed.network_id == network_id).order_by(NetworkFeed.index)
    ).all()
    placed = [(f, where[f.junction]) for f in feeds if f.junction in where]
    return {
        "x": [xy[0] for _, xy in placed],
        "y": [xy[1] for _, xy in placed],
        "text": [f"{f.name} · {f.p_bar:g} bar" for f, _ in placed],
    }


def leak_overlay(
    pipes: list[NetworkPipe],
    where: dict[int, tuple[float, float]],
    leak: NetworkLeak,
    lang: str,
) -> dict[str, Any]:
    zone = leak.zone or {}
    in_zone = set(int(p) for p in zone.get("pipes", []))
    members = [p for p in pipes if p.index in in_zone]
    cands = [c for c in leak.candidates[:TOP_CANDIDATES] if c.get("lon") is not None]
    true = leak.true_junction if leak.simulated else None
    return {
        "zone": {
            "name": text("Search zone", lang),
            **_segments(members, where, [p.name or f"#{p.index}" for p in members]),
        },
        "candidates": {
            "name": text("Candidates", lang),
            "x": [c["lon"] for c in cands],
            "y": [c["lat"] for c in cands],
            "label": [str(c["rank"]) for c in cands],
            "text": [
                f"#{c['rank']} · {c.get('name') or c['junction']} · "
                f"p={c['probability']:.3f} · {c['leak_kg_h']:.1f} kg/h"
                for c in cands
            ],
        },
        "truth": None
        if true is None or true not in where
        else {
            "name": text("Simulated true leak", lang),
            "x": [where[true][0]],
            "y": [where[true][1]],
            "junction": true,
        },
    }


def zone_junctions(session: Session, leak: NetworkLeak) -> list[int]:
    """The junctions at either end of the zone's pipes: what the zone covers."""
    pipes = [int(p) for p in (leak.zone or {}).get("pipes", [])]
    if not pipes:
        return []
    rows = session.execute(
        select(NetworkPipe.from_junction, NetworkPipe.to_junction).where(
            NetworkPipe.network_id == leak.network_id, NetworkPipe.index.in_(pipes)
        )
    ).all()
    return sorted({j for pair in rows for j in pair})


def map_data(
    session: Session,
    network: PipeNetwork,
    st: NetworkState | None,
    lang: str,
    leak: NetworkLeak | None = None,
) -> dict[str, Any]:
    where = _coords(session, network.id)
    pipes = _pipes(session, network.id)
    kpa = st.pipe_kpa(pipes) if st else {}
    lats = [lat for _, lat in where.values()] or [network.lat or 36.4]
    mid_lat = (min(lats) + max(lats)) / 2
    return {
        "pipes": pipe_layers(pipes, where, kpa, lang),
        "sensors": _sensors(st, lang),
        "feeds": _feeds(session, network.id, where),
        "leak": leak_overlay(pipes, where, leak, lang) if leak is not None else None,
        "scaleratio": 1 / math.cos(math.radians(mid_lat)),
        "labels": {
            "pressure": text("Pressure kPa", lang),
            "residual": text("Residual Pa", lang),
            "monitors": text("Monitors", lang),
            "feed": text("Feed marker", lang),
            "x": t("Longitude", lang),
            "y": t("Latitude", lang),
        },
    }


def _leak_sensors(session: Session, network: PipeNetwork, leak: NetworkLeak) -> NetworkState:
    """The monitors with the residuals the leak was found from, as a bare state."""
    from gaswarden.domains.network.readings import sensors_of
    from gaswarden.domains.network.state import SensorState

    pressure, _ = sensors_of(session, network)
    where = _coords(session, network.id)
    st = NetworkState(network.id, None, "nominal", 0.0, 1.0, {})
    for s in pressure:
        lon, lat = where.get(s.junction, (0.0, 0.0))
        res = (leak.residuals or {}).get(s.serial)
        st.sensors.append(SensorState(s.serial, s.junction, lon, lat, None, None, res))
    return st


def leak_map(
    session: Session, network: PipeNetwork, leak: NetworkLeak, lang: str
) -> dict[str, Any]:
    """The leak's map: every pipe plain, the zone in thick red, the monitors by residual."""
    data = map_data(session, network, None, lang, leak)
    data["sensors"] = _sensors(_leak_sensors(session, network, leak), lang)
    return data
