"""MQTT connections for the simulator (paho-mqtt 2, QoS 1).

One connection carries every simulated device by default; with per-device logins each device
has its own connection (username = serial, password = token, a will that marks it offline),
for brokers that enforce the per-device ACL. Either way the connections run on paho's
external-loop interface and are served from the simulator's own thread: no thread per device,
and nothing is shared between threads.
"""

from __future__ import annotations

import contextlib
import json
import selectors
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from gaswarden.ingestion.contract import MessageKind, topic_for

QOS = 1
KEEPALIVE_S = 30
MAX_INFLIGHT = 1000  # per connection; QoS 1 messages beyond it wait in paho's queue
RECONNECT_EVERY_S = 2.0


class BrokerUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False

    @classmethod
    def parse(cls, url: str) -> BrokerAddress:
        """`mqtt://user:pass@host:1883` (or mqtts:// for TLS; a bare host:port works too)."""
        if "://" not in url:
            url = "mqtt://" + url
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "tcp", "mqtts", "ssl"):
            raise ValueError(f"not an MQTT URL: {url!r} (mqtt://host:1883)")
        tls = parts.scheme in ("mqtts", "ssl")
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or (8883 if tls else 1883),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
        )

    def __str__(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


class _Link:
    """One MQTT connection and its bookkeeping."""

    def __init__(self, owner: Publisher, client_id: str, login: tuple[str, str] | None) -> None:
        self.owner = owner
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        self.client.max_inflight_messages_set(MAX_INFLIGHT)
        self.client.max_queued_messages_set(0)  # unbounded: never drop a QoS 1 message
        if login is not None:
            self.client.username_pw_set(*login)
        self.connected = False
        self.refused: str | None = None  # the broker refused the login: do not retry
        self.next_try = 0.0
        c = self.client
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_publish = self._on_publish
        c.on_socket_open = self._on_socket_open
        c.on_socket_close = self._on_socket_close
        c.on_socket_register_write = self._on_register_write
        c.on_socket_unregister_write = self._on_unregister_write

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            self.refused = str(reason)
            self.owner.errors.append(f"{client._client_id.decode()}: broker refused: {reason}")
            client.disconnect()
        else:
            self.connected = True

    def _on_disconnect(
        self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        self.connected = False
        self.next_try = time.monotonic() + RECONNECT_EVERY_S

    def _on_publish(self, client: Any, userdata: Any, mid: int, reason: Any, props: Any) -> None:
        self.owner.acked += 1

    def _on_socket_open(self, client: Any, userdata: Any, sock: Any) -> None:
        self.owner.selector.register(sock, selectors.EVENT_READ, self)

    def _on_socket_close(self, client: Any, userdata: Any, sock: Any) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.owner.selector.unregister(sock)

    def _on_register_write(self, client: Any, userdata: Any, sock: Any) -> None:
        self._watch(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)

    def _on_unregister_write(self, client: Any, userdata: Any, sock: Any) -> None:
        self._watch(sock, selectors.EVENT_READ)

    def _watch(self, sock: Any, events: int) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.owner.selector.modify(sock, events, self)

    def connect(self, address: BrokerAddress) -> None:
        if address.tls:
            self.client.tls_set()
        self.client.connect(address.host, address.port, keepalive=KEEPALIVE_S)

    def retry(self) -> None:
        if self.connected or self.refused or time.monotonic() < self.next_try:
            return
        self.next_try = time.monotonic() + RECONNECT_EVERY_S
        with contextlib.suppress(OSError):
            self.client.reconnect()


class Publisher:
    """Publishes device messages at QoS 1 over one shared or one-per-device connections.

    `logins` (serial -> token) switches to per-device connections.
    """

    def __init__(
        self,
        url: str,
        *,
        logins: dict[str, str] | None = None,
        client_id: str = "gaswarden-sim",
    ) -> None:
        self.address = BrokerAddress.parse(url)
        self.logins = logins
        self.client_id = client_id
        self.selector = selectors.DefaultSelector()
        self.links: dict[str, _Link] = {}
        self.shared: _Link | None = None
        self.sent = 0
        self.acked = 0
        self.errors: list[str] = []
        self._last_misc = 0.0

    def open(self) -> None:
        """Connect now (the shared connection), so that an unreachable broker is reported at
        the start rather than as messages piling up."""
        if self.logins is not None:
            return
        login = None
        if self.address.username:
            login = (self.address.username, self.address.password or "")
        self.shared = _Link(self, self.client_id, login)
        self._connect(self.shared)

    def _connect(self, link: _Link) -> None:
        try:
            link.connect(self.address)
        except OSError as exc:
            raise BrokerUnavailable(
                f"cannot reach the MQTT broker at {self.address}: {exc}"
            ) from exc

    def _link_for(self, serial: str) -> _Link:
        if self.shared is not None:
            return self.shared
        link = self.links.get(serial)
        if link is None:
            assert self.logins is not None
            token = self.logins.get(serial)
            if not token:
                raise BrokerUnavailable(f"{serial} has no token: cannot log in as the device")
            link = _Link(self, f"sim-{serial}", (serial, token))
            offline = json.dumps({"online": False, "reason": "connection lost"})
            link.client.will_set(topic_for(serial, MessageKind.STATUS), offline, qos=QOS)
            self.links[serial] = link
            self._connect(link)
        return link

    def publish(self, serial: str, kind: MessageKind, body: Any) -> None:
        link = self._link_for(serial)
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        link.client.publish(topic_for(serial, kind), payload, qos=QOS)
        self.sent += 1

    @property
    def in_flight(self) -> int:
        return self.sent - self.acked

    def pump(self, timeout: float) -> None:
        """Serve the sockets for up to `timeout` seconds: read acknowledgements, write what is
        queued, keep the connections alive and retry dropped ones."""
        if self.selector.get_map():
            for key, events in self.selector.select(max(0.0, timeout)):
                link: _Link = key.data
                if events & selectors.EVENT_READ:
                    link.client.loop_read()
                if events & selectors.EVENT_WRITE:
                    link.client.loop_write()
        elif timeout > 0:
            time.sleep(timeout)
        now = time.monotonic()
        if now - self._last_misc >= 1.0:
            self._last_misc = now
            for link in self._all():
                link.client.loop_misc()
                link.retry()

    def flush(self, timeout: float) -> bool:
        """Wait until the broker has acknowledged everything sent (or `timeout` passes)."""
        deadline = time.monotonic() + timeout
        while self.in_flight > 0 and time.monotonic() < deadline:
            if all(link.refused for link in self._all()):
                break
            self.pump(0.05)
        return self.in_flight == 0

    def close(self) -> None:
        for link in self._all():
            if link.client.socket() is not None:
                link.client.disconnect()  # queues DISCONNECT; writing it closes the socket
                link.client.loop_write()
        self.selector.close()

    def _all(self) -> list[_Link]:
        return [self.shared] if self.shared is not None else list(self.links.values())
