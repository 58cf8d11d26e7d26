"""Reading networks: GeoJSON (lon/lat → metres, attributes in the net's tables) and pandapipes
JSON (x/y kept), placement onto WGS 84, and Schutterwald as the demo imports it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gaswarden.core.geo import haversine_m
from gaswarden.network import importer
from gaswarden.network.geo import Origin, local_origin, placed
from gaswarden.network.model import Net, schutterwald, to_json
from gaswarden.network.validate import validate

FIXTURES = Path(__file__).parents[1] / "fixtures" / "network"


@pytest.fixture(scope="module")
def small() -> importer.Imported:
    return importer.read((FIXTURES / "small.geojson").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def schutterwald_net() -> Net:
    return schutterwald()


def test_origin_round_trip_and_scale() -> None:
    origin = Origin(3417500.0, 5369300.0, 115.98, 36.47)
    lon, lat = origin.to_lonlat([3417500.0, 3418500.0], [5369300.0, 5370300.0])
    assert (lon[0], lat[0]) == (115.98, 36.47)
    # 1 km east and 1 km north is sqrt(2) km on the ground
    assert haversine_m(lon[0], lat[0], lon[1], lat[1]) == pytest.approx(1414.2, abs=1.0)
    x, y = origin.to_xy(lon, lat)
    assert np.allclose(x, [3417500.0, 3418500.0]) and np.allclose(y, [5369300.0, 5370300.0])
    assert Origin.from_dict(origin.as_dict()) == origin
    centred = placed([0.0, 200.0], [0.0, 100.0], 116.0, 36.4)
    assert (centred.x0, centred.y0) == (100.0, 50.0)
    assert local_origin([116.0, 116.2], [36.0, 36.2]).lon0 == pytest.approx(116.1)


def test_geojson_junctions_feeds_consumers(small: importer.Imported) -> None:
    net = small.net
    assert small.source_format == "geojson" and small.crs is None and small.origin is not None
    assert len(net.junction) == 14 and len(net.ext_grid) == 1 and len(net.sink) == 4
    feed = net.ext_grid.iloc[0]
    assert net.junction.at[feed.junction, "ext_id"] == "F" and feed.p_bar == 0.1
    assert net.junction.name.tolist()[:2] == ["干管节点00", "干管节点01"]
    # metres: M00 -> M10 is 150 m east
    geo = net.junction_geodata
    m00, m10 = (int(net.junction.index[net.junction.ext_id == k][0]) for k in ("M00", "M10"))
    assert geo.at[m10, "x"] - geo.at[m00, "x"] == pytest.approx(150.0, abs=0.05)
    assert geo.at[m10, "y"] == pytest.approx(geo.at[m00, "y"], abs=0.05)
    # consumers: m³/a at normal density, or kg/s as given
    c4 = int(net.junction.index[net.junction.ext_id == "C4"][0])
    assert net.sink.loc[net.sink.junction == c4, "mdot_kg_per_s"].item() == 0.0002
    c1 = int(net.junction.index[net.junction.ext_id == "C1"][0])
    c1_kg_s = net.sink.loc[net.sink.junction == c1, "mdot_kg_per_s"].item()
    assert c1_kg_s == pytest.approx(2500 * 0.73 / (8760 * 3600), rel=5e-3)  # ~0.73 kg/m³


def test_geojson_pipes_keep_attributes(small: importer.Imported) -> None:
    pipe = small.net.pipe.set_index("name")
    assert pipe.at["P2", "material"] == "steel" and pipe.at["P1", "material"] == "pe"
    assert set(pipe.pressure_class) == {"medium_b"}
    assert pipe.at["P2", "inner_diameter_mm"] == 147.2 and pipe.at["P2", "k_mm"] == 0.15
    assert pipe.at["P1", "length_km"] == pytest.approx(0.152)  # given
    assert pipe.at["P2", "length_km"] == pytest.approx(0.150, abs=1e-4)  # from the geometry
    # the bent service line: along its two legs, not straight
    assert pipe.at["SC1", "length_km"] == pytest.approx(0.060, abs=1e-4)


def test_pandapipes_json_keeps_metres_and_derives_attributes() -> None:
    text = (FIXTURES / "small_pandapipes.json").read_text(encoding="utf-8")
    imported = importer.read(text, crs="EPSG:31467")
    assert imported.source_format == "pandapipes" and imported.origin is None
    assert imported.crs == "EPSG:31467"
    assert imported.net.junction_geodata.x.min() > 3_416_000  # Gauss-Krüger metres kept
    assert set(imported.net.pipe.pressure_class) == {"medium_b"}  # 0.1 bar nominal
    assert validate(imported.net).ok


def test_geojson_written_the_other_way_round(small: importer.Imported) -> None:
    """A net written as pandapipes JSON reads back the same (extras included)."""
    again = importer.read(to_json(small.net), fmt="pandapipes")
    assert again.net.pipe.material.tolist() == small.net.pipe.material.tolist()
    assert again.net.junction.ext_id.tolist() == small.net.junction.ext_id.tolist()


def test_schutterwald_imports_clean(schutterwald_net: Net) -> None:
    imported = importer.read(to_json(schutterwald_net), crs="EPSG:31467")
    report = validate(imported.net, parsed=imported.findings)
    assert report.ok, [e.en for e in report.errors]
    assert report.figures["junctions"] == 2559 and report.figures["consumers"] == 1506
    assert 100 < report.figures["length_km"] < 102
    assert 0.95 < report.figures["p_min_bar"] < 1.0
    pipe = imported.net.pipe
    assert (pipe.material[pipe.inner_diameter_mm > 50] == "pe").all()  # "125 PE 100 SDR 11"
    width, height = (np.ptp(imported.net.junction_geodata[c]) for c in ("x", "y"))
    assert 2000 < width < 2500 and 1500 < height < 2000  # fits in one town of the demo


def test_geojson_guess_and_bad_geometry() -> None:
    data = json.loads((FIXTURES / "small.geojson").read_text(encoding="utf-8"))
    data["features"].append({"type": "Feature", "geometry": {"type": "Polygon"}, "properties": {}})
    imported = importer.read(json.dumps(data))
    assert imported.source_format == "geojson"
    assert [f.code for f in imported.findings] == ["bad_geometry"]
