"""Simulator tests: a real Mosquitto, real paho subscribers, a separate database per backend."""

from __future__ import annotations

import json
import math
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy.orm import Session

from gaswarden.domains.device.service import service as devices
from gaswarden.ingestion.contract import (
    MAX_BATCH_ITEMS,
    MAX_CLOCK_AHEAD,
    MAX_PAYLOAD_BYTES,
    METRICS,
    EventKind,
    MessageKind,
    parse_topic,
)
from gaswarden.settings import Settings
from tests.conftest import IN_CI, Database, world_database
from tests.factories import make

BROKER_HOST, BROKER_PORT = "127.0.0.1", 1883
SECRET = "test-secret"  # new_database's key: the CLI needs it to read the tokens


def broker_or_skip(host: str = BROKER_HOST, port: int = BROKER_PORT) -> str:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as exc:
        reason = f"Mosquitto not reachable at {host}:{port}: {exc}"
        if IN_CI:
            pytest.fail(reason + " (CI=true: the broker is required)")
        pytest.skip(reason)
    return f"mqtt://{host}:{port}"


@pytest.fixture(scope="session")
def broker() -> str:
    return broker_or_skip()


@dataclass
class Message:
    serial: str
    kind: MessageKind
    body: Any
    items: list[dict[str, Any]]  # the body's objects (a catch-up array has several)
    raw: bytes


class Listener:
    """A paho subscriber to the topics of some devices; checks every message on arrival."""

    def __init__(
        self,
        serials: list[str],
        port: int = BROKER_PORT,
        login: tuple[str, str] | None = None,
    ) -> None:
        self.serials = serials
        self.messages: list[Message] = []
        self.problems: list[str] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"t-{uuid.uuid4().hex}")
        if login:
            self.client.username_pw_set(*login)
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *a: self._subscribed.set()
        self.client.connect(BROKER_HOST, port)
        self.client.loop_start()
        topics = [(f"gw/v1/devices/{s}/#", 1) for s in serials]
        self.client.subscribe(topics)
        assert self._subscribed.wait(5), "no SUBACK from the broker"

    def _on_message(self, client: Any, userdata: Any, msg: Any) -> None:
        try:
            message = check_message(msg.topic, msg.payload)
        except (AssertionError, KeyError, TypeError, ValueError) as exc:
            with self._lock:
                self.problems.append(f"{msg.topic} {msg.payload!r}: {exc}")
            return
        with self._lock:
            self.messages.append(message)

    def of(self, serial: str, kind: MessageKind | None = None) -> list[Message]:
        with self._lock:
            return [
                m for m in self.messages if m.serial == serial and (kind is None or m.kind is kind)
            ]

    def wait_for(self, done: Callable[[], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done():
                return True
            time.sleep(0.05)
        return done()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def parse_ts(value: Any) -> datetime:
    if isinstance(value, bool):
        raise AssertionError("ts is a boolean")
    if isinstance(value, int):
        return datetime.fromtimestamp(value / 1000, UTC)
    assert isinstance(value, str), f"ts {value!r} is neither RFC 3339 nor epoch ms"
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None, f"ts {value!r} has no offset"
    return moment


def _check_number(name: str, value: Any) -> None:
    metric = METRICS.get(name)
    assert metric is not None, f"unknown metric {name}"
    assert isinstance(value, int | float) and not isinstance(value, bool), f"{name}={value!r}"
    assert math.isfinite(value) and metric.low <= value <= metric.high, f"{name}={value}"


def check_message(topic: str, payload: bytes) -> Message:
    """Decode a message and hold it to the device contract (ingestion/contract.py)."""
    parsed = parse_topic(topic)
    assert parsed is not None, "topic not gw/v1/devices/{serial}/{kind}"
    serial, kind = parsed
    assert len(payload) <= MAX_PAYLOAD_BYTES
    body = json.loads(payload)
    items = body if isinstance(body, list) else [body]
    if isinstance(body, list):
        assert kind is MessageKind.TELEMETRY and 1 <= len(body) <= MAX_BATCH_ITEMS
    now = datetime.now(UTC)
    for item in items:
        assert isinstance(item, dict)
        ts = parse_ts(item["ts"])
        assert now - timedelta(days=1) < ts <= now + MAX_CLOCK_AHEAD, f"ts {ts} out of range"
        if kind is MessageKind.TELEMETRY:
            assert set(item) <= {"ts", "seq", "values"}
            seq = item.get("seq", 1)  # optional in the contract; the simulator always sends it
            assert isinstance(seq, int) and not isinstance(seq, bool) and seq > 0
            assert isinstance(item["values"], dict) and item["values"]
            for name, value in item["values"].items():
                _check_number(name, value)
        elif kind is MessageKind.EVENT:
            assert set(item) <= {"ts", "event", "detail", "snapshot_url"}
            EventKind(item["event"])
            assert isinstance(item.get("detail", {}), dict)
        else:
            assert set(item) <= {"ts", "online", "battery_pct", "rssi_dbm", "firmware"}
            assert isinstance(item["online"], bool)
            for name in ("battery_pct", "rssi_dbm"):
                if name in item:
                    _check_number(name, item[name])
    return Message(serial, kind, body, items, payload)


@pytest.fixture
def listen() -> Iterator[Callable[..., Listener]]:
    made: list[Listener] = []

    def start(serials: list[str], **kw: Any) -> Listener:
        listener = Listener(serials, **kw)
        made.append(listener)
        return listener

    yield start
    for listener in made:
        listener.stop()


@dataclass
class SimWorld:
    db: Database
    serials: dict[str, str]  # role -> serial
    tokens: dict[str, str] = field(default_factory=dict)
    set_kpa: dict[str, float] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.db.settings

    @property
    def active(self) -> list[str]:
        return [s for role, s in self.serials.items() if role != "idle"]


# role: (kind, where, report interval s)
TEST_DEVICES: dict[str, tuple[str, str, int]] = {
    "pm_reg": ("pressure_monitor", "asset_reg", 300),
    "pm_site": ("pressure_monitor", "box", 300),
    "wm": ("well_methane", "asset_well", 600),
    "wi": ("well_intrusion", "asset_well", 600),
    "ha": ("household_alarm", "box", 600),
    "lm": ("laser_methane", "gate", 60),
    "fm": ("flow_meter", "gate", 300),
    "cam": ("camera", "filling", 60),
    "idle": ("pressure_monitor", "box", 300),  # under maintenance: not simulated
}


@pytest.fixture(scope="module")
def sim_world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimWorld]:
    """The test world on its own database, plus one device of every kind with serials unique
    to this run (other tests may use the shared broker at the same time)."""
    db, built = world_database(backend, tmp_path_factory.mktemp(f"sim-{backend}"))
    tag = uuid.uuid4().hex[:6].upper()
    world = SimWorld(db, {})
    with Session(db.engine, expire_on_commit=False) as session:
        for role, (kind, where, interval) in TEST_DEVICES.items():
            at = {"asset_id" if where.startswith("asset") else "site_id": built.ids[where]}
            device = make(
                devices,
                session,
                serial=f"T{tag}-{role.upper()}",
                kind=kind,
                report_interval_s=interval,
                status="maintenance" if role == "idle" else "active",
                **at,
            )
            world.serials[role] = device.serial
            world.tokens[role] = device.token
        session.commit()
    world.set_kpa = {"pm_reg": 6.0, "pm_site": 2.0}  # 0.6 x 0.01 MPa outlet design; default
    yield world
    db.cleanup()
