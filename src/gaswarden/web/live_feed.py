"""What the live pages' server-sent-event streams share (the alarm board's, web/alarm_stream.py,
and the cockpit's, cockpit/feed.py): the SSE message format, the wait that an in-process
alarm change cuts short, and the cursor over the alarm timeline.

Ingest workers may run in other processes, so a feed polls the database: every change of an
alarm writes a timeline entry (alarm_event), and the feed reads the entries after the last one
it sent, a primary-key range. Entry ids are handed out at flush and a transaction may commit
after a later one, so each read looks back LOOKBACK ids and skips those already read. Where
the feed stands (a Cursor: the newest id read and the ids under it not committed yet) is the
SSE event id; EventSource sends it back as Last-Event-ID when it reconnects, and the new
stream starts exactly there.
"""

from __future__ import annotations

import asyncio
import json
import queue
import time
from collections.abc import Callable
from typing import Any

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.domains.alarm.live import LOOKBACK, Cursor, changes_since, cursor_now
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.alarm.scope import alarm_scope

POLL_S = 1.0  # the longest a change waits when no in-process hint arrives
KEEPALIVE_S = 15.0
STREAM_S = 300.0  # a stream ends after this; EventSource reconnects with Last-Event-ID
RETRY_MS = 2000
HINT_STEP_S = 0.1  # how often the wait looks for an in-process hint


def sse(event: str | None, data: dict[str, Any] | None, event_id: str | None = None) -> str:
    """One SSE message. Without event and data it only moves the client's Last-Event-ID."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    if event is None or data is None:
        return head + "\n"
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def opening(request: Request, session: Session) -> tuple[Cursor, float]:
    """Where a stream starts and for how long: from Last-Event-ID (or ?after=, the cursor the
    page was rendered at), else from now; `for_s` shortens it (tests, proxies with short
    timeouts). Commits the request's transaction: polls use short sessions of their own."""
    cursor = Cursor.parse(request.headers.get("last-event-id")) or Cursor.parse(
        request.query_params.get("after")
    )
    if cursor is None:
        cursor = cursor_now(session)
    try:
        duration = float(request.query_params.get("for_s", STREAM_S))
    except ValueError:
        duration = STREAM_S
    session.commit()
    return cursor, max(0.0, min(duration, STREAM_S))


async def hint(sub: queue.Queue[Any], seconds: float) -> None:
    """Sleep up to `seconds`, less when this process publishes an alarm change."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not sub.empty():
            while not sub.empty():
                sub.get_nowait()
            return
        await asyncio.sleep(min(HINT_STEP_S, max(0.0, end - time.monotonic())))


class AlarmCursor:
    """One viewer's place in the alarm timeline.

    The last message of each poll carries the cursor up to which the viewer has been sent
    everything; the other messages of the poll carry no id, so a connection lost half way
    through a poll resumes from the poll before and is sent all of it again."""

    def __init__(
        self, factory: Callable[[], Session], principal: Principal, cursor: Cursor
    ) -> None:
        self.factory, self.principal = factory, principal
        self.top = cursor.top
        self.seen = cursor.seen()  # ids read: sent, or nothing for this viewer

    def cursor(self) -> str:
        return Cursor.of(self.top, self.seen).encode()

    def start(self) -> str:
        """The stream's first message: where it starts, so that a viewer who is sent nothing
        before a disconnect still resumes from here."""
        return f"retry: {RETRY_MS}\n" + sse(None, None, self.cursor())

    def read(self, session: Session) -> list[tuple[Alarm, int]] | None:
        """The alarms changed since the last read that the viewer may see, oldest change
        first, each with its newest timeline entry; None when nothing new was committed.
        The cursor moves past every entry read, those of alarms out of scope too."""
        new = changes_since(session, Cursor(self.top), self.seen)
        if not new:
            return None
        newest: dict[int, int] = {}
        for eid, aid in new:
            newest[aid] = eid
        visible = session.scalars(
            select(Alarm).where(Alarm.id.in_(list(newest)), alarm_scope(self.principal))
        )
        changed = sorted(((a, newest[a.id]) for a in visible), key=lambda pair: pair[1])
        self.seen.update(eid for eid, _ in new)
        self.top = max(self.top, *(eid for eid, _ in new))
        self.seen.difference_update({i for i in self.seen if i <= self.top - 2 * LOOKBACK})
        return changed

    def messages(self, items: list[dict[str, Any]]) -> list[str]:
        """`alarm` messages of the items, the cursor on the last one (alone, in a message with
        only an id, when the changes were all out of the viewer's scope)."""
        out = [sse("alarm", data) for data in items[:-1]]
        out.append(sse("alarm" if items else None, items[-1] if items else None, self.cursor()))
        return out
