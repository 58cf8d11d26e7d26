"""The embedded broker: a real paho device publishes with its serial and token; stored."""

from __future__ import annotations

import socket
import threading

import paho.mqtt.client as paho
import pytest

from gaswarden.ingestion import broker as broker_module
from gaswarden.ingestion.broker import free_port_from, start_embedded
from gaswarden.ingestion.contract import topic_for
from tests.ingestion.conftest import Live, wait_for
from tests.ingestion.helpers import ago, credentials, telemetry
from tests.ingestion.test_mqtt import count


def login(port: int, username: str, password: str) -> tuple[paho.Client, bool]:
    client = paho.Client(
        paho.CallbackAPIVersion.VERSION2,
        client_id=f"e-{username}-{password[:3]}",
        protocol=paho.MQTTv311,
    )
    client.username_pw_set(username, password)
    ok: list[bool] = []
    done = threading.Event()

    def on_connect(c, u, flags, reason, props) -> None:  # type: ignore[no-untyped-def]
        ok.append(not reason.is_failure)
        done.set()

    client.on_connect = on_connect
    client.connect("127.0.0.1", port)
    client.loop_start()
    done.wait(5)
    return client, bool(ok and ok[0])


def test_embedded_broker_checks_tokens_and_stores(live: Live) -> None:
    embedded = start_embedded(live.db.settings, engine=live.db.engine, port=18830)
    try:
        dev = live.world.ids["dev_gate"]
        with live.session() as s:
            serial, token = credentials(s, dev)
        bad, ok = login(embedded.port, serial, "wrong")
        bad.loop_stop()
        assert not ok
        device, ok = login(embedded.port, serial, token)
        assert ok
        base = ago(minutes=55)
        device.publish(
            topic_for(serial, "telemetry"), telemetry(base, pressure_kpa=123.0), qos=1
        ).wait_for_publish(5)
        other = live.world.ids["dev_box"]
        with live.session() as s:
            other_serial, _ = credentials(s, other)
        device.publish(
            topic_for(other_serial, "telemetry"), telemetry(base, pressure_kpa=9.0), qos=1
        ).wait_for_publish(5)
        wait_for(lambda: count(live, dev, base) == 1, what="stored via embedded broker")
        assert count(live, other, base) == 0  # not its topic: refused by the broker
        device.disconnect()
        device.loop_stop()
    finally:
        embedded.stop()


def test_a_port_taken_between_probe_and_bind_moves_to_the_next(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two demos starting at once both probe the same free port; the loser takes the next."""
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen()
    busy = held.getsockname()[1]
    probes: list[int] = []

    def probe(start: int, host: str = "127.0.0.1", tries: int = 50) -> int:
        probes.append(start)
        return busy if len(probes) == 1 else free_port_from(start, host, tries)

    monkeypatch.setattr(broker_module, "free_port_from", probe)
    embedded = broker_module.EmbeddedBroker(engine=live.db.engine)
    try:
        embedded.start(busy)
        assert embedded.port != busy and probes == [busy, busy + 1]
        with live.session() as s:
            serial, token = credentials(s, live.world.ids["dev_gate"])
        client, accepted = login(embedded.port, serial, token)
        client.loop_stop()
        assert accepted  # the broker answers on the next port and lets the device in
    finally:
        embedded.stop()
        held.close()
