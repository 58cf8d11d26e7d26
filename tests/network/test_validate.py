"""Model validation with broken inputs: each class of error the importer must stop on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandapipes
import pytest

from gaswarden.network import importer
from gaswarden.network.model import Net, copy_net
from gaswarden.network.validate import Report, solve_check, validate

SMALL = Path(__file__).parents[1] / "fixtures" / "network" / "small.geojson"


@pytest.fixture(scope="module")
def base() -> Net:
    imported = importer.read(SMALL.read_text(encoding="utf-8"))
    assert imported.findings == []
    return imported.net


def net_of(base: Net) -> Net:
    return copy_net(base)


def codes(report: Report, level: str = "error") -> set[str]:
    return {f.code for f in report.findings if f.level == level}


def geojson(edit: Any) -> Report:
    data = json.loads(SMALL.read_text(encoding="utf-8"))
    edit(data["features"])
    imported = importer.read_geojson(data)
    return validate(imported.net, parsed=imported.findings)


def props(features: list[dict[str, Any]], fid: str) -> dict[str, Any]:
    return next(f["properties"] for f in features if f["properties"]["id"] == fid)


def test_the_small_network_is_clean(base: Net) -> None:
    report = validate(net_of(base))
    assert report.ok and report.warnings == []
    assert report.figures["junctions"] == 14 and report.figures["p_min_bar"] > 0.09
    assert report.figures["inflow_kg_s"] == pytest.approx(report.figures["demand_kg_s"], rel=1e-3)


def test_dangling_pipe_in_geojson_names_the_pipe() -> None:
    report = geojson(lambda fs: props(fs, "P3").update({"to": "M99"}))
    (finding,) = [f for f in report.errors if f.code == "dangling_pipe"]
    assert "pipe P3" in finding.en and "M99" in finding.en and "悬空" in finding.zh
    assert finding.text.index("悬空") < finding.text.index("dangling")  # zh first


def test_dangling_pipe_in_a_pandapipes_net(base: Net) -> None:
    net = net_of(base)
    net.pipe.loc[5, "to_junction"] = 999
    report = validate(net)
    assert "dangling_pipe" in codes(report) and "pipe 5" in report.errors[0].en
    assert "p_min_bar" not in report.figures  # no solve on a broken net


def test_duplicate_ids() -> None:
    def dup(features: list[dict[str, Any]]) -> None:
        extra = json.loads(json.dumps(features[0]))
        features.append(extra)  # M00 twice
        pipe = next(f for f in features if f["properties"]["id"] == "P2")
        features.append(json.loads(json.dumps(pipe)))

    report = geojson(dup)
    found = [f for f in report.errors if f.code == "duplicate_id"]
    assert {f.elements for f in found} == {("junction M00",), ("pipe P2",)}


def test_duplicate_index_in_pandapipes(base: Net) -> None:
    net = net_of(base)
    net.junction = net.junction.rename(index={1: 0})
    assert "duplicate_index" in codes(validate(net))


def test_no_feed(base: Net) -> None:
    net = net_of(base)
    net.ext_grid.drop(net.ext_grid.index, inplace=True)
    report = validate(net)
    assert "no_feed" in codes(report) and "feed" in report.errors[0].en


def test_island_with_consumers_is_an_error(base: Net) -> None:
    net = net_of(base)
    # the consumer C1 hangs off the corner M22: cut the corner's two mains
    m22 = net.junction.index[net.junction.name == "干管节点22"][0]
    ends = (net.pipe.from_junction == m22) | (net.pipe.to_junction == m22)
    net.pipe.loc[ends & (net.pipe.name != "SC1"), "in_service"] = False
    report = validate(net)
    (island,) = [f for f in report.errors if f.code == "island"]
    assert "用户C1" in island.en and "2 junctions" in island.en and "孤岛" in island.zh
    net.sink.loc[net.sink.junction == island_junction(net, "用户C1"), "in_service"] = False
    report = validate(net)  # nobody cut off: a dead section, a warning
    assert report.ok and "island" in codes(report, "warning")


def island_junction(net: Net, name: str) -> int:
    return int(net.junction.index[net.junction.name == name][0])


def test_isolated_junction(base: Net) -> None:
    net = net_of(base)
    lonely = pandapipes.create_junction(net, pn_bar=0.1, tfluid_k=283.15, name="lonely")
    net.junction_geodata.loc[lonely, ["x", "y"]] = [10.0, 10.0]
    report = validate(net)
    assert codes(report, "warning") == {"isolated_junction"} and report.ok
    pandapipes.create_sink(net, lonely, mdot_kg_per_s=0.0001)
    report = validate(net)
    assert "isolated_junction" in codes(report) and "lonely" in report.errors[0].en


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("length_km", 0.0, "nonpositive_length"),
        ("length_km", -0.1, "nonpositive_length"),
        ("inner_diameter_mm", 0.0, "nonpositive_diameter"),
        ("inner_diameter_mm", np.nan, "nonpositive_diameter"),
        ("k_mm", 0.0, "nonpositive_roughness"),
        ("inner_diameter_mm", 0.1102, "diameter_units"),  # metres where mm are meant
        ("inner_diameter_mm", 110200.0, "diameter_units"),  # micrometres
        ("length_km", 150.0, "length_units"),  # metres in the km column
        ("length_km", 0.00015, "length_units"),  # km in a metres field, converted twice
    ],
)
def test_pipe_values_and_units(base: Net, column: str, value: float, code: str) -> None:
    net = net_of(base)
    pipe = net.pipe.index[net.pipe.name == "P2"][0]
    net.pipe.loc[pipe, column] = value
    report = validate(net)
    assert code in codes(report)
    assert any(f"pipe {pipe} (P2)" in e.en for e in report.errors if e.code == code)


def test_roughness_in_metres_is_a_warning(base: Net) -> None:
    net = net_of(base)
    net.pipe.loc[0, "k_mm"] = 0.0001
    report = validate(net)
    assert report.ok and "roughness_units" in codes(report, "warning")


def test_geojson_length_in_km() -> None:
    report = geojson(lambda fs: props(fs, "P4").update({"length_m": 0.15}))
    assert "length_units" in codes(report)


@pytest.mark.parametrize(("table", "column"), [("junction", "pn_bar"), ("ext_grid", "p_bar")])
def test_pressure_in_pascal(base: Net, table: str, column: str) -> None:
    net = net_of(base)
    net[table].loc[net[table].index[0], column] = 10_000.0  # 0.1 bar written as Pa
    report = validate(net)
    assert "pressure_units" in codes(report) and "Pa" in report.errors[0].en


def test_no_convergence_is_an_error(base: Net) -> None:
    net = net_of(base)
    net.sink.loc[net.sink.index[0], "mdot_kg_per_s"] = 5.0  # a city's demand on a 32 mm line
    report = validate(net)
    assert codes(report) & {"not_converged", "negative_pressure"}


def test_nan_pressure_after_the_solve(base: Net) -> None:
    net = net_of(base)
    line = net.pipe.index[net.pipe.name == "SC1"][0]
    net.pipe.loc[line, "in_service"] = False  # pandapipes leaves the cut-off junction NaN
    (finding,) = solve_check(net)
    assert finding.code == "nan_pressure" and "用户C1" in finding.en
    assert solve_check(net, dead={int(net.junction.index[net.junction.name == "用户C1"][0])}) == []


def test_bad_demand_and_kind() -> None:
    def edit(features: list[dict[str, Any]]) -> None:
        props(features, "C1")["demand_m3_per_a"] = -5
        props(features, "C2")["kind"] = "household"

    report = geojson(edit)
    assert {"bad_demand", "bad_kind"} <= codes(report)


def test_unreadable_files() -> None:
    with pytest.raises(importer.UnreadableNetwork):
        importer.read("{nope")
    with pytest.raises(importer.UnreadableNetwork):
        importer.read('{"type": "FeatureCollection"}')
    with pytest.raises(importer.UnreadableNetwork):
        importer.read('{"a": 1}', fmt="pandapipes")
