"""The embedded broker for the no-install demo: amqtt (MQTT 3.1.1) in a background thread on
127.0.0.1:1883, or the next free port, with an ingest worker subscribed to it.

Logins are checked against the registry: a device logs in with its serial and token and may
publish only under gw/v1/devices/<its serial>/; the in-process ingest worker has its own
generated login. For production use Mosquitto (`gaswarden broker export`).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as paho
from amqtt.broker import Broker
from amqtt.contexts import Action
from amqtt.plugins.base import BaseAuthPlugin, BaseTopicPlugin
from amqtt.session import Session as MqttSession
from sqlalchemy import Engine, select

from gaswarden.db.session import make_engine, make_session_factory
from gaswarden.domains.device.enums import DeviceStatus
from gaswarden.domains.device.models import Device
from gaswarden.domains.device.service import token_digest
from gaswarden.ingestion.contract import TOPIC_PREFIX, BatchConsumer
from gaswarden.ingestion.mqtt import MqttIngest
from gaswarden.ingestion.worker import Worker
from gaswarden.settings import Settings

log = logging.getLogger("gaswarden.broker")

DEFAULT_PORT = 1883
INGEST_USER = "gaswarden-ingest"
# broker name -> (username, password) -> allowed; set by EmbeddedBroker, read by the plugins
_CHECKERS: dict[str, Callable[[str, str], bool]] = {}
_INGEST_USERS: dict[str, str] = {}


class RegistryAuthPlugin(BaseAuthPlugin):
    @dataclass
    class Config:
        broker: str = ""

    async def authenticate(self, *, session: MqttSession) -> bool | None:
        check = _CHECKERS.get(self.config.broker)
        if check is None or not session.username:
            return False
        username, password = session.username, session.password or ""
        return await asyncio.get_running_loop().run_in_executor(None, check, username, password)


class DeviceTopicPlugin(BaseTopicPlugin):
    @dataclass
    class Config:
        broker: str = ""

    async def topic_filtering(
        self,
        *,
        session: MqttSession | None = None,
        topic: str | None = None,
        action: Action | None = None,
    ) -> bool | None:
        if session is None or topic is None:
            return False
        if session.username == _INGEST_USERS.get(self.config.broker):
            return True
        if action is Action.PUBLISH:
            return topic.startswith(f"{TOPIC_PREFIX}/{session.username}/")
        return action is Action.RECEIVE  # devices do not subscribe


def free_port_from(start: int, host: str = "127.0.0.1", tries: int = 50) -> int:
    for port in range(start, start + tries):
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {start}..{start + tries - 1}")


def _bind_failure(exc: BaseException | None) -> bool:
    """amqtt wraps the OSError of a failed bind in its own exception."""
    while exc is not None:
        if isinstance(exc, OSError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@dataclass
class EmbeddedBroker:
    engine: Engine
    host: str = "127.0.0.1"
    port: int = 0
    ingest_password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    name: str = field(default_factory=lambda: secrets.token_hex(6))
    _loop: asyncio.AbstractEventLoop | None = None
    _broker: Broker | None = None
    _thread: threading.Thread | None = None

    def check(self, username: str, password: str) -> bool:
        if username == INGEST_USER:
            return secrets.compare_digest(password, self.ingest_password)
        factory = make_session_factory(self.engine)
        with factory() as session:
            row = session.execute(
                select(Device.token_digest, Device.status).where(Device.serial == username)
            ).first()
        if row is None or row[0] is None or row[1] is DeviceStatus.DECOMMISSIONED:
            return False
        return secrets.compare_digest(row[0], token_digest(password))

    @property
    def url(self) -> str:
        return f"mqtt://{INGEST_USER}:{self.ingest_password}@{self.host}:{self.port}"

    def start(self, port: int = DEFAULT_PORT, attempts: int = 5) -> None:
        """Listen on `port` or the next free one. Another process may take the port between
        the probe and the bind (two demos starting at once): then try the next one."""
        _CHECKERS[self.name] = self.check
        _INGEST_USERS[self.name] = INGEST_USER
        for _ in range(attempts):
            self.port = free_port_from(port, self.host)
            failure = self._start_on(self.port)
            if failure is None:
                return
            if not _bind_failure(failure):
                break
            port = self.port + 1
        raise RuntimeError(f"embedded broker failed to start: {failure}")

    def _start_on(self, port: int) -> BaseException | None:
        config: dict[str, Any] = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{port}"}},
            "plugins": {
                f"{__name__}.RegistryAuthPlugin": {"broker": self.name},
                f"{__name__}.DeviceTopicPlugin": {"broker": self.name},
            },
        }
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                self._broker = Broker(config, loop=loop)
                loop.run_until_complete(self._broker.start())
            except BaseException as exc:
                failure.append(exc)
                started.set()
                loop.close()
                return
            started.set()
            loop.run_forever()

        self._thread = threading.Thread(target=run, name="gaswarden-broker", daemon=True)
        self._thread.start()
        started.wait(15)
        if failure:
            self._thread.join(5)
            self._loop = self._broker = self._thread = None
            return failure[0]
        return None

    def stop(self) -> None:
        if self._loop is not None and self._broker is not None:
            future = asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop)
            try:
                future.result(10)
            finally:
                self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        _CHECKERS.pop(self.name, None)
        _INGEST_USERS.pop(self.name, None)


@dataclass
class EmbeddedIngest:
    broker: EmbeddedBroker
    transport: MqttIngest

    @property
    def port(self) -> int:
        return self.broker.port

    def stop(self) -> None:
        self.transport.stop()
        self.broker.stop()


def start_embedded(
    settings: Settings,
    *,
    engine: Engine | None = None,
    consumers: Sequence[BatchConsumer] = (),
    port: int = DEFAULT_PORT,
) -> EmbeddedIngest:
    """Start the embedded broker and an ingest worker on it (for `serve` and `demo`)."""
    engine = engine or make_engine(settings)
    broker = EmbeddedBroker(engine=engine)
    broker.start(port)
    worker = Worker(settings, engine=engine, consumers=consumers)
    transport = MqttIngest(
        broker.url, worker, client_id="gaswarden-embedded-ingest", protocol=paho.MQTTv311
    )
    transport.start()
    if not transport.subscribed.wait(10):
        log.warning("ingest worker has not subscribed to the embedded broker yet")
    return EmbeddedIngest(broker, transport)
