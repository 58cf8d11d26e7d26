"""One open leak per network: two watchers finding the same leak at once leave one leak
(the second refines what the first opened), and the database refuses a second open one."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gaswarden.domains.network.enums import DetectionMethod, LeakStatus
from gaswarden.domains.network.models import NetworkLeak
from tests.conftest import world_database
from tests.factories import World
from tests.network.test_api_networks import Leaking, make_leaking, record_leak
from tests.network.watched import store_watched


@pytest.fixture
def leaking(session: Session, world: World) -> Leaking:
    return make_leaking(session, world)


def test_the_database_refuses_a_second_open_leak(session: Session, leaking: Leaking) -> None:
    network_id = leaking.watched.network.id
    closed = NetworkLeak(
        network_id=network_id,
        method=DetectionMethod.RESIDUAL_GLR,
        detected_at=datetime.now(UTC),
        status=LeakStatus.FALSE_ALARM,
    )
    session.add(closed)
    session.flush()  # closed ones: as many as there were
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(
            NetworkLeak(
                network_id=network_id,
                method=DetectionMethod.RESIDUAL_CUSUM,
                detected_at=datetime.now(UTC),
                status=LeakStatus.SUSPECTED,
            )
        )
        session.flush()
    opened = session.scalars(
        select(NetworkLeak.id).where(
            NetworkLeak.network_id == network_id, NetworkLeak.status == LeakStatus.SUSPECTED
        )
    ).all()
    assert opened == [leaking.leak.id]


def test_a_second_watcher_refines_the_leak_the_first_opened(backend: str, tmp_path: Path) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers with its database lock; no row locks to test")
    db, world = world_database(backend, tmp_path)
    try:
        with Session(db.engine, expire_on_commit=False) as setup:
            watched = store_watched(setup, code="NET-RACE", area_id=world.ids["g11"])
            setup.commit()
        now = datetime.now(UTC)
        first = Session(db.engine, expire_on_commit=False)
        second = Session(db.engine, expire_on_commit=False)
        got: list[int | BaseException] = []

        def watch_again() -> None:
            try:
                got.append(record_leak(second, watched, now).id)
                second.commit()
            except BaseException as exc:
                second.rollback()
                got.append(exc)

        try:
            opened = record_leak(first, watched, now)  # holds the network's row
            racer = threading.Thread(target=watch_again)
            racer.start()
            racer.join(1.0)
            assert racer.is_alive(), "the second watcher should wait for the first"
            first.commit()
            racer.join(30)
            assert got == [opened.id]  # refined, not a second leak and not an error
        finally:
            first.close()
            second.close()
        with Session(db.engine) as check:
            count = check.scalar(
                select(func.count())
                .select_from(NetworkLeak)
                .where(NetworkLeak.network_id == watched.network.id)
            )
        assert count == 1
    finally:
        db.cleanup()
