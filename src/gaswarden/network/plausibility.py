"""Values and units of a net: non-positive or missing lengths, diameters, roughness and
pressures, and the plausibility ranges that catch a unit mix-up (metres for mm, km for m,
Pa for bar). Part of the validation report (network.validate)."""

from __future__ import annotations

import pandas as pd

from gaswarden.network.findings import Finding, error, label_pipe, names, warning
from gaswarden.network.geo import distance_m
from gaswarden.network.model import Net
from gaswarden.standards.pressure import MAX_CITY_GAS_MPA

# Plausibility ranges of a city distribution network (practice values, not a standard): a
# value outside them is almost always a unit mix-up.
MIN_DIAMETER_MM = 10.0  # below: the value is in metres (0.1 for 100 mm)
MAX_DIAMETER_MM = 1500.0
MAX_K_MM = 5.0  # roughness above this: micrometres or a typo
MIN_K_MM = 0.001  # below: metres (0.0001 m for 0.1 mm)
MAX_PRESSURE_BAR = MAX_CITY_GAS_MPA * 10.0  # GB 50028-2006: city gas up to 4.0 MPa
MIN_STRAIGHT_M = 1.0  # ends closer than this: no ratio check on the length
LENGTH_SHORT_RATIO = 0.9  # pipe shorter than its ends' distance (and by more than the slack)
LENGTH_SLACK_M = 2.0  # survey rounding: a metre or two is not worth a warning
LENGTH_KM_RATIO = 0.01  # far shorter: the length is in km where metres are expected (or so)
LENGTH_M_RATIO = 100.0  # far longer: metres where km are expected


def values(net: Net) -> list[Finding]:
    out: list[Finding] = []
    pipe = net.pipe
    junctions = set(net.junction.index)
    for end in ("from_junction", "to_junction"):
        bad = pipe.index[~pipe[end].isin(junctions)].tolist()
        if bad:
            labels = [f"{label_pipe(net, i)} → {end} {pipe.at[i, end]}" for i in bad]
            out.append(
                error(
                    "dangling_pipe",
                    f"管段端点节点不存在(悬空管段): {names(labels)}",
                    f"dangling pipes (an end junction does not exist): {names(labels)}",
                    [label_pipe(net, i) for i in bad],
                )
            )
    sink_bad = net.sink.index[~net.sink.junction.isin(junctions)].tolist() if "sink" in net else []
    if sink_bad:
        out.append(
            error(
                "dangling_sink",
                f"用户(sink)所在节点不存在: sink {names([str(s) for s in sink_bad])}",
                f"consumers at a junction that does not exist: sink {names(sink_bad)}",
                [f"sink {s}" for s in sink_bad],
            )
        )
    if "sink" in net and len(net.sink):
        mdot = pd.to_numeric(net.sink.mdot_kg_per_s, errors="coerce")
        bad_demand = net.sink.index[~(mdot >= 0)].tolist()
        if bad_demand:
            labels = [f"sink {s} at junction {net.sink.at[s, 'junction']}" for s in bad_demand]
            out.append(
                error(
                    "bad_demand",
                    f"用户用气量缺失或为负: {names(labels)}",
                    f"consumer demand missing or negative: {names(labels)}",
                    labels,
                )
            )
    checks: list[tuple[str, str, str, str]] = [
        ("length_km", "长度", "length", "length"),
        ("inner_diameter_mm", "管径", "diameter", "diameter"),
        ("k_mm", "粗糙度", "roughness", "roughness"),
    ]
    for column, zh, en, code in checks:
        values = pd.to_numeric(pipe[column], errors="coerce")
        bad = pipe.index[~(values > 0)].tolist()  # NaN too
        if bad:
            labels = [label_pipe(net, i) for i in bad]
            out.append(
                error(
                    f"nonpositive_{code}",
                    f"管段{zh}缺失或不为正: {names(labels)}",
                    f"pipe {en} missing or not positive: {names(labels)}",
                    labels,
                )
            )
    d = pd.to_numeric(pipe.inner_diameter_mm, errors="coerce")
    small = pipe.index[(d > 0) & (d < MIN_DIAMETER_MM)].tolist()
    if small:
        labels = [f"{label_pipe(net, i)} = {d[i]:g}" for i in small]
        out.append(
            error(
                "diameter_units",
                f"管径小于 {MIN_DIAMETER_MM:g} mm,疑似以米填写: {names(labels)}",
                f"diameter below {MIN_DIAMETER_MM:g} mm, looks like metres, not mm: "
                f"{names(labels)}",
                labels,
            )
        )
    large = pipe.index[d > MAX_DIAMETER_MM].tolist()
    if large:
        labels = [f"{label_pipe(net, i)} = {d[i]:g}" for i in large]
        out.append(
            error(
                "diameter_units",
                f"管径大于 {MAX_DIAMETER_MM:g} mm,不合城镇配气管网: {names(labels)}",
                f"diameter above {MAX_DIAMETER_MM:g} mm, implausible for distribution "
                f"(units?): {names(labels)}",
                labels,
            )
        )
    k = pd.to_numeric(pipe.k_mm, errors="coerce")
    odd = pipe.index[(k > MAX_K_MM) | ((k > 0) & (k < MIN_K_MM))].tolist()
    if odd:
        labels = [f"{label_pipe(net, i)} = {k[i]:g}" for i in odd]
        out.append(
            warning(
                "roughness_units",
                f"粗糙度超出 {MIN_K_MM:g}–{MAX_K_MM:g} mm,请核对单位: {names(labels)}",
                f"roughness outside {MIN_K_MM:g}–{MAX_K_MM:g} mm, check the units: {names(labels)}",
                labels,
            )
        )
    return out


