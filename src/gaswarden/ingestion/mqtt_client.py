"""paho's client, reading its socket in blocks and acknowledging in batches.

paho reads each packet with two or three `recv` calls (the command byte and the length one
byte at a time, then the rest) and handles one packet per pass of its network loop, each pass
a `select`: four or five system calls for every message a busy subscriber receives. This
client reads up to READ_BLOCK bytes at once, serves paho's small reads from that buffer, and
keeps handling packets while whole ones are buffered. Everything else is paho's own. Measured
with 100,000 queued messages: 90 → 63 µs of CPU per message for the ingest worker.

`ack_many` acknowledges a whole batch's QoS 1 messages with one write of their PUBACKs
instead of queueing each on its own (a deque entry and a wake-up of the network thread each).

Relies on paho 2.x internals, `_sock`, `_sock_recv` and `_packet_queue` (pyproject pins
paho-mqtt 2.x).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import Any

import paho.mqtt.client as paho

READ_BLOCK = 1 << 16
_PUBACK = struct.Struct("!BBH")  # PUBACK, remaining length 2, packet id (reason: success)


class BufferedClient(paho.Client):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rbuf = bytearray()
        self._rbuf_sock: object = None  # the socket the buffer was read from

    def _sock_recv(self, bufsize: int) -> bytes:
        if self._rbuf_sock is not self._sock:  # a new connection: nothing old may be served
            self._rbuf.clear()
            self._rbuf_sock = self._sock
        if not self._rbuf:
            self._rbuf += super()._sock_recv(max(bufsize, READ_BLOCK))
        data = bytes(self._rbuf[:bufsize])
        del self._rbuf[:bufsize]
        return data

    def loop_read(self, max_packets: int = 1) -> paho.MQTTErrorCode:
        rc = super().loop_read(max_packets)
        # paho handles one packet per pass of its loop; go on while more are already read
        while rc == paho.MQTTErrorCode.MQTT_ERR_SUCCESS and self._rbuf and self._sock is not None:
            rc = super().loop_read(max_packets)
        return rc

    def ack_many(self, mids: Iterable[int]) -> None:
        """PUBACK every QoS 1 message id given, in one queued write (manual acknowledgement)."""
        blob = b"".join(_PUBACK.pack(paho.PUBACK, 2, mid) for mid in mids)
        if blob:
            self._packet_queue(paho.PUBACK, blob, 0, 1)
