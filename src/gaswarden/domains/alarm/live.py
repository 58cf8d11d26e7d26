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
import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

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
