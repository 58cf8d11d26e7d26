"""The board's live feed (/alarms/stream, server-sent events) and the navigation badge.

Ingest workers may run in other processes, so the feed polls the database: every change of an
alarm writes a timeline entry (alarm_event), and the feed reads the entries after the last one
it sent — a primary-key range, cheap at any table size. The in-process broadcaster
(domains/alarm/live.py) only wakes the poll early. Entry ids are handed out at flush and a
transaction may commit after a later one, so each poll looks back LOOKBACK ids and skips those
already read. Where the feed stands (a Cursor: the newest id read and the ids under it not
committed yet) is the SSE event id; EventSource sends it back as Last-Event-ID when it
reconnects, and the new stream starts exactly there, so a change committed while the browser
was reconnecting is sent then. Each event carries the rendered row (in the viewer's scope,
language and rights), whether it belongs on the board as filtered, and fresh counts per grade.
"""

from __future__ import annotations

import asyncio
import json
import queue
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from gaswarden.core.auth import Principal
from gaswarden.deps import SessionDep
from gaswarden.domains.alarm.enums import OPEN_STAGES
from gaswarden.domains.alarm.live import LOOKBACK, Cursor, broadcaster, changes_since, cursor_now
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.alarm.scope import alarm_scope
from gaswarden.web import alarm_view
from gaswarden.web.alarms import board_filters, board_query
from gaswarden.web.csrf import csrf_token
from gaswarden.web.routing import WebPrincipal, WebRoute, query_lists

router = APIRouter(route_class=WebRoute)

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


class Feed:
    """One viewer's feed: `poll()` (blocking, run in the threadpool) returns the SSE text of
    the alarm changes since the previous poll that this viewer may see.

    The last message of each poll carries the cursor (domains/alarm/live.Cursor) up to which
    the viewer has been sent everything; a browser that reconnects sends it back as
    Last-Event-ID and is sent what was committed meanwhile, entries that committed late under
    the cursor included. The other messages of the poll carry no id: a connection lost half
    way through a poll resumes from the poll before and is sent all of it again.
    """

    def __init__(
        self,
        request: Request,
        principal: Principal,
        raw: dict[str, list[str]],
        cursor: Cursor,
        token: str,
    ) -> None:
        self.request, self.principal, self.token = request, principal, token
        self.factory = request.app.state.session_factory
        self.filters, self.view, _ = board_filters(raw)
        self.top = cursor.top
        self.seen = cursor.seen()  # ids read: sent, or nothing for this viewer

    def cursor(self) -> str:
        return Cursor.of(self.top, self.seen).encode()

    def start(self) -> str:
        """The stream's first message: where it starts, so that a viewer who is sent nothing
        before a disconnect still resumes from here."""
        return f"retry: {RETRY_MS}\n" + sse(None, None, self.cursor())

    def poll(self) -> list[str]:
        changes: list[dict[str, Any]] = []
        with self.factory() as session:
            new = changes_since(session, Cursor(self.top), self.seen)
            if not new:
                return []
            newest: dict[int, int] = {}
            for eid, aid in new:
                newest[aid] = eid
            visible = list(
                session.scalars(
                    select(Alarm).where(Alarm.id.in_(list(newest)), alarm_scope(self.principal))
                )
            )
            if visible:
                member = set(
                    session.scalars(
                        board_query(self.principal, self.filters, self.view, datetime.now(UTC))
                        .with_only_columns(Alarm.id)
                        .where(Alarm.id.in_([a.id for a in visible]))
                    )
                )
                counts = alarm_view.grade_counts(session, self.principal)
            for alarm in sorted(visible, key=lambda a: newest[a.id]):
                loud = alarm.grade in alarm_view.LOUD_GRADES
                row = alarm_view.render_row(
                    self.request, alarm, self.principal, self.token, fresh=loud
                )
                data = {
                    "id": alarm.id,
                    "event": newest[alarm.id],
                    "grade": alarm.grade.value,
                    "stage": alarm.stage.value,
                    "open": alarm.stage in OPEN_STAGES,
                    "match": alarm.id in member,
                    "loud": loud,
                    "counts": counts,
                    "row": row,
                }
                changes.append(data)
            self.seen.update(eid for eid, _ in new)
            self.top = max(self.top, *(eid for eid, _ in new))
            self.seen.difference_update({i for i in self.seen if i <= self.top - 2 * LOOKBACK})
        # the cursor goes on the poll's last message; entries that this viewer may not see
        # move it too, in a message with only an id
        out = [sse("alarm", data) for data in changes[:-1]]
        out.append(
            sse("alarm" if changes else None, changes[-1] if changes else None, self.cursor())
        )
        return out


async def _hint(sub: queue.Queue[Any], seconds: float) -> None:
    """Sleep up to `seconds`, less when this process publishes an alarm change."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not sub.empty():
            while not sub.empty():
                sub.get_nowait()
            return
        await asyncio.sleep(min(HINT_STEP_S, max(0.0, end - time.monotonic())))


async def _events(request: Request, feed: Feed, duration_s: float) -> AsyncIterator[str]:
    sub = broadcaster.subscribe()
    deadline = time.monotonic() + duration_s
    last_write = time.monotonic()
    try:
        yield feed.start()
        while time.monotonic() < deadline:
            chunks = await run_in_threadpool(feed.poll)
            if chunks:
                yield "".join(chunks)
                last_write = time.monotonic()
            elif time.monotonic() - last_write >= KEEPALIVE_S:
                yield ": keep-alive\n\n"
                last_write = time.monotonic()
            if await request.is_disconnected():
                break
            await _hint(sub, min(POLL_S, max(0.0, deadline - time.monotonic())))
    finally:
        broadcaster.unsubscribe(sub)


@router.get("/alarms/stream")
def stream(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """text/event-stream of alarm changes the caller may see. Resumes from Last-Event-ID (or
    ?after=, the cursor the board was rendered at); without either, from now. `for_s`
    shortens the stream (tests, proxies with short timeouts)."""
    raw = query_lists(request)
    cursor = Cursor.parse(request.headers.get("last-event-id")) or Cursor.parse(
        request.query_params.get("after")
    )
    if cursor is None:
        cursor = cursor_now(session)
    try:
        duration = float(request.query_params.get("for_s", STREAM_S))
    except ValueError:
        duration = STREAM_S
    duration = max(0.0, min(duration, STREAM_S))
    session.commit()  # release the request's transaction; polls use short sessions of their own
    feed = Feed(request, principal, raw, cursor, csrf_token(request))
    return StreamingResponse(
        _events(request, feed, duration),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/alarms/badge")
def badge(session: SessionDep, principal: WebPrincipal) -> Response:
    """Open alarms in scope, for the navigation badge: total, and the most severe grade."""
    counts = alarm_view.grade_counts(session, principal)
    worst = next((g for g, n in counts.items() if n), None)
    return JSONResponse(
        {"open": sum(counts.values()), "worst": worst, "counts": counts},
        headers={"Cache-Control": "no-store"},
    )
