"""Test harness: every database test runs once on SQLite and once on PostgreSQL.

`pytest --db sqlite|postgresql|both` (default both; GASWARDEN_TEST_DB sets the default).
PostgreSQL comes from GASWARDEN_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/):
each run makes its own database and drops it at the end. Where no server answers, the
PostgreSQL half is skipped with the reason; under CI=true it fails instead.

The schema is built by the real Alembic migrations; a small district ("the world") is loaded
once per backend through the services; each test then runs inside a transaction that is
rolled back (requests commit SAVEPOINTs inside it).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from gaswarden.app import create_app
from gaswarden.db import migrate
from gaswarden.db.session import make_engine
from gaswarden.settings import Settings
from tests.factories import World, build_world

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default=os.environ.get("GASWARDEN_TEST_DB", "both"),
        choices=("sqlite", "postgresql", "both"),
        help="which database backends the suite runs on",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        choice = metafunc.config.getoption("--db")
        backends = ["sqlite", "postgresql"] if choice == "both" else [choice]
        metafunc.parametrize("backend", backends, scope="session")


def pg_admin_url() -> str:
    return os.environ.get("GASWARDEN_TEST_PG_URL", PG_DEFAULT)


def postgres_or_skip() -> str:
    """The server URL, or skip (fail under CI) with the reason."""
    url = pg_admin_url()
    try:
        engine = create_engine(url + "postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        reason = f"PostgreSQL not reachable at {url}: {str(exc).splitlines()[0]}"
        if IN_CI:
            pytest.fail(reason + " (CI=true: PostgreSQL is required)")
        pytest.skip(reason)
    return url


class Database:
    def __init__(self, backend: str, settings: Settings, engine: Engine, cleanup) -> None:  # type: ignore[no-untyped-def]
        self.backend = backend
        self.settings = settings
        self.engine = engine
        self.cleanup = cleanup


def new_database(backend: str, tmp: Path) -> Database:
    """An empty database of the backend, with settings pointing at it."""
    if backend == "sqlite":
        settings = Settings(data_dir=tmp, secret_key="test-secret", database_url=None)
        engine = make_engine(settings)
        return Database(backend, settings, engine, lambda: engine.dispose())
    server = postgres_or_skip()
    name = f"gw_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server + "postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    settings = Settings(data_dir=tmp, secret_key="test-secret", database_url=server + name)
    engine = make_engine(settings)

    def cleanup() -> None:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return Database(backend, settings, engine, cleanup)


class _Built:
    """Each backend's database, world and app, made once for the whole run.

    pytest tears a session fixture down and sets it up again whenever the order of tests
    switches from one backend to the other (parametrised tests make it switch often); the
    fixtures below fetch from here, so a switch costs nothing."""

    def __init__(self) -> None:
        self.databases: dict[str, Database] = {}
        self.worlds: dict[str, World] = {}
        self.apps: dict[str, FastAPI] = {}


@pytest.fixture(scope="session")
def _built() -> Iterator[_Built]:
    built = _Built()
    yield built
    for db in built.databases.values():
        db.cleanup()


@pytest.fixture(scope="session")
def database(backend: str, tmp_path_factory: pytest.TempPathFactory, _built: _Built) -> Database:
    if backend not in _built.databases:
        db = new_database(backend, tmp_path_factory.mktemp(f"data-{backend}"))
        migrate.upgrade(db.settings, engine=db.engine)
        _built.databases[backend] = db
    return _built.databases[backend]


@pytest.fixture(scope="session")
def world(database: Database, _built: _Built) -> World:
    """The small district every test starts from, committed once per backend."""
    if database.backend not in _built.worlds:
        factory = sessionmaker(bind=database.engine, expire_on_commit=False)
        with factory() as session:
            _built.worlds[database.backend] = build_world(session)
            session.commit()
    return _built.worlds[database.backend]


@pytest.fixture
def connection(database: Database, world: World) -> Iterator[Connection]:
    with database.engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    with Session(bind=connection, join_transaction_mode="create_savepoint") as s:
        yield s


@pytest.fixture
def settings(database: Database) -> Settings:
    return database.settings


@pytest.fixture(scope="session")
def app(database: Database, _built: _Built) -> FastAPI:
    """One application per backend (building it costs ~0.15 s); each test re-points it."""
    if database.backend not in _built.apps:
        _built.apps[database.backend] = create_app(
            database.settings, session_factory=sessionmaker()
        )
    return _built.apps[database.backend]


@pytest.fixture
def client(connection: Connection, app: FastAPI) -> Iterator[TestClient]:
    """A client whose requests commit SAVEPOINTs inside the test's rolled-back transaction."""
    app.state.session_factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    with TestClient(app) as c:
        yield c
