"""The worker's inbox: messages handed from the transport's thread to the worker's thread in
batches, in order, none lost or repeated."""

from __future__ import annotations

import threading
from pathlib import Path

from gaswarden.ingestion.pipeline import Message
from gaswarden.ingestion.spool import Spool
from gaswarden.ingestion.worker import Worker
from tests.ingestion.conftest import Live
from tests.ingestion.helpers import now


def _worker(live: Live, tmp_path: Path, size: int) -> Worker:
    return Worker(
        live.db.settings,
        engine=live.db.engine,
        batch_size=size,
        batch_wait_s=0.01,
        spool=Spool(tmp_path / "spool", 1 << 20),
    )


def _messages(n: int) -> list[Message]:
    return [Message("mqtt", f"gw/v1/devices/X{i}/telemetry", b"{}", now()) for i in range(n)]


def test_batches_come_out_in_order_and_at_most_batch_size(live: Live, tmp_path: Path) -> None:
    worker = _worker(live, tmp_path, 3)
    messages = _messages(5)
    for m in messages:
        worker.submit(m)
    assert worker._take() == messages[:3]
    assert worker._take() == messages[3:]
    assert worker._take() == []  # nothing came


def test_messages_already_waiting_are_taken_without_waiting_for_more(
    live: Live, tmp_path: Path
) -> None:
    """A backlog (messages that arrived while the last batch was stored) goes at once; only
    a first message after a quiet spell waits batch_wait_s for the rest of its burst."""
    worker = _worker(live, tmp_path, 100)
    worker.batch_wait_s = 60.0
    messages = _messages(3)
    for m in messages:
        worker.submit(m)
    got: list[list[Message]] = []
    taker = threading.Thread(target=lambda: got.append(worker._take()), daemon=True)
    taker.start()
    taker.join(10)
    assert not taker.is_alive(), "the batch waited for more messages behind a backlog"
    assert got == [messages]


def test_messages_from_another_thread_all_arrive_once(live: Live, tmp_path: Path) -> None:
    worker = _worker(live, tmp_path, 100)
    messages = _messages(5000)
    got: list[Message] = []

    def feed() -> None:
        for k, m in enumerate(messages):
            worker.submit(m)
            if k % 700 == 0:
                threading.Event().wait(0.002)  # the worker's thread catches up and waits

    feeder = threading.Thread(target=feed)
    feeder.start()
    while len(got) < len(messages):
        batch = worker._take()
        assert len(batch) <= 100
        got += batch
        if not batch and not feeder.is_alive():
            break
    feeder.join(10)
    assert got == messages
