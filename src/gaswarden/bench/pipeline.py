"""The ingest pipeline in-process, without a broker: batches of messages through
Pipeline.ingest + commit, with the rules engine and, as the baseline measured in the same run,
without any consumer. Separates the cost of storage from the cost of the rules."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from gaswarden.bench.load import Plan, body, now_utc
from gaswarden.bench.scratch import load_registry, scratch_database
from gaswarden.db.session import make_engine, make_session_factory, unit_of_work
from gaswarden.ingestion import consumers
from gaswarden.ingestion.contract import BatchConsumer
from gaswarden.ingestion.pipeline import Message, Pipeline
from gaswarden.settings import Settings


@dataclass
class Figure:
    name: str
    messages: int
    seconds: float

    @property
    def per_s(self) -> float:
        return self.messages / self.seconds


def _run(
    settings: Settings, serials: list[str], use: list[BatchConsumer], batches: int, size: int
) -> float:
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    pipeline = Pipeline(consumers=use)
    # A fresh stretch of device time per run, so that no run meets the last one's duplicates.
    start = now_utc() - timedelta(hours=3) + timedelta(minutes=len(use) * 60)
    plan = Plan(serials=serials, messages=batches * size, start=start)
    received = now_utc()
    work = [
        [Message("mqtt", *body(plan, b * size + i), received_at=received) for i in range(size)]
        for b in range(batches)
    ]
    began = time.perf_counter()
    for batch in work:
        with unit_of_work(factory) as session:
            outcome = pipeline.ingest(session, batch)
        pipeline.committed(outcome)
    elapsed = time.perf_counter() - began
    engine.dispose()
    return elapsed


def run(server_url: str, *, devices: int, batches: int, size: int) -> list[Figure]:
    """Two figures: storage only (the baseline), then storage + rules, on one scratch database."""
    with tempfile.TemporaryDirectory() as tmp, scratch_database(server_url, Path(tmp)) as settings:
        serials = load_registry(settings, devices)
        n = batches * size
        bare = _run(settings, serials, [], batches, size)
        full = _run(settings, serials, consumers.build(settings), batches, size)
    return [Figure("store only (baseline)", n, bare), Figure("store + rules", n, full)]
