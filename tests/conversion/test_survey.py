"""The nearest main from a loaded network model (tests/fixtures/network/small.geojson: a 3 x 3
grid of mains about 150 m apart at 115.92 E, 36.42 N, with four service pipes), the fallback to
the surveyor's distance where no model covers the household, and the eligibility rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.core.geo import haversine_m
from gaswarden.domains.conversion import applications, rules, survey
from gaswarden.domains.conversion.survey import point_to_segment_m
from gaswarden.domains.network import service as networks
from gaswarden.domains.organization.models import Organization
from gaswarden.network import importer
from gaswarden.network.validate import validate
from tests.conversion.helpers import ID_2, ID_3, apply, step, who
from tests.factories import World

SMALL = Path(__file__).parents[1] / "fixtures" / "network" / "small.geojson"
NORTH_ROW_LAT = 36.422698  # the mains M02 - M12 - M22
M02_LON, M12_LON = 115.92, 115.9216764
METRE_LAT = 1 / 111_195.0  # degrees of latitude in a metre, near enough to place a point


def load_small(session: Session) -> None:
    imported = importer.read(SMALL.read_text(encoding="utf-8"))
    networks.import_network(
        session=session,
        principal=who(session, "ent_a_admin"),
        data={"code": "NET-CV", "name": "古楼测试管网", "area_id": None},
        imported=imported,
        report=validate(imported.net, parsed=imported.findings),
    )
    session.flush()


def test_distance_to_the_nearest_main_from_the_network(
    client: TestClient, world: World, session: Session
) -> None:
    load_small(session)
    lon = (M02_LON + M12_LON) / 2
    lat = NORTH_ROW_LAT + 40 * METRE_LAT  # 40 m north of the main M02 - M12
    app = apply(client, world, lon=lon, lat=lat, area_id=None)
    assert app["area_id"] == world.ids["g11"]
    r = step(client, world, app["id"], "survey", main_distance_m=3.0)  # the model wins
    assert r.status_code == 200, r.text
    got = r.json()
    expected = haversine_m(lon, NORTH_ROW_LAT, lon, lat)  # to the foot of the perpendicular
    assert got["main_distance_source"] == "network"
    assert got["main_distance_m"] == pytest.approx(expected, abs=0.1)
    assert got["nearest_pipe_ref"] == "NET-CV/P5"
    assert (got["status"], got["eligible"]) == ("surveyed", True)
    assert got["timeline"][-1]["data"]["source"] == "network"


def test_service_pipes_are_no_mains(client: TestClient, world: World, session: Session) -> None:
    load_small(session)
    # 10 m east of the house C2, whose service pipe runs 30 m north from M02: the nearest
    # main is M02 - M12, 30 m south (the service pipe itself, 10 m away, does not count)
    lon = M02_LON + 10 / (111_195.0 * 0.80465)  # cos(36.42°) ~ 0.80465
    lat = NORTH_ROW_LAT + 30 * METRE_LAT
    app = apply(client, world, lon=lon, lat=lat, area_id=None)
    got = step(client, world, app["id"], "survey").json()
    assert got["nearest_pipe_ref"] == "NET-CV/P5"
    assert got["main_distance_m"] == pytest.approx(30.0, abs=0.2)


def test_too_far_from_the_model_refused(client: TestClient, world: World, session: Session) -> None:
    load_small(session)
    lat = NORTH_ROW_LAT + (rules.MAX_MAIN_DISTANCE_M + 20) * METRE_LAT
    app = apply(client, world, lon=M12_LON, lat=lat, area_id=None, applicant_id_number=ID_2)
    got = step(client, world, app["id"], "survey").json()
    assert got["main_distance_source"] == "network"
    assert got["main_distance_m"] == pytest.approx(rules.MAX_MAIN_DISTANCE_M + 20, abs=0.2)
    assert (got["status"], got["refusal_reason"], got["eligible"]) == (
        "refused",
        "too_far_from_main",
        False,
    )


def test_outside_the_model_the_surveyors_distance_counts(
    client: TestClient, world: World, session: Session
) -> None:
    load_small(session)
    # 3 km east: the model does not cover it (the company's other mains are not modelled)
    app = apply(client, world, lon=115.955, lat=36.42, area_id=None, applicant_id_number=ID_3)
    r = step(client, world, app["id"], "survey")
    assert r.status_code == 422
    got = step(client, world, app["id"], "survey", main_distance_m=42.0).json()
    assert (got["main_distance_source"], got["main_distance_m"], got["nearest_pipe_ref"]) == (
        "survey",
        42.0,
        None,
    )


def test_another_companys_network_is_not_used(
    client: TestClient, world: World, session: Session
) -> None:
    load_small(session)  # ent_a's model
    lon, lat = (M02_LON + M12_LON) / 2, NORTH_ROW_LAT + 40 * METRE_LAT
    other = Organization(name="另一管道燃气公司", kind="pipeline", area_id=world.ids["district"])
    session.add(other)
    session.flush()
    app = applications.apply(
        session=session,
        principal=SYSTEM,
        applicant_name="钱外司",
        applicant_phone="13700001234",
        applicant_id_number=ID_2,
        owner_id=other.id,
        address="古楼街道外司路1号",
        lon=lon,
        lat=lat,
    )
    done = survey.survey(session=session, principal=SYSTEM, id=app.id, main_distance_m=55.0)
    assert (done.main_distance_source, done.main_distance_m) == ("survey", 55.0)


def test_point_to_segment_distance() -> None:
    a, b = (115.92, 36.42), (115.9216764, 36.42)
    above = (115.9208382, 36.42 + 50 * METRE_LAT)
    assert point_to_segment_m(above, a, b) == pytest.approx(
        haversine_m(above[0], 36.42, above[0], above[1]), abs=0.05
    )
    beyond = (115.9216764 + 0.001, 36.42)  # past the end b: the distance to b
    assert point_to_segment_m(beyond, a, b) == pytest.approx(
        haversine_m(beyond[0], beyond[1], b[0], b[1]), abs=0.1
    )
    assert point_to_segment_m(a, a, a) == 0.0