def pressures(net: Net) -> list[Finding]:
    out: list[Finding] = []
    tables = (("junction", "pn_bar", "节点额定压力"), ("ext_grid", "p_bar", "气源压力"))
    for table, column, zh in tables:
        if table not in net or not len(net[table]):
            continue
        values = pd.to_numeric(net[table][column], errors="coerce")
        bad_high = net[table].index[values > MAX_PRESSURE_BAR].tolist()
        bad_low = net[table].index[~(values > 0)].tolist()
        if bad_high:
            labels = [f"{table} {i} = {values[i]:g}" for i in bad_high]
            out.append(
                error(
                    "pressure_units",
                    f"{zh}超过 {MAX_PRESSURE_BAR:g} bar,疑似以 Pa/kPa/mbar 填写: {names(labels)}",
                    f"{table}.{column} above {MAX_PRESSURE_BAR:g} bar (city gas maximum), "
                    f"looks like Pa, kPa or mbar, not bar: {names(labels)}",
                    labels,
                )
            )
        if bad_low:
            labels = [f"{table} {i}" for i in bad_low]
            out.append(
                error(
                    "nonpositive_pressure",
                    f"{zh}缺失或不为正: {names(labels)}",
                    f"{table}.{column} missing or not positive: {names(labels)}",
                    labels,
                )
            )
    return out


def lengths(net: Net) -> list[Finding]:
    geo = net.junction_geodata if "junction_geodata" in net else pd.DataFrame()
    if not len(geo) or not len(net.pipe):
        return []
    pipe = net.pipe
    have = pipe.from_junction.isin(geo.index) & pipe.to_junction.isin(geo.index)
    p = pipe[have]
    a, b = geo.loc[p.from_junction], geo.loc[p.to_junction]
    straight = pd.Series(distance_m(a.x.to_numpy(), a.y.to_numpy(), b.x, b.y), index=p.index)
    length_m = pd.to_numeric(p.length_km, errors="coerce") * 1000.0
    ratio = length_m / straight.where(straight >= MIN_STRAIGHT_M)
    out: list[Finding] = []
    kinds = (
        (ratio < LENGTH_KM_RATIO, "error", "length_units", "远短于两端直线距离,疑似单位错(km/m)",
         "far shorter than the straight line between its ends: km where m are meant?"),
        (ratio > LENGTH_M_RATIO, "error", "length_units", "远长于两端直线距离,疑似单位错(m/km)",
         "far longer than the straight line between its ends: m where km are meant?"),
        ((ratio >= LENGTH_KM_RATIO) & (ratio < LENGTH_SHORT_RATIO)
         & (straight - length_m > LENGTH_SLACK_M), "warning", "length_short",
         "短于两端直线距离", "shorter than the straight line between its ends"),
    )  # fmt: skip
    for mask, level, code, zh, en in kinds:
        bad = ratio.index[mask.fillna(False)].tolist()
        if bad:
            labels = [
                f"{label_pipe(net, i)}: {length_m[i]:.4g} m vs {straight[i]:.4g} m" for i in bad
            ]
            make = error if level == "error" else warning
            out.append(make(code, f"管段长度{zh}: {names(labels)}",
                            f"pipe length {en}: {names(labels)}", labels))  # fmt: skip
    return out
