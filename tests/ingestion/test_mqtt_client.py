"""The block-reading paho client against a real Mosquitto: many packets in one read, a packet
split over reads, and a reconnect that must not serve bytes of the old connection."""

from __future__ import annotations

import threading
import time

import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

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


def test_plain_publishes_take_the_fast_path_and_unusual_ones_go_to_paho_in_order(
    broker: Broker,
) -> None:
    """MQTT 5, manual acknowledgement: QoS 1 PUBLISH packets without properties reach
    `on_message_raw` (but the first of each block read, which paho takes); messages with
    properties reach paho's `on_message`; all in the order published, with the
    packet ids the broker gave (acknowledged, nothing comes again after a reconnect)."""
    got: list[tuple[str, str, bytes, int]] = []  # (path, topic, payload, qos)
    mids: list[tuple[int, int]] = []

    def raw(topic: str, payload: bytes, mid: int, qos: int) -> None:
        got.append(("raw", topic, payload, qos))
        mids.append((mid, qos))

    def on_message(c: paho.Client, u: object, msg: paho.MQTTMessage) -> None:
        got.append(("paho", msg.topic, bytes(msg.payload), msg.qos))
        mids.append((msg.mid, msg.qos))

    def subscriber() -> BufferedClient:
        c = BufferedClient(
            paho.CallbackAPIVersion.VERSION2, client_id="fast-path", protocol=paho.MQTTv5
        )
        c.manual_ack_set(True)
        c.on_message_raw = raw
        c.on_message = on_message
        c.on_connect = lambda cl, *a: cl.subscribe("t/#", qos=1)
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 600
        c.connect("127.0.0.1", broker.port, properties=props, clean_start=False)
        c.loop_start()
        return c

    client = subscriber()
    deadline = time.monotonic() + 10
    while not client.is_connected() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # subscribed
    client.disconnect()  # the session keeps what is published meanwhile: it comes in a burst
    client.loop_stop()
    pub = paho.Client(
        paho.CallbackAPIVersion.VERSION2, client_id="fast-path-pub", protocol=paho.MQTTv5
    )
    pub.max_inflight_messages_set(1000)
    pub.connect("127.0.0.1", broker.port)
    pub.loop_start()
    with_props = Properties(PacketTypes.PUBLISH)
    with_props.ContentType = "application/json"
    sent: list[tuple[str, str, bytes, int]] = []
    infos = []
    for i in range(600):
        topic, payload = f"t/{i % 7}/x", f"m{i}".encode()
        if i in (100, 200):
            infos.append(pub.publish(topic, payload, qos=1, properties=with_props))
            sent.append(("paho", topic, payload, 1))
        else:
            infos.append(pub.publish(topic, payload, qos=1))
            sent.append(("raw", topic, payload, 1))
    for info in infos:
        info.wait_for_publish(10)
    pub.disconnect()
    pub.loop_stop()
    client = subscriber()
    try:
        deadline = time.monotonic() + 20
        while len(got) < len(sent) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [g[1:] for g in got] == [s[1:] for s in sent]
        for g, s in zip(got, sent, strict=True):
            if s[0] == "paho":  # properties
                assert g[0] == "paho", g
        assert sum(g[0] == "raw" for g in got) > len(sent) // 2
        client.ack_many(mid for mid, qos in mids if qos == 1)
        time.sleep(0.5)  # written
    finally:
        client.disconnect()
        client.loop_stop()
    got.clear()
    again = subscriber()
    try:
        time.sleep(1.5)  # nothing comes again
    finally:
        again.disconnect()
        again.loop_stop()
    assert got == []
