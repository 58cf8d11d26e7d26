"""The MQTT transport: paho-mqtt 2.x, QoS 1, a persistent session, manual acknowledgement.

A message is acknowledged (PUBACK) only after the worker committed or spooled its batch, so a
crash at any point leaves the broker holding every message not yet stored. With several
workers, a shared subscription ($share/gaswarden/...) spreads the devices' messages over them.
"""

from __future__ import annotations

import logging
import socket
import ssl
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from gaswarden.ingestion.contract import SHARED_GROUP, TOPIC_PREFIX
from gaswarden.ingestion.mqtt_client import BufferedClient
from gaswarden.ingestion.pipeline import Message
from gaswarden.ingestion.worker import Worker

log = logging.getLogger("gaswarden.ingest.mqtt")

SESSION_EXPIRY_S = 7 * 24 * 3600  # the broker keeps our queue this long while we are away
RECEIVE_MAXIMUM = 24_000  # unacknowledged messages in flight to us (MQTT v5): a few batches
KEEPALIVE_S = 30
# The network thread and the worker thread share the GIL. At Python's default 5 ms switch
# interval, the worker waits up to 5 ms for it after each database round trip while messages
# stream in; with a shorter interval a batch spends its time working instead of waiting.
SWITCH_INTERVAL_S = 0.002
WARM_WAIT_S = 60.0  # at most this long for the worker's warm-up before taking messages


@dataclass(frozen=True)
class BrokerUrl:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool

    @classmethod
    def parse(cls, url: str) -> BrokerUrl:
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
            raise ValueError(
                f"unsupported MQTT URL scheme {parts.scheme!r}; use mqtt:// or mqtts://"
            )
        tls = parts.scheme in ("mqtts", "ssl")
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or (8883 if tls else 1883),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
        )


class AckOrder:
    """Acknowledgements in the order the messages arrived (MQTT 3.1.1 and 5.0, section 4.6:
    PUBACKs in the order of the PUBLISHes), though the worker stores an alarm's batch ahead
    of routine messages that came before it: each is released once every message that
    arrived before it is settled."""

    def __init__(self) -> None:
        self._next = 0  # the receipt number of the oldest message not settled
        self._settled: dict[int, Any] = {}  # receipt -> handle to acknowledge, or None

    def restart(self, first: int) -> None:
        """A new session from receipt `first` on: the broker delivers again, under new ids,
        whatever of the old one was not acknowledged, so nothing older is waited for."""
        self._next = max(self._next, first)
        for n in [n for n in self._settled if n < first]:
            del self._settled[n]

    def settle(self, messages: Sequence[Message], *, ack: bool) -> list[Any]:
        """These messages are done with (stored or spooled when `ack`, else given up): the
        handles now due, in order of arrival."""
        settled, n = self._settled, self._next
        # the usual case: the oldest messages, all of them, nothing held back (a batch's
        # numbers ascend, so its first and last say it has every number between)
        if (
            not settled
            and messages
            and messages[0].receipt == n
            and messages[-1].receipt == n + len(messages) - 1
        ):
            self._next = n + len(messages)
            return [m.handle for m in messages if m.handle is not None] if ack else []
        for m in messages:
            if m.receipt >= n:
                settled[m.receipt] = m.handle if ack else None
        due = []
        while n in settled:
            handle = settled.pop(n)
            if handle is not None:
                due.append(handle)
            n += 1
        self._next = n
        return due


def subscription(shared: bool) -> str:
    topic = f"{TOPIC_PREFIX}/+/+"
    return f"$share/{SHARED_GROUP}/{topic}" if shared else topic


def default_client_id() -> str:
    """Stable per host and process slot, so that a restarted worker resumes its session."""
    return f"gaswarden-ingest-{socket.gethostname()}"[:64]


