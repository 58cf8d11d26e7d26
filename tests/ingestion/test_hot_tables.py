"""The tables every ingest batch rewrites are laid out for in-place (HOT) updates on
PostgreSQL, and such updates do happen: no index on their changing columns, room in each page."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from gaswarden.db.base import HOT_FILLFACTOR
from gaswarden.db.session import make_engine, unit_of_work
from gaswarden.ingestion.contract import MessageKind, topic_for
from gaswarden.ingestion.pipeline import Message, Pipeline
from gaswarden.rules.engine import AlarmEngine
from tests.conftest import Database
from tests.factories import World
from tests.ingestion.conftest import Live
from tests.ingestion.helpers import now, serials, telemetry

HOT_TABLES = ("rule_state", "device_health", "reading_latest", "reading_hourly")


def test_hot_tables_have_room_and_no_index_on_changing_columns(
    backend: str, database: Database, world: World
) -> None:
    if backend != "postgresql":
        pytest.skip("fillfactor and HOT updates are PostgreSQL's")
    with database.engine.connect() as conn:
        options = dict(
            conn.execute(
                text("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(:t)"),
                {"t": list(HOT_TABLES)},
            ).all()
        )
        indexed = conn.execute(
            text(
                "SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(:t) "
                "AND indexname NOT LIKE 'pk_%'"
            ),
            {"t": list(HOT_TABLES)},
        ).all()
    assert all(options[t] == [f"fillfactor={HOT_FILLFACTOR}"] for t in HOT_TABLES), options
    assert indexed == []


def test_repeated_batches_update_rule_state_in_place(live: Live) -> None:
    if live.db.backend != "postgresql":
        pytest.skip("HOT updates are PostgreSQL's")
    with live.session() as session:
        [serial] = serials(session, live.world.ids["dev_gate"])

    def hot_updates() -> int:
        with live.db.engine.connect() as conn:
            conn.execute(text("SELECT pg_stat_clear_snapshot()"))
            count = conn.scalar(
                text("SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'rule_state'")
            )
        return int(count or 0)

    pipeline = Pipeline(consumers=[AlarmEngine()])
    factory = sessionmaker(bind=live.db.engine)
    start = now() - timedelta(minutes=5)
    before = hot_updates()
    for i in range(6):
        ts = start + timedelta(seconds=i)
        message = Message(
            "mqtt",
            topic_for(serial, MessageKind.TELEMETRY),
            telemetry(ts=ts, methane_lel_pct=1.0 + i / 10),
            received_at=now(),
        )
        with unit_of_work(factory) as session:
            pipeline.committed(pipeline.ingest(session, [message]))
    deadline = time.monotonic() + 10  # statistics reach the view within a second or so
    while hot_updates() < before + 5 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert hot_updates() >= before + 5


def test_the_batch_temp_tables_do_not_grow_on_a_long_lived_connection(live: Live) -> None:
    """Nobody vacuums temp tables: rows a batch leaves behind would be scanned by every later
    batch of the same connection. Each commit leaves them empty, with no pages."""
    if live.db.backend != "postgresql":
        pytest.skip("the temp tables are PostgreSQL's")
    with live.session() as session:
        [serial] = serials(session, live.world.ids["dev_box"])
    engine = make_engine(live.db.settings, pool_size=1, max_overflow=0)  # one connection
    factory = sessionmaker(bind=engine)
    pipeline = Pipeline(consumers=[AlarmEngine()])
    start = now() - timedelta(minutes=10)
    try:
        for i in range(5):
            batch = [
                Message(
                    "mqtt",
                    topic_for(serial, MessageKind.TELEMETRY),
                    telemetry(ts=start + timedelta(seconds=10 * i + k), pressure_kpa=2.0 + k / 10),
                    received_at=now(),
                )
                for k in range(5)
            ]
            with unit_of_work(factory) as session:
                pipeline.committed(pipeline.ingest(session, batch))
        with engine.connect() as conn:
            sizes = conn.execute(
                text(
                    "SELECT pg_relation_size('reading_in'), pg_relation_size('health_in'), "
                    "pg_relation_size('rule_state_in')"
                )
            ).one()
    finally:
        engine.dispose()
    assert tuple(sizes) == (0, 0, 0)
