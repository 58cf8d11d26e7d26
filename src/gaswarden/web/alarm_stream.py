"""The board's live feed (/alarms/stream, server-sent events) and the navigation badge.

Ingest workers may run in other processes, so the feed polls the database: every change of an
alarm writes a timeline entry (alarm_event), and the feed reads the entries after the last one
it sent — a primary-key range, cheap at any table size. The in-process broadcaster
(domains/alarm/live.py) only wakes the poll early. Entry ids are handed out at flush and a
transaction may commit after a later one, so each poll looks back LOOKBACK ids and skips those
already sent (at the start, those up to the resume point count as sent). Each event
carries the rendered row (in the viewer's scope, language and rights), whether it belongs
on the board as filtered, and fresh counts per grade.
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
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from gaswarden.core.auth import Principal
from gaswarden.deps import SessionDep
from gaswarden.domains.alarm.enums import OPEN_STAGES
from gaswarden.domains.alarm.live import broadcaster
from gaswarden.domains.alarm.models import Alarm, AlarmEvent
from gaswarden.domains.alarm.scope import alarm_scope
from gaswarden.web import alarm_view
from gaswarden.web.alarms import board_filters, board_query
from gaswarden.web.csrf import csrf_token
from gaswarden.web.routing import WebPrincipal, WebRoute, query_lists

router = APIRouter(route_class=WebRoute)

POLL_S = 1.0  # the longest a change waits when no in-process hint arrives
KEEPALIVE_S = 15.0
STREAM_S = 300.0  # a stream ends after this; EventSource reconnects with Last-Event-ID
LOOKBACK = 200  # ids: entries flushed earlier may commit later
RETRY_MS = 2000
HINT_STEP_S = 0.1  # how often the wait looks for an in-process hint


def _last_event_id(session: Session) -> int:
    return int(session.scalar(select(func.max(AlarmEvent.id))) or 0)


def changes_after(
    session: Session, after: int, sent: set[int]
) -> tuple[list[int], dict[int, int], int]:
    """(event ids not sent yet, alarm id -> its newest such event id, highest id seen)."""
    rows = session.execute(
        select(AlarmEvent.id, AlarmEvent.alarm_id)
        .where(AlarmEvent.id > max(0, after - LOOKBACK))
        .order_by(AlarmEvent.id)
    ).all()
    new = [(eid, aid) for eid, aid in rows if eid not in sent]
    alarms: dict[int, int] = {}
    for eid, aid in new:
        alarms[aid] = eid
    top = max([after, *(eid for eid, _ in rows)])
    return [eid for eid, _ in new], alarms, top


def sse(event: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


class Feed:
    """One viewer's feed: `poll()` (blocking, run in the threadpool) returns the SSE text of
    the alarm changes since the previous poll that this viewer may see."""

    def __init__(
        self,
        request: Request,
        principal: Principal,
        raw: dict[str, list[str]],
        after: int,
        token: str,
    ) -> None:
        self.request, self.principal, self.token, self.after = request, principal, token, after
        self.factory = request.app.state.session_factory
        self.filters, self.view, _ = board_filters(raw)
        with self.factory() as session:  # what the page (or the previous stream) showed
            self.sent = set(
                session.scalars(
                    select(AlarmEvent.id).where(
                        AlarmEvent.id > max(0, after - LOOKBACK), AlarmEvent.id <= after
                    )
                )
            )

    def poll(self) -> list[str]:
        out: list[str] = []
        with self.factory() as session:
            ids, changed, top = changes_after(session, self.after, self.sent)
            self.sent.update(ids)
            self.sent.difference_update({i for i in self.sent if i <= top - 2 * LOOKBACK})
            self.after = top
            if not changed:
                return out
            visible = list(
                session.scalars(
                    select(Alarm).where(Alarm.id.in_(list(changed)), alarm_scope(self.principal))
                )
            )
            if not visible:
                return out
            member = set(
                session.scalars(
                    board_query(self.principal, self.filters, self.view, datetime.now(UTC))
                    .with_only_columns(Alarm.id)
                    .where(Alarm.id.in_([a.id for a in visible]))
                )
            )
            counts = alarm_view.grade_counts(session, self.principal)
            for alarm in sorted(visible, key=lambda a: changed[a.id]):
                loud = alarm.grade in alarm_view.LOUD_GRADES
                row = alarm_view.render_row(
                    self.request, alarm, self.principal, self.token, fresh=loud
                )
                data = {
                    "id": alarm.id,
                    "grade": alarm.grade.value,
                    "stage": alarm.stage.value,
                    "open": alarm.stage in OPEN_STAGES,
                    "match": alarm.id in member,
                    "loud": loud,
                    "counts": counts,
                    "row": row,
                }
                out.append(sse("alarm", data, changed[alarm.id]))
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
        yield f"retry: {RETRY_MS}\n\n"
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
    """text/event-stream of alarm changes the caller may see. Resumes after Last-Event-ID
    (or ?after=); `for_s` shortens the stream (tests, proxies with short timeouts)."""
    raw = query_lists(request)
    start = request.headers.get("last-event-id") or request.query_params.get("after")
    try:
        after = int(start) if start else _last_event_id(session)
    except ValueError:
        after = _last_event_id(session)
    try:
        duration = float(request.query_params.get("for_s", STREAM_S))
    except ValueError:
        duration = STREAM_S
    duration = max(0.0, min(duration, STREAM_S))
    session.commit()  # release the request's transaction; polls use short sessions of their own
    feed = Feed(request, principal, raw, after, csrf_token(request))
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
