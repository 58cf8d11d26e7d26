"""The worker's periodic sweeps run beside its batches: a slow sweep holds up no reading."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.domains.telemetry.models import LatestValue
from gaswarden.ingestion.contract import BatchConsumer, MessageKind, StoredBatch, topic_for
from gaswarden.ingestion.pipeline import Message
from gaswarden.ingestion.spool import Spool
from gaswarden.ingestion.worker import Worker
from gaswarden.rules.engine import AlarmEngine
from tests.ingestion.conftest import Live
from tests.ingestion.helpers import now, serials, telemetry


class SlowSweep(BatchConsumer):
    """A consumer whose sweep takes as long as the test wants (a sweep making partitions, or
    one with many devices gone silent)."""

    def __init__(self) -> None:
        self.sweeping = threading.Event()
        self.release = threading.Event()
        self.sweeps = 0

    def consume(self, session: Session, batch: StoredBatch) -> None:
        pass

    def sweep(self, session: Session, now: datetime) -> None:
        self.sweeps += 1
        self.sweeping.set()
        self.release.wait(30)


def _until(done: Callable[[], bool], timeout_s: float = 20.0) -> None:
    for _ in range(int(timeout_s / 0.02)):
        if done():
            return
        threading.Event().wait(0.02)


def _stored(live: Live, device_id: int, value: float) -> int:
    with live.session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(LatestValue)
                .where(LatestValue.device_id == device_id, LatestValue.value == value)
            )
            or 0
        )


def test_a_reading_is_stored_while_a_sweep_is_still_running(
    backend: str, live: Live, tmp_path: Path
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: a sweep and a batch take turns")
    slow = SlowSweep()
    worker = Worker(
        live.db.settings,
        engine=live.db.engine,
        consumers=[slow, AlarmEngine()],
        sweep_s=0.2,
        spool=Spool(tmp_path / "spool", 1 << 20),
    )
    device_id = live.world.ids["dev_sup"]
    with live.session() as session:
        [serial] = serials(session, device_id)
    worker.start()
    try:
        assert slow.sweeping.wait(10), "the first sweep starts with the worker"
        worker.submit(
            Message(
                "mqtt",
                topic_for(serial, MessageKind.TELEMETRY),
                telemetry(now(), pressure_kpa=3.17),
                received_at=now(),
            )
        )
        _until(lambda: worker.stored >= 1)
        assert worker.stored == 1, "the batch waited for the sweep"
        assert not slow.release.is_set() and slow.sweeps == 1  # the sweep is still running
        assert _stored(live, device_id, 3.17) == 1
    finally:
        slow.release.set()
        worker.stop()
    assert slow.sweeps >= 1


def test_sweeps_go_on_every_sweep_s(live: Live, tmp_path: Path) -> None:
    slow = SlowSweep()
    slow.release.set()  # sweeps return at once
    worker = Worker(
        live.db.settings,
        engine=live.db.engine,
        consumers=[slow],
        sweep_s=0.05,
        spool=Spool(tmp_path / "spool", 1 << 20),
    )
    worker.start()
    try:
        _until(lambda: slow.sweeps >= 3)
        assert slow.sweeps >= 3
    finally:
        worker.stop()
    after_stop = slow.sweeps
    threading.Event().wait(0.3)
    assert slow.sweeps == after_stop, "no sweep after stop"
