"""The cockpit through HTTP: the API (figures, scores, map layers as GeoJSON), the page, its
JSON parts and its event stream, each in the caller's scope."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gaswarden.domains.alarm.live import cursor_now
from tests.cockpit import records
from tests.factories import World
from tests.test_web_live_alarms import raise_co
from tests.test_web_pages import sign_in


@pytest.fixture
def recs(session: Session, world: World) -> records.Records:
    return records.build(session, world)


def test_api_figures_in_scope(client: TestClient, world: World, recs: records.Records) -> None:
    reg = client.get("/api/v1/cockpit", headers=world.headers("reg_admin"))
    assert reg.status_code == 200, reg.text
    body = reg.json()
    # the records lie on 2026-10-14: today's counts depend on the clock, what is open does not
    assert body["alarms"]["open"] == {"red": 2, "orange": 1, "yellow": 0, "blue": 0}
    assert (body["hazards_open"], body["incidents_open"], body["requests_open"]) == (2, 1, 2)
    assert body["conversions_in_progress"] == 1 and body["devices"] == 4
    b = client.get("/api/v1/cockpit", headers=world.headers("ent_b_admin")).json()
    assert b["alarms"]["open_total"] == 1 and b["hazards_open"] == 1
    assert (b["incidents_open"], b["conversions_in_progress"], b["devices"]) == (0, 0, 2)
    assert client.get("/api/v1/cockpit").status_code == 401


def test_api_scores(client: TestClient, world: World, recs: records.Records) -> None:
    res = client.get(
        "/api/v1/cockpit/scores?days=2&day=2026-10-14", headers=world.headers("reg_admin")
    )
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["days"] == ["2026-10-13", "2026-10-14"]
    ents = {u["id"]: u for u in body["enterprises"]}
    assert ents[world.ids["ent_a"]]["trend"] == [92.0, 78.0]
    assert ents[world.ids["ent_b"]]["score"] == 83.0
    only_b = client.get(
        "/api/v1/cockpit/scores?days=1&day=2026-10-14", headers=world.headers("ent_b_admin")
    ).json()
    assert [u["id"] for u in only_b["enterprises"]] == [world.ids["ent_b"]]
    too_long = client.get("/api/v1/cockpit/scores?days=400", headers=world.headers("reg_admin"))
    assert too_long.status_code == 422


def _features(body: dict[str, Any], layer: str) -> list[dict[str, Any]]:
    return [f for f in body["features"] if f["properties"]["layer"] == layer]


def test_api_map_layers_as_geojson(client: TestClient, world: World, recs: records.Records) -> None:
    body = client.get("/api/v1/cockpit/map", headers=world.headers("reg_admin")).json()
    assert body["type"] == "FeatureCollection"
    assert body["counts"]["sites"] == 4 and body["counts"]["alarms"] == 3
    alarms = _features(body, "alarms")
    assert {f["properties"]["id"] for f in alarms} == {
        recs.ids["a1"],
        recs.ids["a2"],
        recs.ids["a3"],
    }
    red = [f for f in alarms if f["properties"]["group"] == "red"]
    assert len(red) == 2 and red[0]["geometry"]["type"] == "Point"
    assert {f["properties"]["group"] for f in _features(body, "hazards")} == {"general", "major"}
    (incident,) = _features(body, "incidents")
    assert incident["geometry"]["coordinates"] == [115.91, 36.41]  # the gate's point
    teams = _features(body, "teams")
    assert [t["properties"]["name"] for t in teams] == ["东昌燃气抢险队"]  # has a base
    assert teams[0]["properties"]["group"] == "on_duty"
    devices = {f["properties"]["id"]: f["properties"]["group"] for f in _features(body, "devices")}
    assert devices[world.ids["dev_gate"]] == "red" and devices[world.ids["dev_sup"]] == "offline"
    b = client.get(
        "/api/v1/cockpit/map?layer=alarms&layer=sites", headers=world.headers("ent_b_admin")
    ).json()
    assert set(b["counts"]) == {"alarms", "sites"}
    assert [f["properties"]["id"] for f in _features(b, "alarms")] == [recs.ids["a3"]]
    assert {f["properties"]["id"] for f in _features(b, "sites")} == {
        world.ids["filling"],
        world.ids["supply"],
    }


def test_the_page_paints_figures_and_open_alarms(
    client: TestClient, world: World, recs: records.Records
) -> None:
    sign_in(client, "reg_admin")
    r = client.get("/cockpit")
    assert r.status_code == 200, r.text
    assert "燃气安全监管驾驶舱" in r.text
    assert re.search(r'data-fig="alarms_open">3<', r.text)
    assert re.search(r'data-fig="hazards_open">2<', r.text)
    assert re.search(r'data-fig="incidents_open">1<', r.text)
    assert r.text.count('<li data-alarm-id="') == 3 and "SN-S-B-FILL" in r.text
    assert 'data-stream="/cockpit/stream?after=' in r.text
    assert 'action="/api/v1/reports/district"' in r.text
    assert "plotly.min.js" not in r.text.split("cockpit.js")[0]  # the map loads after paint
    maps = client.get("/cockpit/map.json").json()
    assert maps["geojson"]["counts"]["alarms"] == 3 and maps["areas"]
    assert maps["layers"]["teams"] == "救援队伍"
    scores = client.get("/cockpit/scores.json?days=2").json()
    assert len(scores["days"]) == 2 and scores["towns"]
    client.cookies.set("lang", "en")
    english = client.get("/cockpit").text
    assert "Gas safety cockpit" in english and "Red (I)" in english
    assert client.get("/cockpit/map.json").json()["layers"]["teams"] == "Rescue teams"


def test_an_enterprise_page_shows_its_own(
    client: TestClient, world: World, recs: records.Records
) -> None:
    sign_in(client, "ent_b_admin")
    r = client.get("/cockpit")
    assert r.status_code == 200
    assert re.search(r'data-fig="alarms_open">1<', r.text)
    assert "SN-S-B-FILL" in r.text and "SN-S-A-GATE" not in r.text


def _events(text: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for block in text.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if ": " in line and line[0] != ":"
        )
        if "event" in fields:
            out.append((fields["event"], json.loads(fields["data"])))
    return out


def test_the_stream_pushes_a_new_alarm_and_the_figures(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in(client, "ent_a_admin")
    after = cursor_now(session).encode()
    raise_co(session, world.ids["dev_gate"])
    raise_co(session, world.ids["dev_fill"])  # enterprise B's: not sent to A
    r = client.get(f"/cockpit/stream?for_s=0.3&after={after}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    events = _events(r.text)
    alarms = [d for e, d in events if e == "alarm"]
    assert [a["serial"] for a in alarms] == ["SN-S-A-GATE"]
    assert alarms[0]["grade"] == "red" and alarms[0]["open"] and alarms[0]["loud"]
    (figures,) = [d for e, d in events if e == "figures"]
    assert figures["figures"]["alarms"]["open"]["red"] == 1
    assert figures["text"]["alarms_today_red"] == "1"
