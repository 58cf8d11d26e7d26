"""Is this net fit to be stored and solved? A report of errors (stop the import) and warnings.

Checks: duplicate ids, dangling pipes (an end that is no junction), isolated junctions,
islands (junctions no in-service pipe path joins to a feed), no feed, non-positive or
implausible lengths, diameters, roughness and pressures (units mixed up: metres for mm, km for
m, Pa for bar), then one pandapipes steady state: non-convergence, NaN or negative pressures.
Every message names the element, in Chinese first, then English.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandapipes
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from gaswarden.network import plausibility
from gaswarden.network.findings import Finding, error, label_junction, names, warning
from gaswarden.network.model import Net, copy_net


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def stored(self) -> dict[str, Any]:
        """What `PipeNetwork.validation` keeps: warnings and figures."""
        return {"warnings": [w.as_dict() for w in self.warnings], "figures": self.figures}


def validate(net: Net, *, parsed: list[Finding] | None = None, solve: bool = True) -> Report:
    """The report on `net`; `parsed` are what the importer already found. The solve runs
    only when nothing structural is wrong."""
    report = Report(findings=list(parsed or []))
    add = report.findings.extend
    add(_duplicates(net))
    add(_feeds(net))
    add(plausibility.values(net))
    add(plausibility.pressures(net))
    dead: set[Any] = set()
    if not any(f.code in ("duplicate_index", "dangling_pipe") for f in report.findings):
        found, dead = _connectivity(net)
        add(found)
        add(plausibility.lengths(net))
    report.figures.update(_figures(net))
    if solve and report.ok:
        add(solve_check(net, report.figures, dead=dead))
    return report


def _duplicates(net: Net) -> list[Finding]:
    out = []
    for table in ("junction", "pipe", "ext_grid", "sink"):
        if table not in net or not len(net[table]):
            continue
        dup = net[table].index[net[table].index.duplicated()].unique().tolist()
        if dup:
            out.append(
                error(
                    "duplicate_index",
                    f"{table} 表有重复编号: {names([str(d) for d in dup])}",
                    f"duplicate {table} indexes: {names([str(d) for d in dup])}",
                    [f"{table} {d}" for d in dup],
                )
            )
    return out


def _feeds(net: Net) -> list[Finding]:
    grid = net.ext_grid if "ext_grid" in net else pd.DataFrame()
    if not len(grid) or not grid.in_service.any():
        return [error("no_feed", "管网没有气源(门站/调压站)", "the network has no feed (ext_grid)")]
    out = []
    missing = grid.index[~grid.junction.isin(net.junction.index)].tolist()
    if missing:
        out.append(
            error(
                "dangling_feed",
                f"气源所在节点不存在: ext_grid {names([str(m) for m in missing])}",
                f"feed at a junction that does not exist: ext_grid {names(missing)}",
                [f"ext_grid {m}" for m in missing],
            )
        )
    return out


def branches(net: Net, *, in_service_only: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(from, to) junction indexes of every branch that carries gas: pipes, open valves and
    the other two-port components."""
    froms: list[np.ndarray] = []
    tos: list[np.ndarray] = []
    for table in net.keys():  # noqa: SIM118 - a pandapipesNet is a dict-like ADict
        if table.startswith("res_") or not isinstance(net[table], pd.DataFrame):
            continue
        df = net[table]
        if not len(df) or not {"from_junction", "to_junction"} <= set(df.columns):
            continue
        keep = np.ones(len(df), dtype=bool)
        if in_service_only and "in_service" in df:
            keep &= df.in_service.to_numpy(dtype=bool)
        if table == "valve" and "opened" in df:
            keep &= df.opened.to_numpy(dtype=bool)
        froms.append(df.from_junction.to_numpy()[keep])
        tos.append(df.to_junction.to_numpy()[keep])
    if not froms:
        return np.array([], dtype=int), np.array([], dtype=int)
    return np.concatenate(froms).astype(int), np.concatenate(tos).astype(int)


