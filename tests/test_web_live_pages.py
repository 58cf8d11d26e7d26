"""The device page's live panel and the quarantine page, fed through the HTTP ingest route,
and the alarm entries in the navigation (TestClient, no browser)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import World
from tests.ingestion.helpers import ago, credentials, telemetry
from tests.test_web_pages import sign_in


def ingest(client: TestClient, serial: str, token: str, body: bytes) -> int:
    r = client.post(
        f"/api/v1/ingest/{serial}/telemetry",
        content=body,
        headers={"Authorization": f"Bearer {token}"},
    )
    return r.status_code


def test_device_page_has_the_live_panel_and_chart(
    client: TestClient, session: Session, world: World
) -> None:
    serial, token = credentials(session, world.ids["dev_box"])
    body = telemetry(ago(minutes=1), seq=7, pressure_kpa=2.31, battery_pct=64.0, rssi_dbm=-80.0)
    assert ingest(client, serial, token, body) < 300
    sign_in(client, "ent_a_admin")
    page = client.get(f"/devices/{world.ids['dev_box']}")
    assert page.status_code == 200
    assert 'id="device-live"' in page.text and "/static/device_live.js" in page.text
    for hours in (1, 24, 168, 720, 8760):
        assert f'data-range="{hours}"' in page.text
    panel = client.get(f"/devices/{world.ids['dev_box']}/live")
    assert panel.status_code == 200
    assert re.search(r'data-metric="pressure_kpa".*?2\.31</span> kPa', panel.text, re.S)
    assert "64 %" in panel.text and "-80 dBm" in panel.text
    assert 'data-online="1"' in panel.text
    # other resources keep the generic page
    assert 'id="device-live"' not in client.get(f"/sites/{world.ids['box']}").text
    # out of scope: 404
    client.cookies.clear()
    sign_in(client, "ent_b_admin")
    assert client.get(f"/devices/{world.ids['dev_box']}/live").status_code == 404


def test_quarantine_lists_refused_messages_for_regulators(
    client: TestClient, session: Session, world: World
) -> None:
    serial, token = credentials(session, world.ids["dev_box"])
    # a broken message, an impossible value, an unknown device: each kept in quarantine
    ingest(client, serial, token, b'{"values": {"pressure_kpa": ')
    ingest(client, serial, token, telemetry(ago(minutes=1), pressure_kpa=99999.0))
    ingest(client, "SN-NOBODY", "x" * 20, telemetry(pressure_kpa=1.0))
    sign_in(client, "reg_admin")
    page = client.get("/quarantine")
    assert page.status_code == 200, page.text
    for text in (
        "JSON格式错误",
        "Malformed JSON",
        "数值超出物理范围",
        "未登记设备",
        serial,
        "http",
    ):
        assert text in page.text, text
    assert "隔离区" in page.text  # the navigation entry
    only = client.get("/quarantine?reason=malformed_json&transport=http")
    assert len(re.findall(r"data-quarantine-id=", only.text)) == 1
    assert "数值超出物理范围</span>" not in only.text
    by_serial = client.get(f"/quarantine?serial={serial}")
    assert len(re.findall(r"data-quarantine-id=", by_serial.text)) == 2
    none = client.get("/quarantine?from=2000-01-01&to=2000-01-02")
    assert "data-quarantine-id=" not in none.text
    client.cookies.clear()
    sign_in(client, "ent_a_admin")
    assert client.get("/quarantine").status_code == 403
    assert "隔离区" not in client.get("/").text


def test_map_points_are_coloured_by_state(
    client: TestClient, session: Session, world: World
) -> None:
    from tests.test_web_live_alarms import raise_co

    serial, token = credentials(session, world.ids["dev_box"])
    ingest(client, serial, token, telemetry(ago(minutes=1), seq=9, pressure_kpa=2.3))
    raise_co(session, world.ids["dev_gate"])  # a red alarm at the gate station
    sign_in(client, "reg_admin")
    page = client.get("/map")
    assert page.status_code == 200 and 'data-state="offline"' in page.text
    r = client.get("/map/points")
    assert r.status_code == 200
    state = {}
    for layer in r.json()["layers"]:
        for url, s, colour in zip(layer["url"], layer["state"], layer["colours"], strict=True):
            state[url] = (s, colour)
    assert state[f"/devices/{world.ids['dev_gate']}"] == ("red", "#d64545")
    assert state[f"/sites/{world.ids['gate']}"] == ("red", "#d64545")
    assert state[f"/devices/{world.ids['dev_box']}"] == ("normal", "#2e9e4f")
    assert state[f"/devices/{world.ids['dev_fill']}"][0] == "offline"  # never reported
    assert state[f"/sites/{world.ids['box']}"][0] == "normal"
    # scope: enterprise B sees neither A's alarm nor A's points
    client.cookies.clear()
    sign_in(client, "ent_b_admin")
    urls = [u for layer in client.get("/map/points").json()["layers"] for u in layer["url"]]
    assert f"/devices/{world.ids['dev_gate']}" not in urls
