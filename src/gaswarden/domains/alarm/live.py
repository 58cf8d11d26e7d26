"""Alarm changes, published in-process after the transaction that made them commits.

Services call `queue(session, change)`; when that session commits, every queued change goes to
`broadcaster.publish`; a rollback drops them. Subscribers (the live board's server-sent events)
call `broadcaster.subscribe()` and read the returned queue from any thread:

    sub = broadcaster.subscribe()
    try:
        change = sub.get(timeout=15)   # {"alarm_id": .., "change": "raised", "grade": ..}
    finally:
        broadcaster.unsubscribe(sub)

A slow subscriber whose queue is full loses the oldest changes, never blocks the publisher.
Only this process hears it: with several web workers, each one hears its own commits and those
of the ingest workers in the same process.
"""

from __future__ import annotations

import contextlib
import queue
import re
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from gaswarden.domains.alarm.models import AlarmEvent

Change = dict[str, Any]
_PENDING = "gaswarden.alarm.live"


class Broadcaster:
    def __init__(self, maxsize: int = 1000) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[queue.Queue[Change]] = []
        self._maxsize = maxsize

    def subscribe(self) -> queue.Queue[Change]:
        sub: queue.Queue[Change] = queue.Queue(self._maxsize)
        with self._lock:
            self._subscribers.append(sub)
        return sub

    def unsubscribe(self, sub: queue.Queue[Change]) -> None:
        with self._lock:
            if sub in self._subscribers:
                self._subscribers.remove(sub)

    def publish(self, change: Change) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for sub in subscribers:
            while True:
                try:
                    sub.put_nowait(change)
                    break
                except queue.Full:
                    with contextlib.suppress(queue.Empty):
                        sub.get_nowait()  # drop the oldest


broadcaster = Broadcaster()


def queue_change(session: Session, change: Change) -> None:
    """Publish `change` once `session` commits."""
    session.info.setdefault(_PENDING, []).append(change)


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    for change in session.info.pop(_PENDING, []):
        broadcaster.publish(change)


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(_PENDING, None)


# ---- resuming: where a viewer's feed stands, as an SSE event id ---------------------------------
LOOKBACK = 200  # ids: timeline entries flushed earlier may commit later than newer ones


@dataclass(frozen=True)
class Cursor:
    """How far a feed of alarm changes has read the timeline (alarm_event ids).

    Everything up to `top` has been read except `gaps`: ids within LOOKBACK of `top` that had
    not committed when it was read (a transaction that flushed earlier may commit later, or
    never). It travels as the SSE event id, "1234" or "1234:1201,1210-1212", so that a browser
    reconnecting with Last-Event-ID is sent exactly what it has not had yet.
    """

    top: int = 0
    gaps: frozenset[int] = frozenset()

    def window(self) -> range:
        return range(max(1, self.top - LOOKBACK + 1), self.top + 1)

    def seen(self) -> set[int]:
        """The ids of the look-back window that count as read."""
        return set(self.window()) - self.gaps

    @classmethod
    def of(cls, top: int, seen: set[int]) -> Cursor:
        cursor = cls(top)
        return cls(top, frozenset(i for i in cursor.window() if i not in seen))

    def encode(self) -> str:
        if not self.gaps:
            return str(self.top)
        runs: list[str] = []
        ordered = sorted(self.gaps)
        start = prev = ordered[0]
        for i in [*ordered[1:], None]:
            if i is not None and i == prev + 1:
                prev = i
                continue
            runs.append(str(start) if start == prev else f"{start}-{prev}")
            if i is not None:
                start = prev = i
        return f"{self.top}:{','.join(runs)}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """The cursor in `text`, or None when there is none or it is malformed (it comes from
        the client: only gaps inside the look-back window are kept)."""
        match = _CURSOR.fullmatch((text or "").strip())
        if match is None:
            return None
        window = cls(int(match.group(1))).window()
        gaps: set[int] = set()
        for run in filter(None, (match.group(2) or "").split(",")):
            low, _, high = run.partition("-")
            start, stop = max(int(low), window.start), min(int(high or low), window.stop - 1)
            gaps.update(range(start, stop + 1))
        return cls(window.stop - 1, frozenset(gaps))


_CURSOR = re.compile(r"(\d{1,18})(?::(\d{1,18}(?:-\d{1,18})?(?:,\d{1,18}(?:-\d{1,18})?)*))?")


def cursor_now(session: Session) -> Cursor:
    """The timeline as it stands: its newest id and the ids under it not committed yet. One
    statement, so one snapshot even under READ COMMITTED."""
    newest = select(func.max(AlarmEvent.id)).scalar_subquery()
    ids = set(session.scalars(select(AlarmEvent.id).where(AlarmEvent.id > newest - LOOKBACK)))
    return Cursor.of(max(ids, default=0), ids)


def changes_since(session: Session, cursor: Cursor, seen: set[int]) -> list[tuple[int, int]]:
    """(event id, alarm id) of the timeline entries after `cursor` and its gaps that are not in
    `seen`, oldest first."""
    rows = session.execute(
        select(AlarmEvent.id, AlarmEvent.alarm_id)
        .where(AlarmEvent.id > max(0, cursor.top - LOOKBACK))
        .order_by(AlarmEvent.id)
    ).all()
    return [(eid, aid) for eid, aid in rows if eid not in seen]
