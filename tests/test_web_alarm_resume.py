"""The board's stream resumes where the browser left it: every stream starts with its cursor as
the SSE id, the last message of each poll moves it, and a reconnect with Last-Event-ID is sent
what was committed while the browser was away, including timeline entries that committed late,
under ids the stream had already passed. Through the HTTP endpoint (TestClient)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.domains.alarm.enums import AlarmEventKind
from gaswarden.domains.alarm.live import Cursor
from gaswarden.domains.alarm.models import Alarm, AlarmEvent
from tests.alarm.direct import raise_red
from tests.factories import World
from tests.test_web_pages import sign_in


def read_stream(
    client: TestClient, query: str = "", last_event_id: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """(the alarm events of a short stream, the id a browser would reconnect with)."""
    headers = {"Last-Event-ID": last_event_id} if last_event_id is not None else {}
    r = client.get(f"/alarms/stream?for_s=0.3{query}", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    events, last = [], None
    for block in r.text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            name, _, value = line.partition(": ")
            if name and not line.startswith(":"):
                fields[name] = value
        if "id" in fields:  # as EventSource does: the id sticks, with or without an event
            last = fields["id"]
        if fields.get("event") == "alarm":
            events.append(json.loads(fields["data"]))
    return events, last


def acknowledge(client: TestClient, world: World, alarm_id: int) -> None:
    r = client.post(
        f"/api/v1/alarms/{alarm_id}/acknowledge", json={}, headers=world.headers("ent_a_admin")
    )
    assert r.status_code == 200, r.text


def top_id(session: Session) -> int:
    return int(session.scalar(select(func.max(AlarmEvent.id))) or 0)


def late_entry(session: Session, alarm: Alarm, event_id: int) -> None:
    """A timeline entry with a given id: as if the transaction holding that id committed now."""
    session.add(
        AlarmEvent(
            id=event_id,
            alarm_id=alarm.id,
            at=datetime.now(UTC),
            kind=AlarmEventKind.REPEATED,
            actor_name="system",
            grade=alarm.grade,
            stage=alarm.stage,
        )
    )
    session.flush()


def test_reconnect_with_last_event_id_gets_the_change_made_meanwhile(
    client: TestClient, session: Session, world: World
) -> None:
    alarm = raise_red(session, world.ids["dev_gate"])
    sign_in(client, "reg_admin")
    # connect: nothing new yet, but the stream says where it stands
    events, cursor = read_stream(client)
    assert events == [] and cursor is not None and Cursor.parse(cursor) is not None

    acknowledge(client, world, alarm.id)  # while the browser is away

    events, resumed = read_stream(client, last_event_id=cursor)
    assert [(e["id"], e["stage"]) for e in events] == [(alarm.id, "acknowledged")]
    assert f'data-alarm-id="{alarm.id}"' in events[0]["row"] and "已确认" in events[0]["row"]
    assert resumed is not None and resumed != cursor
    # once sent, not again; and a fresh connection (no Last-Event-ID) starts from now
    assert read_stream(client, last_event_id=resumed)[0] == []
    assert read_stream(client)[0] == []


def test_an_entry_that_commits_late_under_the_cursor_is_sent_on_reconnect(
    client: TestClient, session: Session, world: World
) -> None:
    first = raise_red(session, world.ids["dev_gate"])
    second = raise_red(session, world.ids["dev_box"])
    top = top_id(session)
    sign_in(client, "reg_admin")
    # id top+2 commits first; top+1 is held by a transaction still open
    late_entry(session, first, top + 2)
    events, cursor = read_stream(client, last_event_id=str(top))
    assert [e["id"] for e in events] == [first.id]
    parsed = Cursor.parse(cursor)
    assert parsed is not None and parsed.top == top + 2 and top + 1 in parsed.gaps

    late_entry(session, second, top + 1)  # ... and commits while the browser reconnects
    events, resumed = read_stream(client, last_event_id=cursor)
    assert [e["id"] for e in events] == [second.id]
    parsed = Cursor.parse(resumed)
    assert parsed is not None and parsed.top == top + 2 and top + 1 not in parsed.gaps
    assert read_stream(client, last_event_id=resumed)[0] == []
    # a client that kept only the newest id would have lost it
    assert read_stream(client, last_event_id=str(top + 2))[0] == []


def test_changes_out_of_scope_move_the_cursor_without_events(
    client: TestClient, session: Session, world: World
) -> None:
    alarm = raise_red(session, world.ids["dev_gate"])  # enterprise A's
    sign_in(client, "ent_b_admin")
    events, cursor = read_stream(client)
    assert events == []
    acknowledge(client, world, alarm.id)
    events, moved = read_stream(client, last_event_id=cursor)
    assert events == []
    before, after = Cursor.parse(cursor), Cursor.parse(moved)
    assert before is not None and after is not None and after.top > before.top


def test_the_board_hands_its_cursor_to_the_stream(
    client: TestClient, session: Session, world: World
) -> None:
    alarm = raise_red(session, world.ids["dev_gate"])
    sign_in(client, "reg_admin")
    page = client.get("/alarms").text
    found = re.search(r'id="alarm-board" data-stream="[^"]*" data-after="([^"]+)"', page)
    assert found
    after = found.group(1)
    assert Cursor.parse(after) is not None
    acknowledge(client, world, alarm.id)  # after the page was drawn, before the stream opened
    events, _ = read_stream(client, f"&after={after}")
    assert [(e["id"], e["stage"]) for e in events] == [(alarm.id, "acknowledged")]


def test_cursor_text_and_malformed_ids(client: TestClient, world: World) -> None:
    cursor = Cursor.parse("1000:801,850-852,999")
    assert cursor is not None
    assert cursor.top == 1000 and cursor.gaps == {801, 850, 851, 852, 999}
    assert cursor.encode() == "1000:801,850-852,999"
    assert Cursor.parse("1000:5") == Cursor(1000)  # below the look-back window: dropped
    for bad in ("", "abc", "10:x", "-5", "10:1-"):
        assert Cursor.parse(bad) is None, bad
    sign_in(client, "reg_admin")
    events, cursor_text = read_stream(client, last_event_id="not-a-cursor")
    assert events == [] and Cursor.parse(cursor_text) is not None
