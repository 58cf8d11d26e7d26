"""The board's live feed (/alarms/stream, server-sent events) and the navigation badge.

The feed reads the alarm timeline from where the viewer stands (web/live_feed.py: polled, woken
early by the in-process broadcaster, resumed from Last-Event-ID). Each event carries the
rendered row (in the viewer's scope, language and rights), whether it belongs on the board as
filtered, and fresh counts per grade.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from gaswarden.core.auth import Principal
from gaswarden.deps import SessionDep
from gaswarden.domains.alarm.enums import OPEN_STAGES
from gaswarden.domains.alarm.live import Cursor, broadcaster
from gaswarden.domains.alarm.models import Alarm
from gaswarden.web import alarm_view
from gaswarden.web.alarms import board_filters, board_query
from gaswarden.web.csrf import csrf_token
from gaswarden.web.live_feed import KEEPALIVE_S, POLL_S, AlarmCursor, hint, opening
from gaswarden.web.routing import WebPrincipal, WebRoute, query_lists

router = APIRouter(route_class=WebRoute)


class Feed(AlarmCursor):
    """One viewer's board feed: `poll()` (blocking, run in the threadpool) returns the SSE
    text of the alarm changes since the previous poll that this viewer may see, as rendered
    board rows (web/live_feed.AlarmCursor: where the viewer stands)."""

    def __init__(
        self,
        request: Request,
        principal: Principal,
        raw: dict[str, list[str]],
        cursor: Cursor,
        token: str,
    ) -> None:
        super().__init__(request.app.state.session_factory, principal, cursor)
        self.request, self.token = request, token
        self.filters, self.view, _ = board_filters(raw)

    def poll(self) -> list[str]:
        changes: list[dict[str, Any]] = []
        with self.factory() as session:
            changed = self.read(session)
            if changed is None:
                return []
            if changed:
                member = set(
                    session.scalars(
                        board_query(self.principal, self.filters, self.view, datetime.now(UTC))
                        .with_only_columns(Alarm.id)
                        .where(Alarm.id.in_([a.id for a, _ in changed]))
                    )
                )
                counts = alarm_view.grade_counts(session, self.principal)
            for alarm, event_id in changed:
                loud = alarm.grade in alarm_view.LOUD_GRADES
                row = alarm_view.render_row(
                    self.request, alarm, self.principal, self.token, fresh=loud
                )
                data = {
                    "id": alarm.id,
                    "event": event_id,
                    "grade": alarm.grade.value,
                    "stage": alarm.stage.value,
                    "open": alarm.stage in OPEN_STAGES,
                    "match": alarm.id in member,
                    "loud": loud,
                    "counts": counts,
                    "row": row,
                }
                changes.append(data)
        return self.messages(changes)


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
            await hint(sub, min(POLL_S, max(0.0, deadline - time.monotonic())))
    finally:
        broadcaster.unsubscribe(sub)


@router.get("/alarms/stream")
def stream(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """text/event-stream of alarm changes the caller may see. Resumes from Last-Event-ID (or
    ?after=, the cursor the board was rendered at); without either, from now. `for_s`
    shortens the stream (tests, proxies with short timeouts)."""
    raw = query_lists(request)
    cursor, duration = opening(request, session)
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
