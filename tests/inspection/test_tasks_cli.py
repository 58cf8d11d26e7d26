"""`gaswarden inspect schedule` and `seed-checklists` against a database of their own (the CLI
commits), and the housekeeping thread that generates tasks in serve and demo."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from gaswarden import maintenance
from gaswarden.cli.main import app
from gaswarden.core.auth import SYSTEM
from gaswarden.domains.inspection import plans
from gaswarden.domains.inspection.builtin_checklists import BUILTINS
from gaswarden.domains.inspection.models import ChecklistTemplate, InspectionTask
from tests.conftest import Database, world_database
from tests.factories import World

runner = CliRunner(env={"GASWARDEN_SECRET_KEY": "test-secret", "COLUMNS": "200"})


@pytest.fixture(scope="module")
def cli_db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db, world = world_database(backend, tmp_path_factory.mktemp(f"inspect-cli-{backend}"))
    db.world = world  # type: ignore[attr-defined]
    yield db
    db.cleanup()


def run(db: Database, *args: str) -> object:
    where = ["--data-dir", str(db.settings.data_dir)]
    if db.settings.database_url:
        where = ["--database-url", db.settings.database_url]
    return runner.invoke(app, [*args, *where])


def count(db: Database, model: type, *where: object) -> int:
    with db.engine.connect() as conn:
        stmt = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int(conn.execute(stmt).scalar_one())


def test_seed_then_schedule_twice(cli_db: Database) -> None:
    result = run(cli_db, "inspect", "seed-checklists")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert count(cli_db, ChecklistTemplate, ChecklistTemplate.builtin) == len(BUILTINS)
    result = run(cli_db, "inspect", "seed-checklists")
    assert "0 built-in" in result.output  # type: ignore[attr-defined]

    world: World = cli_db.world  # type: ignore[attr-defined]
    with sessionmaker(bind=cli_db.engine, expire_on_commit=False)() as session:
        gate_template = session.scalar(
            select(ChecklistTemplate.id).where(ChecklistTemplate.code == "GW-GATE")
        )
        plan = plans.create(
            session=session,
            principal=SYSTEM,
            data={
                "name": "门站月度巡检",
                "kind": "third_party",
                "template_id": gate_template,
                "frequency": "monthly",
                "starts_on": "2024-01-01",
                "assignee_org_id": world.ids["agency"],
            },
        )
        session.commit()

    result = run(cli_db, "inspect", "schedule", "--today", "2024-04-10")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "4 new task(s)" in result.output  # type: ignore[attr-defined]
    assert f"plan {plan.id}: 4" in result.output  # type: ignore[attr-defined]
    assert count(cli_db, InspectionTask, InspectionTask.plan_id == plan.id) == 4
    result = run(cli_db, "inspect", "schedule", "--today", "2024-04-10")
    assert result.exit_code == 0 and "0 new task(s)" in result.output  # type: ignore[attr-defined]
    assert count(cli_db, InspectionTask, InspectionTask.plan_id == plan.id) == 4

    result = run(cli_db, "inspect", "schedule", "--today", "April")
    assert result.exit_code == 2  # type: ignore[attr-defined]

    # The housekeeping that serve and demo start: one round, each job its own transaction.
    factory = sessionmaker(bind=cli_db.engine, expire_on_commit=False)
    noon = datetime(2024, 5, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
    done = maintenance.run_round(factory, "Asia/Shanghai", now=noon)
    assert done.failed == {} and done.results["inspection tasks"].by_plan == {plan.id: 1}
    assert set(done.results) == {
        "inspection tasks",
        "overdue hazards",
        "closed sites",
        "overdue service requests",
    }
    watched = maintenance.run_round(
        factory, "Asia/Shanghai", now=noon, jobs=maintenance.NETWORK_JOBS
    )
    no_network = {"checked": 0, "leaks": 0, "hours": 0, "forecasts": 0}
    assert watched.results == {"network watch": no_network}
    worker = maintenance.Maintenance.from_settings(cli_db.settings).start()
    try:
        for _ in range(200):  # wait for the first round (bounded), no timing asserted
            if worker.rounds:
                break
            time.sleep(0.05)
        assert worker.rounds and worker.rounds[0].failed == {}
    finally:
        worker.stop()
    assert not worker.running
    assert count(cli_db, InspectionTask, InspectionTask.plan_id == plan.id) >= 5


def test_serve_seeds_the_builtin_checklists_once(cli_db: Database) -> None:
    from gaswarden.cli.serve import seed_reference_data

    seed_reference_data(cli_db.settings)
    seed_reference_data(cli_db.settings)
    codes = {b.code for b in BUILTINS}
    with sessionmaker(bind=cli_db.engine)() as session:
        stored = list(session.scalars(select(ChecklistTemplate.code)))
    assert codes <= set(stored) and len(stored) == len(set(stored))
