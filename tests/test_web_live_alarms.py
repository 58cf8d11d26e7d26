"""The alarm board, its live stream, the alarm page and the closed-loop steps posted from the
pages, through FastAPI's TestClient (the browser test drives the same over MQTT)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.domains.alarm.live import Cursor
from gaswarden.domains.alarm.models import Alarm, AlarmEvent
from gaswarden.ingestion.contract import Reading, StoredBatch
from gaswarden.rules.engine import AlarmEngine
from tests.factories import World
from tests.test_web_pages import sign_in


def raise_co(session: Session, device_id: int, ppm: float = 400.0) -> Alarm:
    """Carbon monoxide at `ppm` from the device, through the rules engine (400 ppm is red)."""
    now = datetime.now(UTC) - timedelta(seconds=30)
    reading = Reading(device_id, "co_ppm", now, ppm)
    AlarmEngine().consume(
        session, StoredBatch(readings=[reading], events=[], statuses=[], received_at=now)
    )
    session.flush()
    alarm = session.scalars(
        select(Alarm).where(Alarm.device_id == device_id, Alarm.rule == "co_ppm")
    ).one()
    return alarm


def last_event(session: Session) -> int:
    return int(session.scalar(select(func.max(AlarmEvent.id))) or 0)


def stream_events(client: TestClient, after: int | str, query: str = "") -> list[dict[str, Any]]:
    """The alarm events of a short stream (for_s ends it), each as {id, event, data}; the id
    (the feed's cursor, on the last message of a poll) is None on the others."""
    r = client.get(f"/alarms/stream?for_s=0.3&after={after}{query}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    events = []
    for block in r.text.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if ": " in line and line[0] != ":"
        )
        if fields.get("event") == "alarm":
            events.append(
                {"id": fields.get("id"), "event": "alarm", "data": json.loads(fields["data"])}
            )
    return events


def test_board_shows_the_alarm_with_grade_counts_and_filters(
    client: TestClient, session: Session, world: World
) -> None:
    alarm = raise_co(session, world.ids["dev_gate"])
    assert alarm.grade.value == "red"
    sign_in(client, "reg_admin")
    r = client.get("/alarms")
    assert r.status_code == 200, r.text
    row = re.search(rf'<tr data-alarm-id="{alarm.id}"[^>]*>', r.text)
    assert row and 'data-grade="red"' in row.group(0) and 'data-stage="new"' in row.group(0)
    assert "红色(I级)" in r.text and "一氧化碳超限" in r.text and "400 ppm" in r.text
    assert re.search(r'data-count="red">1<', r.text)
    assert 'data-stream="/alarms/stream"' in r.text
    # the filters narrow the board, and the stream keeps the same filters
    r = client.get("/alarms?grade=blue")
    assert f'data-alarm-id="{alarm.id}"' not in r.text
    assert 'data-stream="/alarms/stream?grade=blue"' in r.text
    r = client.get(f"/alarms?owner_id={world.ids['ent_a']}&device_kind=pressure_monitor")
    assert f'data-alarm-id="{alarm.id}"' in r.text
    assert "报警" in client.get("/").text  # the navigation entry


def test_stream_sends_new_alarms_in_scope_only(
    client: TestClient, session: Session, world: World
) -> None:
    before = last_event(session)
    alarm = raise_co(session, world.ids["dev_gate"])  # enterprise A's gate station
    sign_in(client, "ent_a_admin")
    events = stream_events(client, before)
    assert [e["data"]["id"] for e in events] == [alarm.id]
    data = events[0]["data"]
    assert data["grade"] == "red" and data["loud"] and data["match"] and data["open"]
    assert data["counts"]["red"] == 1
    assert f'data-alarm-id="{alarm.id}"' in data["row"] and "fresh" in data["row"]
    cursor = Cursor.parse(events[0]["id"])
    assert cursor is not None and cursor.top > before
    # resuming after the last event sent: nothing again
    assert stream_events(client, events[0]["id"]) == []
    # a filter that excludes it: the event says it does not belong on this board
    other = stream_events(client, before, "&grade=blue")
    assert [e["data"]["match"] for e in other] == [False]

    client.cookies.clear()
    sign_in(client, "ent_b_admin")
    assert stream_events(client, before) == []
    assert client.get(f"/alarms/{alarm.id}").status_code == 404
    assert client.get("/alarms/badge").json()["open"] == 0


def test_steps_from_the_board_and_the_alarm_page(
    client: TestClient, session: Session, world: World
) -> None:
    alarm = raise_co(session, world.ids["dev_gate"])
    token = sign_in(client, "ent_a_admin")
    json_accept = {"Accept": "application/json"}
    assert client.get("/alarms/badge").json() == {
        "open": 1,
        "worst": "red",
        "counts": {"red": 1, "orange": 0, "yellow": 0, "blue": 0},
    }
    # no CSRF token: refused
    r = client.post(f"/alarms/{alarm.id}/acknowledge", data={}, headers=json_accept)
    assert r.status_code == 403
    r = client.post(
        f"/alarms/{alarm.id}/acknowledge", data={"csrf_token": token}, headers=json_accept
    )
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "acknowledged" and "已确认" in r.json()["row"]
    # a wrong step is an inline error, not a page
    r = client.post(f"/alarms/{alarm.id}/close", data={"csrf_token": token}, headers=json_accept)
    assert r.status_code in (403, 409) and not r.json()["ok"] and r.json()["error"]
    r = client.post(f"/alarms/{alarm.id}/resolve", data={"csrf_token": token}, headers=json_accept)
    assert r.status_code == 422 and "cause" in r.json()["error"]
    # a plain form post (no JavaScript) redirects to the alarm page
    r = client.post(
        f"/alarms/{alarm.id}/assign", data={"csrf_token": token, "note": "抢险一队"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == f"/alarms/{alarm.id}?done=assign"
    r = client.post(
        f"/alarms/{alarm.id}/resolve",
        data={"csrf_token": token, "cause": "false_alarm", "note": "炒菜油烟"},
        headers=json_accept,
    )
    assert r.status_code == 200 and r.json()["stage"] == "resolved"
    page = client.get(f"/alarms/{alarm.id}")
    assert page.status_code == 200
    for text in ("处置时间线", "响应时间", "产生报警", "派单", "抢险一队", "炒菜油烟", "误报"):
        assert text in page.text, text
    assert 'data-step="close"' in page.text  # an enterprise admin reviews and closes
    r = client.post(f"/alarms/{alarm.id}/close", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    r = client.post(
        f"/alarms/{alarm.id}/reopen", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303 and "error=" in r.headers["location"]  # a reason is required
    assert "重新打开" in client.get(r.headers["location"]).text


def test_board_and_stream_need_a_sign_in(client: TestClient) -> None:
    for path in ("/alarms", "/alarms/stream", "/alarms/badge", "/alarms/1"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
