"""Test harness: every database test runs once on SQLite and once on PostgreSQL (a test
marked `one_backend`, whose database only supplies its fixtures, once, on SQLite).

`pytest --db sqlite|postgresql|both` (default both; GASWARDEN_TEST_DB sets the default).
PostgreSQL comes from GASWARDEN_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/):
each run makes its own database and drops it at the end. Where no server answers, the
PostgreSQL half is skipped with the reason; under CI=true it fails instead.

The schema is built by the real Alembic migrations; a small district ("the world") is loaded
once per backend through the services; each test then runs inside a transaction that is
rolled back (requests commit SAVEPOINTs inside it). A module that needs a database of its
own takes a copy of a template: `migrated_database`, `world_database`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing
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
        if metafunc.definition.get_closest_marker("one_backend") and len(backends) > 1:
            backends = ["sqlite"]  # needs no server: runs wherever the suite runs
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


def new_database(backend: str, tmp: Path, template: Database | None = None) -> Database:
    """An empty database of the backend, with settings pointing at it; or a copy of
    `template` (a database of the same backend with no connection open)."""
    if backend == "sqlite":
        settings = Settings(data_dir=tmp, secret_key="test-secret", database_url=None)
        if template is not None:
            tmp.mkdir(parents=True, exist_ok=True)
            _copy_sqlite(template.engine.url.database, tmp / "gaswarden.sqlite3")
        engine = make_engine(settings)
        return Database(backend, settings, engine, lambda: engine.dispose())
    server = postgres_or_skip()
    name = f"gw_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server + "postgres", isolation_level="AUTOCOMMIT")
    create = f'CREATE DATABASE "{name}"'
    if template is not None:
        create += f' TEMPLATE "{template.engine.url.database}"'
    with admin.connect() as conn:
        conn.execute(text(create))
    settings = Settings(data_dir=tmp, secret_key="test-secret", database_url=server + name)
    engine = make_engine(settings)

    def cleanup() -> None:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return Database(backend, settings, engine, cleanup)


def _copy_sqlite(source: str | None, target: Path) -> None:
    assert source is not None
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


class _Templates:
    """Each backend's migrated database, bare and with the test world, built once a process.

    A module that needs a database of its own (a worker, a CLI or a served process writing to
    it) takes a copy: migrating a new database and building the world through the services
    takes 1.5-2.5 s, a copy (PostgreSQL's CREATE DATABASE ... TEMPLATE, SQLite's backup API)
    about a tenth of that."""

    def __init__(self) -> None:
        self.built: dict[tuple[str, bool], tuple[Database, World | None]] = {}
        self.dirs: list[Path] = []

    def get(self, backend: str, with_world: bool) -> tuple[Database, World | None]:
        key = (backend, with_world)
        if key not in self.built:
            tmp = Path(tempfile.mkdtemp(prefix=f"gw-template-{backend}-"))
            self.dirs.append(tmp)
            db = new_database(backend, tmp)
            migrate.upgrade(db.settings, engine=db.engine)
            world = None
            if with_world:
                with sessionmaker(bind=db.engine, expire_on_commit=False)() as session:
                    world = build_world(session)
                    session.commit()
            db.engine.dispose()  # PostgreSQL copies only a template nobody is connected to
            self.built[key] = (db, world)
        return self.built[key]

    def drop(self) -> None:
        for db, _ in self.built.values():
            db.cleanup()
        for tmp in self.dirs:
            shutil.rmtree(tmp, ignore_errors=True)


_templates = _Templates()


def pytest_sessionfinish(session: pytest.Session) -> None:
    _templates.drop()


def migrated_database(backend: str, tmp: Path) -> Database:
    """A database of its own, migrated to the head revision, empty."""
    template, _ = _templates.get(backend, with_world=False)
    return new_database(backend, tmp, template)


def world_database(backend: str, tmp: Path) -> tuple[Database, World]:
    """A database of its own holding the test world (committed), and the world's ids."""
    template, world = _templates.get(backend, with_world=True)
    assert world is not None
    return new_database(backend, tmp, template), World(dict(world.ids), dict(world.tokens))


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
        db, world = world_database(backend, tmp_path_factory.mktemp(f"data-{backend}"))
        _built.databases[backend], _built.worlds[backend] = db, world
    return _built.databases[backend]


@pytest.fixture(scope="session")
def world(database: Database, _built: _Built) -> World:
    """The small district every test starts from, committed once per backend."""
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
