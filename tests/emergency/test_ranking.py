"""Nearest resources with a known answer: across a river with one bridge, the team nearest in
a straight line is the farther one by road."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gaswarden.core.geo import haversine_m
from gaswarden.domains.emergency import roads
from gaswarden.domains.workforce.enums import DutyStatus
from gaswarden.domains.workforce.models import Team
from tests.emergency.helpers import (
    API,
    EAST_MID,
    EAST_NORTH,
    EAST_SOUTH,
    WEST_NORTH,
    WEST_SOUTH,
    rescue_team,
    river_roads,
)
from tests.factories import World


def _setup(session: Session, world: World) -> tuple[int, int]:
    """Team A's own team off duty; a west-bank team and an east-bank team on duty."""
    team_a = session.get(Team, world.ids["team_a"])
    assert team_a is not None
    team_a.duty_status = DutyStatus.OFF_DUTY
    west = rescue_team(session, "西岸抢险队", world.ids["ent_a"], WEST_SOUTH)
    east = rescue_team(session, "东岸抢险队", world.ids["ent_b"], EAST_MID)
    session.commit()
    return west.id, east.id


def _open(client: TestClient, world: World) -> int:
    r = client.post(
        f"{API}/incidents",
        json={
            "title": "东岸管道泄漏",
            "grade": "III",
            "source": "call",
            "lon": EAST_SOUTH[0],
            "lat": EAST_SOUTH[1],
        },
        headers=world.headers("reg_admin"),
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_straight_line_without_roads_then_road_distance_with_them(
    client: TestClient, session: Session, world: World
) -> None:
    west, east = _setup(session, world)
    incident = _open(client, world)
    headers = world.headers("reg_admin")

    straight = client.get(f"{API}/incidents/{incident}/ranking", headers=headers).json()
    assert straight["method"] == "straight"
    assert [t["team_id"] for t in straight["teams"]] == [west, east]
    assert straight["teams"][0]["distance_m"] == pytest.approx(
        haversine_m(*WEST_SOUTH, *EAST_SOUTH), abs=1
    )
    assert world.ids["team_a"] not in [t["team_id"] for t in straight["teams"]]  # off duty

    r = client.post(f"{API}/roads", json=river_roads(), headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["nodes"] == 5 and r.json()["edges"] == 4

    by_road = client.get(f"{API}/incidents/{incident}/ranking", headers=headers).json()
    assert by_road["method"] == "road"
    assert by_road["method_zh"] == "道路距离"
    assert [t["team_id"] for t in by_road["teams"]] == [east, west]
    west_road = (
        haversine_m(*WEST_SOUTH, *WEST_NORTH)
        + haversine_m(*WEST_NORTH, *EAST_NORTH)
        + haversine_m(*EAST_NORTH, *EAST_MID)
        + haversine_m(*EAST_MID, *EAST_SOUTH)
    )
    distances = {t["team_id"]: t["distance_m"] for t in by_road["teams"]}
    assert distances[west] == pytest.approx(west_road, abs=1)
    assert distances[east] == pytest.approx(haversine_m(*EAST_MID, *EAST_SOUTH), abs=1)
    assert all(t["by_road"] for t in by_road["teams"])

    # Dispatching records the distance and its method.
    r = client.post(f"{API}/incidents/{incident}/dispatch", json={"team_id": west}, headers=headers)
    assert r.status_code == 201, r.text
    d = r.json()["dispatches"][0]
    assert d["distance_method"] == "road" and d["distance_m"] == pytest.approx(west_road, abs=1)


def test_access_legs_are_added_and_the_cache_follows_the_tables(
    session: Session, world: World, client: TestClient
) -> None:
    headers = world.headers("reg_admin")
    assert client.post(f"{API}/roads", json=river_roads(), headers=headers).status_code == 200
    graph = roads.load(session)
    assert roads.load(session) is graph  # cached while the tables are unchanged
    start, end = (115.925, 36.40), (115.955, 36.40)  # off the roads, to the west and east
    expected = (
        haversine_m(*start, *WEST_SOUTH)
        + haversine_m(*WEST_SOUTH, *WEST_NORTH)
        + haversine_m(*WEST_NORTH, *EAST_NORTH)
        + haversine_m(*EAST_NORTH, *EAST_MID)
        + haversine_m(*EAST_MID, *EAST_SOUTH)
        + haversine_m(*EAST_SOUTH, *end)
    )
    assert graph.distance(start, end) == pytest.approx(expected, abs=1)


def test_only_a_regulator_imports_roads_and_bad_files_are_refused(
    client: TestClient, world: World
) -> None:
    r = client.post(f"{API}/roads", json=river_roads(), headers=world.headers("ent_a_admin"))
    assert r.status_code == 403
    r = client.post(
        f"{API}/roads",
        json={"type": "FeatureCollection", "features": []},
        headers=world.headers("reg_admin"),
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
