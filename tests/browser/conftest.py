"""A live GasWarden server and Debian's Chromium, driven by Playwright's sync API.

The server runs once per test session, in a thread, on a free 127.0.0.1 port, against a
temporary SQLite data directory migrated by Alembic and seeded with tests.factories'
world. These fixtures don't take the `backend` parameter, so the browser tests run once.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from sqlalchemy.orm import sessionmaker

from gaswarden.app import create_app
from gaswarden.db import migrate
from gaswarden.db.session import make_engine
from gaswarden.ingestion import consumers
from gaswarden.ingestion.mqtt import MqttIngest
from gaswarden.ingestion.spool import Spool
from gaswarden.ingestion.worker import Worker
from gaswarden.settings import Settings
from tests.factories import PASSWORD, World, build_world
from tests.ingestion.conftest import Broker, need_mosquitto

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@dataclass
class Live:
    url: str
    world: World
    settings: Settings | None = None  # the server's: other processes (ingest) write there


@dataclass
class Guard:
    """Requests that tried to leave 127.0.0.1 (each was aborted)."""

    blocked: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: apt-get install chromium to run the browser tests"
    if IN_CI:
        pytest.fail(reason + " (CI=true: the browser tests are required)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    _need_chromium()
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("browser-data"),
        secret_key="browser-test-secret",
        database_url=None,
    )
    engine = make_engine(settings)
    migrate.upgrade(settings, engine=engine)
    with sessionmaker(bind=engine, expire_on_commit=False)() as session:
        world = build_world(session)
        session.commit()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="gaswarden-live", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield Live(url=f"http://127.0.0.1:{port}", world=world, settings=settings)
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="session")
def browser(live: Live) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def guard() -> Guard:
    return Guard()


@pytest.fixture
def page(browser, live: Live, guard: Guard) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser context (no cookies) whose every non-local request is aborted."""
    context = browser.new_context(
        base_url=live.url, locale="zh-CN", viewport={"width": 1280, "height": 860}
    )

    def only_local(route) -> None:  # type: ignore[no-untyped-def]
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            guard.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def sign_in(page, username: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture
def ingest(live: Live, tmp_path: Path) -> Iterator[Broker]:
    """A private broker and one ingest worker with the rules engine, on the server's database
    (as a separate worker process would write there)."""
    need_mosquitto()
    assert live.settings is not None
    broker = Broker(tmp_path)
    broker.start()
    engine = make_engine(live.settings)
    worker = Worker(
        live.settings,
        engine=engine,
        consumers=consumers.build(live.settings),
        batch_wait_s=0.02,
        sweep_s=0.5,
        spool=Spool(tmp_path / "spool", 10_000_000),
    )
    transport = MqttIngest(broker.url, worker, client_id=f"gw-browser-{tmp_path.name}"[:23])
    transport.start()
    try:
        assert transport.subscribed.wait(10), "ingest worker did not subscribe"
        yield broker
    finally:
        transport.stop()
        broker.stop()
        engine.dispose()
