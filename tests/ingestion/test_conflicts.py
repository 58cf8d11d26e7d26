"""Two workers' transactions that deadlock: the loser's batch is retried, not spooled."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gaswarden.domains.telemetry.models import LatestValue
from gaswarden.ingestion.contract import BatchConsumer, MessageKind, StoredBatch, topic_for
from gaswarden.ingestion.pipeline import Message
from gaswarden.ingestion.spool import Spool
from gaswarden.ingestion.worker import Worker, conflict
from gaswarden.rules.engine import AlarmEngine
from tests.ingestion.conftest import Live
from tests.ingestion.helpers import now, serials, telemetry


def real_deadlock(live: Live) -> DBAPIError:
    """Two transactions locking two device rows in opposite orders: PostgreSQL aborts one."""
    a_id, b_id = live.world.ids["dev_gate"], live.world.ids["dev_box"]
    lock = "SELECT id FROM device WHERE id = :d FOR UPDATE"
    both = threading.Barrier(2, timeout=10)
    errors: list[DBAPIError] = []

    def take(first: int, second: int) -> None:
        with live.db.engine.connect() as conn:
            conn.execute(text("SET LOCAL deadlock_timeout = '50ms'"))
            conn.execute(text(lock), {"d": first})
            both.wait()
            try:
                conn.execute(text(lock), {"d": second})
            except DBAPIError as exc:
                errors.append(exc)
            conn.rollback()

    other = threading.Thread(target=take, args=(b_id, a_id))
    other.start()
    take(a_id, b_id)
    other.join(10)
    assert len(errors) == 1, "PostgreSQL aborts exactly one of the two"
    return errors[0]


class LosesOnce(BatchConsumer):
    """Fails its first batch with the given error (what the loser of a deadlock sees)."""

    def __init__(self, error: Exception) -> None:
        self.error: Exception | None = error
        self.calls = 0

    def consume(self, session: Session, batch: StoredBatch) -> None:
        self.calls += 1
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def sweep(self, session: Session, now: datetime) -> None:
        pass


def test_a_deadlocked_batch_is_retried_not_spooled(
    backend: str, live: Live, tmp_path: Path
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers with its database lock: no deadlocks")
    error = real_deadlock(live)
    assert conflict(error)
    loser = LosesOnce(error)
    worker = Worker(
        live.db.settings,
        engine=live.db.engine,
        consumers=[loser, AlarmEngine()],
        spool=Spool(tmp_path / "spool", 1024 * 1024),
    )
    device_id = live.world.ids["dev_sup"]
    with live.session() as session:
        [serial] = serials(session, device_id)
    message = Message(
        "mqtt",
        topic_for(serial, MessageKind.TELEMETRY),
        telemetry(now(), pressure_kpa=3.21),
        received_at=now(),
    )
    assert worker.handle([message])
    assert loser.calls == 2 and len(worker.spool) == 0 and worker.stored == 1
    with live.session() as session:
        stored = session.scalar(
            select(func.count())
            .select_from(LatestValue)
            .where(LatestValue.device_id == device_id, LatestValue.value == 3.21)
        )
    assert stored == 1
