"""An ingest worker takes messages from the broker only once it is warm."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from gaswarden.ingestion.contract import BatchConsumer, StoredBatch
from gaswarden.ingestion.mqtt import MqttIngest
from gaswarden.ingestion.spool import Spool
from gaswarden.ingestion.worker import Worker
from tests.ingestion.conftest import Broker, Live


class SlowWarm(BatchConsumer):
    """A consumer whose warm-up (the rules of every device, at city size) takes a while."""

    def __init__(self) -> None:
        self.warming = threading.Event()
        self.release = threading.Event()

    def warm(self, session: Session) -> None:
        self.warming.set()
        self.release.wait(30)

    def consume(self, session: Session, batch: StoredBatch) -> None:
        pass

    def sweep(self, session: Session, now: datetime) -> None:
        pass


def test_the_broker_is_asked_for_messages_after_the_warm_up(
    live: Live, broker: Broker, tmp_path: Path
) -> None:
    slow = SlowWarm()
    worker = Worker(
        live.db.settings,
        engine=live.db.engine,
        consumers=[slow],
        spool=Spool(tmp_path / "spool", 1 << 20),
    )
    transport = MqttIngest(broker.url, worker, client_id="gw-test-warm")
    starting = threading.Thread(target=transport.start, daemon=True)
    starting.start()
    try:
        assert slow.warming.wait(10)
        assert not transport.subscribed.wait(1.0), "subscribed while the worker was cold"
        assert not transport.connected.is_set()
        slow.release.set()
        assert transport.subscribed.wait(10), "not subscribed once warm"
        assert worker.ready.is_set()
    finally:
        slow.release.set()
        starting.join(10)
        transport.stop()
