"""Filtering alarms by area takes in everything under it: a district all of its towns and
grids, a town its grids; through the API, the board and the board's stream."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.alarm.direct import raise_red
from tests.factories import World
from tests.test_web_alarm_resume import read_stream
from tests.test_web_pages import sign_in


def three_alarms(session: Session, world: World) -> dict[str, int]:
    """Red alarms in grids 古楼一 and 古楼二 (town 古楼) and in grid 柳园一 (town 柳园)."""
    made = {
        "gate": raise_red(session, world.ids["dev_gate"]),
        "box": raise_red(session, world.ids["dev_box"]),
        "fill": raise_red(session, world.ids["dev_fill"]),
    }
    ids = world.ids
    assert [made[k].area_id for k in ("gate", "box", "fill")] == [
        ids["g11"],
        ids["g12"],
        ids["g21"],
    ]
    return {k: a.id for k, a in made.items()}


def test_api_area_filter_includes_the_areas_below(
    session: Session, client: TestClient, world: World
) -> None:
    alarms = three_alarms(session, world)
    ids = world.ids

    def listed(who: str, *areas: int) -> set[int]:
        r = client.get(
            "/api/v1/alarms",
            params={"area_id": list(areas), "size": 100},
            headers=world.headers(who),
        )
        assert r.status_code == 200, r.text
        return {a["id"] for a in r.json()["items"]} & set(alarms.values())

    everything = set(alarms.values())
    assert listed("reg_admin", ids["district"]) == everything
    assert listed("reg_admin", ids["t1"]) == {alarms["gate"], alarms["box"]}
    assert listed("reg_admin", ids["t2"]) == {alarms["fill"]}
    assert listed("reg_admin", ids["g12"]) == {alarms["box"]}
    assert listed("reg_admin", ids["g12"], ids["t2"]) == {alarms["box"], alarms["fill"]}
    # the filter narrows the caller's scope, never widens it
    assert listed("grid_sup", ids["district"]) == {alarms["gate"]}
    assert listed("ent_b_admin", ids["district"]) == {alarms["fill"]}


def test_board_and_stream_area_filter(session: Session, client: TestClient, world: World) -> None:
    alarms = three_alarms(session, world)
    ids = world.ids
    sign_in(client, "reg_admin")
    page = client.get(f"/alarms?area_id={ids['t1']}")
    assert page.status_code == 200, page.text
    shown = {int(i) for i in re.findall(r'<tr data-alarm-id="(\d+)"', page.text)}
    assert shown == {alarms["gate"], alarms["box"]}
    # the choices are the area tree, a town indented under its district, a grid under its town
    assert f'<option value="{ids["district"]}">东昌府区</option>' in page.text
    assert f'<option value="{ids["t1"]}" selected>\u3000古楼街道</option>' in page.text
    assert f'<option value="{ids["g11"]}">\u3000\u3000古楼一网格</option>' in page.text
    assert "区域(含下级)" in page.text

    events, _ = read_stream(client, f"&area_id={ids['t2']}", last_event_id="0")
    match = {e["id"]: e["match"] for e in events}
    assert match == {alarms["gate"]: False, alarms["box"]: False, alarms["fill"]: True}
