"""Two ingest workers never evaluate the same device at once: the state rows are locked."""

from __future__ import annotations

import psycopg.errors
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from gaswarden.rules.states import Entry, StateCache
from tests.conftest import Database
from tests.factories import World


def lock_states(session: Session, ids: list[int], *, skip_locked: bool = False) -> dict[int, Entry]:
    return StateCache().lock(session, ids, skip_locked=skip_locked)


def test_a_second_worker_waits_for_the_device_lock(
    backend: str, database: Database, world: World
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers with its database lock; no row locks to test")
    device_id = world.ids["dev_gate"]
    other_id = world.ids["dev_box"]
    with database.engine.connect() as a, database.engine.connect() as b:
        first = Session(bind=a)
        second = Session(bind=b)
        try:
            assert device_id in lock_states(first, [device_id])
            second.execute(text("SET LOCAL lock_timeout = '200ms'"))
            # Another device is free ...
            assert other_id in lock_states(second, [other_id])
            # ... this one is held by the first worker until it commits or rolls back.
            with pytest.raises((OperationalError, psycopg.errors.LockNotAvailable), match="lock"):
                lock_states(second, [device_id])
        finally:
            first.rollback()
            second.rollback()
            first.close()
            second.close()


def test_skip_locked_sweep_does_not_wait(backend: str, database: Database, world: World) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers with its database lock; no row locks to test")
    device_id = world.ids["dev_fill"]
    with database.engine.connect() as a, database.engine.connect() as b:
        first, second = Session(bind=a), Session(bind=b)
        try:
            # The row exists (committed) before the first worker locks it.
            lock_states(first, [device_id])
            first.commit()
            lock_states(first, [device_id])
            second.execute(text("SET LOCAL lock_timeout = '200ms'"))
            assert lock_states(second, [device_id], skip_locked=True) == {}
        finally:
            first.rollback()
            second.rollback()
            with database.engine.begin() as conn:
                conn.execute(text("DELETE FROM rule_state WHERE device_id = :d"), {"d": device_id})
            first.close()
            second.close()