def components(net: Net) -> tuple[pd.Series, np.ndarray]:
    """Component label per junction (Series on the junction index) through in-service
    branches, and the junctions' degrees."""
    idx = net.junction.index.to_numpy()
    pos = pd.Series(np.arange(len(idx)), index=idx)
    f, t = branches(net)
    ok = np.isin(f, idx) & np.isin(t, idx)
    fi, ti = pos[f[ok]].to_numpy(), pos[t[ok]].to_numpy()
    n = len(idx)
    graph = coo_matrix((np.ones(len(fi)), (fi, ti)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    degree = np.bincount(np.concatenate([fi, ti]), minlength=n)
    return pd.Series(labels, index=idx), degree


def _connectivity(net: Net) -> tuple[list[Finding], set[Any]]:
    """Findings, and the junctions known to be dead (no demand, no feed: warned about)."""
    if not len(net.junction):
        return [error("empty", "管网没有节点", "the network has no junctions")], set()
    labels, degree = components(net)
    in_service = net.junction.in_service.to_numpy(dtype=bool)
    grid = net.ext_grid[net.ext_grid.in_service & net.ext_grid.junction.isin(labels.index)]
    fed = set(labels[grid.junction].tolist())
    demand = set(net.sink.junction[net.sink.in_service]) if "sink" in net else set()
    out: list[Finding] = []
    isolated = [
        j
        for j, deg, on in zip(labels.index, degree, in_service, strict=True)
        if deg == 0 and on and j not in set(grid.junction)
    ]
    if isolated:
        listed = [label_junction(net, j) for j in isolated]
        with_demand = [j for j in isolated if j in demand]
        make = error if with_demand else warning
        dead = set() if with_demand else set(isolated)
        out.append(
            make(
                "isolated_junction",
                f"孤立节点(无任何管段相连): {names(listed)}",
                f"isolated junctions (no pipe at all): {names(listed)}",
                listed,
            )
        )
    else:
        dead = set()
    done = set(isolated)
    islands: dict[int, list[Any]] = {}
    for j, label, on in zip(labels.index, labels.to_numpy(), in_service, strict=True):
        if on and label not in fed and j not in done:
            islands.setdefault(int(label), []).append(j)
    for k, members in enumerate(sorted(islands.values(), key=len, reverse=True), 1):
        listed = [label_junction(net, j) for j in members]
        make = error if any(j in demand for j in members) else warning
        if make is warning:
            dead.update(members)
        out.append(
            make(
                "island",
                f"孤岛 {k}: {len(members)} 个节点无法从气源经在用管段到达: {names(listed)}",
                f"island {k}: {len(members)} junctions not reachable from a feed through "
                f"in-service pipes: {names(listed)}",
                listed,
            )
        )
    return out, dead


def _figures(net: Net) -> dict[str, Any]:
    length = pd.to_numeric(net.pipe.length_km, errors="coerce").sum() if len(net.pipe) else 0
    return {
        "junctions": len(net.junction),
        "pipes": len(net.pipe),
        "length_km": round(float(length), 3),
        "feeds": len(net.ext_grid) if "ext_grid" in net else 0,
        "consumers": len(net.sink) if "sink" in net else 0,
        "demand_kg_s": round(float(net.sink.mdot_kg_per_s.sum()), 6) if "sink" in net else 0.0,
    }


def solve_check(
    net: Net,
    figures: dict[str, Any] | None = None,
    *,
    dead: set[Any] | frozenset[Any] = frozenset(),
) -> list[Finding]:
    """One pandapipes steady state on a copy: non-convergence, NaN pressures (except at the
    `dead` junctions, known to be cut off) and negative pressures are errors."""
    figures = {} if figures is None else figures
    trial = copy_net(net)
    started = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pandapipes.pipeflow(trial)
    except Exception as exc:  # PipeflowNotConverged and pandapipes' other failures
        return [
            error(
                "not_converged",
                f"稳态水力计算未收敛: {type(exc).__name__}: {exc}",
                f"the steady-state solve failed: {type(exc).__name__}: {exc}",
            )
        ]
    figures["solve_s"] = round(time.perf_counter() - started, 3)
    p = trial.res_junction.p_bar
    on = trial.junction.in_service.astype(bool)
    nan = [j for j in p.index[p.isna() & on] if j not in dead]
    out: list[Finding] = []
    if nan:
        listed = [label_junction(net, j) for j in nan]
        out.append(
            error(
                "nan_pressure",
                f"计算后节点压力为 NaN: {names(listed)}",
                f"NaN pressure after the solve: {names(listed)}",
                listed,
            )
        )
    negative = p.index[(p < 0) & on].tolist()
    if negative:
        listed = [f"{label_junction(net, j)} = {p[j]:.4g} bar" for j in negative]
        out.append(
            error(
                "negative_pressure",
                f"计算压力为负(需求过大或管径过小): {names(listed)}",
                f"negative pressure after the solve (demand too high or pipes too small): "
                f"{names(listed)}",
                listed,
            )
        )
    valid = p[on].dropna()
    figures["inflow_kg_s"] = round(float(-trial.res_ext_grid.mdot_kg_per_s.sum()), 6)
    if len(valid):
        figures["p_min_bar"] = round(float(valid.min()), 5)
        figures["p_max_bar"] = round(float(valid.max()), 5)
        figures["p_min_junction"] = int(valid.idxmin())
    return out
