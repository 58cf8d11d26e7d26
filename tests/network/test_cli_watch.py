"""`gaswarden network locate|forecast|place-sensors` on a watched network, both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from gaswarden.cli.main import app
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.network.models import NetworkLeak
from tests.conftest import Database, world_database
from tests.network.test_demand import _history
from tests.network.test_watch import _leak_at
from tests.network.watched import store_readings, store_watched

runner = CliRunner(env={"GASWARDEN_SECRET_KEY": "test-secret", "COLUMNS": "200"})


@pytest.fixture(scope="module")
def cli_db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db, world = world_database(backend, tmp_path_factory.mktemp(f"network-cli-{backend}"))
    now = datetime.now(UTC)
    with sessionmaker(bind=db.engine, expire_on_commit=False)() as session:
        w = store_watched(session, code="NET-CLI", area_id=world.ids["g11"])
        twin = w.twin(session)
        twin.leak = _leak_at(twin, 18, 0.30)
        store_readings(session, w, twin, end=now)
        _history(session, w.network.id, 35)  # short: the forecast fits in a second
        session.commit()
    yield db
    db.cleanup()


def run(db: Database, *args: str):  # type: ignore[no-untyped-def]
    where = ["--data-dir", str(db.settings.data_dir)]
    if db.settings.database_url:
        where = ["--database-url", db.settings.database_url]
    return runner.invoke(app, ["network", *args, *where])


def test_locate_finds_raises_and_refines_the_leak(cli_db: Database) -> None:
    result = run(cli_db, "locate", "NET-CLI")
    assert result.exit_code == 0, result.output
    assert "leak 疑似泄漏" in result.output and "candidates" in result.output
    assert "18" in result.output  # the true junction among the listed candidates
    again = run(cli_db, "locate", "NET-CLI")
    assert again.exit_code == 0 and "leak 疑似泄漏" in again.output
    with sessionmaker(bind=cli_db.engine)() as session:
        leaks = session.scalars(select(NetworkLeak)).all()
        assert len(leaks) == 1 and leaks[0].alarm_id is not None
        alarm = session.get(Alarm, leaks[0].alarm_id)
        assert alarm is not None and alarm.rule == "network_leak"
    assert run(cli_db, "locate", "NO-SUCH").exit_code == 1


def test_locate_on_an_old_window_says_no_readings(cli_db: Database) -> None:
    result = run(cli_db, "locate", "NET-CLI", "--minutes", "0.01")
    assert result.exit_code == 0, result.output
    assert "not enough readings" in result.output


def test_forecast_prints_the_days_and_the_plan(cli_db: Database) -> None:
    result = run(cli_db, "forecast", "NET-CLI", "--days", "3")
    assert result.exit_code == 0, result.output
    assert "daily forecast" in result.output and "day-ahead nomination" in result.output
    day = (datetime.now(UTC) + timedelta(days=2)).astimezone().date().isoformat()[:7]
    assert day in result.output  # the year-month of the days forecast


def test_place_sensors_suggests_new_junctions(cli_db: Database) -> None:
    result = run(cli_db, "place-sensors", "NET-CLI", "--count", "3")
    assert result.exit_code == 0, result.output
    assert "next 3 monitors" in result.output and "8 monitors now" in result.output
    assert run(cli_db, "place-sensors", "NET-CLI", "--count", "0").exit_code == 2