class MqttIngest:
    def __init__(
        self,
        url: str,
        worker: Worker,
        *,
        client_id: str | None = None,
        shared: bool = False,
        protocol: paho.MQTTProtocolVersion = paho.MQTTv5,
    ) -> None:
        self.url = BrokerUrl.parse(url)
        self.worker = worker
        self.shared = shared
        self.protocol = protocol
        self.client_id = client_id or default_client_id()
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self.received = 0
        self._generation = 0
        self._lock = threading.Lock()
        self._acks = AckOrder()
        kwargs: dict[str, Any] = {}
        if protocol != paho.MQTTv5:
            kwargs["clean_session"] = False
        self.client = BufferedClient(
            paho.CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=protocol,
            **kwargs,
        )
        self.client.manual_ack_set(True)
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.max_inflight_messages_set(RECEIVE_MAXIMUM)
        if self.url.username:
            self.client.username_pw_set(self.url.username, self.url.password)
        if self.url.tls:
            self.client.tls_set(cert_reqs=ssl.CERT_REQUIRED)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_message_raw = self._on_message_raw
        self.client.on_subscribe = self._on_subscribe
        worker.on_done = self.ack
        worker.on_failed = self.give_up

    # -- paho callbacks (network thread) --------------------------------------------------
    def _on_connect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        if reason.is_failure:
            log.error("broker refused the connection: %s", reason)
            return
        with self._lock:
            self._generation += 1
            self._acks.restart(self.worker.next_receipt)
        self.connected.set()
        topic = subscription(self.shared)
        client.subscribe(topic, qos=1)
        log.info(
            "connected to %s:%s as %s; subscribed to %s",
            self.url.host,
            self.url.port,
            self.client_id,
            topic,
        )

    def _on_subscribe(
        self, client: paho.Client, userdata: Any, mid: int, reasons: Any, props: Any
    ) -> None:
        self.subscribed.set()

    def _on_disconnect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        self.connected.clear()
        self.subscribed.clear()
        if reason.is_failure:
            log.warning("disconnected from the broker (%s); reconnecting", reason)

    def _on_message(self, client: paho.Client, userdata: Any, msg: paho.MQTTMessage) -> None:
        # what the client's fast path leaves to paho (QoS 2, a PUBLISH with properties ...)
        self._on_message_raw(msg.topic, bytes(msg.payload), msg.mid, msg.qos)

    def _on_message_raw(self, topic: str, payload: bytes, mid: int, qos: int) -> None:
        self.received += 1
        message = Message(
            transport="mqtt",
            topic=topic,
            payload=payload,
            received_at=datetime.now(UTC),
            handle=(self._generation, mid, qos),
        )
        try:
            self.worker.pipeline.predecode(message)  # uses this thread while the worker waits
        except Exception:  # the batch decodes it again and keeps what it finds
            log.exception("decoding ahead failed")
        self.worker.submit(message)

    # -- acknowledgement (worker thread) --------------------------------------------------
    def ack(self, messages: list[Message]) -> None:
        """Stored or spooled: acknowledged, in order of arrival (`AckOrder`)."""
        with self._lock:
            self._send(self._acks.settle(messages, ack=True))

    def give_up(self, messages: list[Message]) -> None:
        """Messages the worker could not store: not acknowledged (the broker delivers them
        again after a reconnect), and not waited for by those that came after them."""
        with self._lock:
            self._send(self._acks.settle(messages, ack=False))

    def _send(self, handles: list[Any]) -> None:
        generation = self._generation
        qos1: list[int] = []
        for gen, mid, qos in handles:
            # after a reconnect the broker redelivers what we had not acknowledged, under new
            # ids: an old id must not acknowledge a new message that happens to share it
            if gen != generation or qos == 0:
                continue
            if qos == 1:
                qos1.append(mid)
            else:
                self.client.ack(mid, qos)
        self.client.ack_many(qos1)

    # -- life cycle -----------------------------------------------------------------------
    def start(self) -> None:
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
        # The worker warms up first (the registry and the rules in memory, its heap frozen),
        # then the broker hands over what it holds: a backlog queued while no worker ran is
        # decoded ahead from the first message, not piled up behind the warm-up.
        self.worker.start()
        if not self.worker.ready.wait(WARM_WAIT_S):
            log.warning("the worker is not warm after %s s; taking messages anyway", WARM_WAIT_S)
        props = None
        kwargs: dict[str, Any] = {}
        if self.protocol == paho.MQTTv5:
            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = SESSION_EXPIRY_S
            props.ReceiveMaximum = RECEIVE_MAXIMUM
            kwargs["clean_start"] = False
        self.client.connect_async(
            self.url.host, self.url.port, keepalive=KEEPALIVE_S, properties=props, **kwargs
        )
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        self.worker.stop()
