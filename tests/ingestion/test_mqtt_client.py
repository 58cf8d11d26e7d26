"""The block-reading paho client against a real Mosquitto: many packets in one read, a packet
split over reads, and a reconnect that must not serve bytes of the old connection."""

from __future__ import annotations

import threading
import time

import paho.mqtt.client as paho

from gaswarden.ingestion.mqtt_client import READ_BLOCK, BufferedClient
from tests.ingestion.conftest import Broker


def _subscriber(
    broker: Broker, got: list[bytes], done: threading.Event, want: int
) -> BufferedClient:
    client = BufferedClient(paho.CallbackAPIVersion.VERSION2, client_id="buffered-test")
    subscribed = threading.Event()
    client.on_subscribe = lambda *a: subscribed.set()
    client.on_connect = lambda c, *a: c.subscribe("t/#", qos=1)

    def on_message(c: paho.Client, u: object, msg: paho.MQTTMessage) -> None:
        got.append(bytes(msg.payload))
        if len(got) >= want:
            done.set()

    client.on_message = on_message
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    assert subscribed.wait(10)
    return client


def _publish(broker: Broker, payloads: list[bytes]) -> None:
    pub = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="buffered-test-pub")
    pub.max_inflight_messages_set(1000)
    pub.connect("127.0.0.1", broker.port)
    pub.loop_start()
    infos = [pub.publish(f"t/{i}", p, qos=1) for i, p in enumerate(payloads)]
    for info in infos:
        info.wait_for_publish(10)
    pub.disconnect()
    pub.loop_stop()


def test_small_and_large_messages_all_arrive_in_order(broker: Broker) -> None:
    big = bytes(range(256)) * (3 * READ_BLOCK // 256 + 7)  # spans several reads
    payloads = [f"m{i}".encode() for i in range(2000)] + [big] + [b"after"]
    got: list[bytes] = []
    done = threading.Event()
    client = _subscriber(broker, got, done, len(payloads))
    try:
        _publish(broker, payloads)
        assert done.wait(20), f"{len(got)} of {len(payloads)} arrived"
    finally:
        client.disconnect()
        client.loop_stop()
    assert got == payloads


def test_after_a_broker_restart_only_new_bytes_are_read(broker: Broker) -> None:
    got: list[bytes] = []
    done = threading.Event()
    client = _subscriber(broker, got, done, 2)
    try:
        _publish(broker, [b"before"])
        deadline = time.monotonic() + 10
        while not got and time.monotonic() < deadline:
            time.sleep(0.05)
        broker.restart()
        deadline = time.monotonic() + 20
        while not client.is_connected() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # resubscribed on connect
        _publish(broker, [b"after"])
        assert done.wait(20)
    finally:
        client.disconnect()
        client.loop_stop()
    assert got == [b"before", b"after"]


def test_a_batch_of_acknowledgements_is_one_write_and_only_those_are_acknowledged(
    broker: Broker,
) -> None:
    """Manual acknowledgement: the messages acknowledged by `ack_many` are gone from the
    persistent session; the others are delivered again after a reconnect."""
    received: list[tuple[int, bytes]] = []

    def client() -> BufferedClient:
        c = BufferedClient(
            paho.CallbackAPIVersion.VERSION2,
            client_id="acker",
            clean_session=False,
            protocol=paho.MQTTv311,
        )
        c.manual_ack_set(True)
        c.on_connect = lambda cl, *a: cl.subscribe("t/#", qos=1)
        c.on_message = lambda cl, u, msg: received.append((msg.mid, bytes(msg.payload)))
        c.max_inflight_messages_set(100)
        return c

    first = client()
    first.connect("127.0.0.1", broker.port)
    first.loop_start()
    deadline = time.monotonic() + 10
    while not first.is_connected() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # subscribed
    payloads = [f"m{i}".encode() for i in range(50)]
    _publish(broker, payloads)
    deadline = time.monotonic() + 10
    while len(received) < 50 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p for _, p in received] == payloads
    first.ack_many(mid for mid, _ in received[:30])
    time.sleep(0.5)  # written
    first.disconnect()
    first.loop_stop()

    received.clear()
    second = client()
    second.connect("127.0.0.1", broker.port)
    second.loop_start()
    try:
        deadline = time.monotonic() + 10
        while len(received) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # and nothing more comes
    finally:
        second.disconnect()
        second.loop_stop()
    assert [p for _, p in received] == payloads[30:]
