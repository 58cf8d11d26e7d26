"""Fixtures for the live ingestion tests: a database of their own (workers commit), a private
Mosquitto per test (they stop and restart it), running workers."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from sqlalchemy.orm import Session, sessionmaker

from gaswarden.ingestion.mqtt import MqttIngest
from gaswarden.ingestion.spool import Spool
from gaswarden.ingestion.worker import Worker
from tests.conftest import IN_CI, Database, world_database
from tests.factories import World
from tests.ingestion.helpers import free_port

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


@dataclass
class Live:
    db: Database
    world: World

    def session(self) -> Session:
        return sessionmaker(bind=self.db.engine, expire_on_commit=False)()


@pytest.fixture(scope="module")
def live(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    db, world = world_database(backend, tmp_path_factory.mktemp(f"live-{backend}"))
    yield Live(db, world)
    db.cleanup()


class Broker:
    """A private mosquitto: `start`, `stop`, `restart` on the same port and persistence file."""

    def __init__(self, directory: Path, extra: str = "") -> None:
        self.directory = directory
        self.port = free_port()
        self.conf = directory / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "persistence true\n"
            f"persistence_location {directory}/\n"
            "autosave_interval 1\n"
            "max_queued_messages 0\n"
            "max_inflight_messages 0\n"
            "log_dest none\n" + ("user root\n" if os.geteuid() == 0 else "") + extra
            # started as root, mosquitto drops to user mosquitto, who cannot write the tmp dir
        )
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.conf)])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()  # SIGTERM: mosquitto saves its persistence file
            self.proc.wait(10)
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


def need_mosquitto() -> None:
    if not Path(MOSQUITTO).exists():
        reason = f"mosquitto binary not found at {MOSQUITTO}"
        if IN_CI:
            pytest.fail(reason + " (CI=true: Mosquitto is required)")
        pytest.skip(reason)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    need_mosquitto()
    b = Broker(tmp_path)
    b.start()
    yield b
    b.stop()


@pytest.fixture
def start_worker(live: Live, tmp_path: Path) -> Iterator[Callable[..., tuple[MqttIngest, Worker]]]:
    started: list[MqttIngest] = []

    def start(
        url: str,
        *,
        client_id: str = "gw-test-ingest",
        shared: bool = False,
        spool_bytes: int = 50_000_000,
        engine: object = None,
        consumers: tuple = (),  # type: ignore[type-arg]
    ) -> tuple[MqttIngest, Worker]:
        worker = Worker(
            live.db.settings,
            engine=engine or live.db.engine,  # type: ignore[arg-type]
            consumers=consumers,
            batch_wait_s=0.02,
            sweep_s=0.5,
            spool=Spool(tmp_path / f"spool-{client_id}", spool_bytes),
        )
        transport = MqttIngest(url, worker, client_id=client_id, shared=shared)
        transport.start()
        assert transport.subscribed.wait(10), "ingest worker did not subscribe"
        started.append(transport)
        return transport, worker

    yield start
    for transport in started:
        transport.stop()


@contextmanager
def publisher(url: str, client_id: str = "gw-test-pub", **auth: str) -> Iterator[paho.Client]:
    """A paho publisher with a persistent session: unacknowledged QoS 1 messages are resent
    after a reconnect."""
    from gaswarden.ingestion.mqtt import BrokerUrl

    target = BrokerUrl.parse(url)
    client = paho.Client(
        paho.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=paho.MQTTv311,
        clean_session=False,
    )
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.reconnect_delay_set(0.2, 1)
    if auth:
        client.username_pw_set(auth["username"], auth["password"])
    client.connect(target.host, target.port, keepalive=30)
    client.loop_start()
    try:
        yield client
    finally:
        client.disconnect()
        client.loop_stop()


def worker_session(url: str, client_id: str, **auth: str) -> None:
    """Subscribe once as an ingest worker of `client_id` will (its persistent MQTT 5 session)
    and go away: what is published from now on waits in the broker for the worker, however
    long it takes to start."""
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    from gaswarden.ingestion.mqtt import SESSION_EXPIRY_S, BrokerUrl, subscription

    target = BrokerUrl.parse(url)
    client = paho.Client(
        paho.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5
    )
    if auth:
        client.username_pw_set(auth["username"], auth["password"])
    elif target.username:
        client.username_pw_set(target.username, target.password)
    subscribed = threading.Event()
    client.on_subscribe = lambda *args: subscribed.set()
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = SESSION_EXPIRY_S
    client.connect(target.host, target.port, keepalive=30, clean_start=False, properties=props)
    client.loop_start()
    try:
        client.subscribe(subscription(False), qos=1)
        assert subscribed.wait(10), "the broker did not confirm the subscription"
    finally:
        client.disconnect()
        client.loop_stop()


def wait_for(condition: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
