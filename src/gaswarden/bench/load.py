"""Load for the ingest benchmark: a private Mosquitto that never drops, and publisher processes.

The publishers are separate processes that write pre-encoded MQTT 3.1.1 PUBLISH packets at
QoS 1 straight to their sockets and count the broker's PUBACKs: a Python MQTT client per
message would cost more CPU than the subscriber under test, on the same cores. They connect
first, then all start on one signal, so that the clock starts at the first publish. (The tests
publish with paho, a real client; this is a load generator.)
"""

from __future__ import annotations

import json
import multiprocessing as mp
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from gaswarden.ingestion.contract import MessageKind, topic_for

MOSQUITTO = "/usr/sbin/mosquitto"
# The no-drop settings of deploy/mosquitto/mosquitto.conf (the production broker config):
# unbounded queues and in-flight windows, so that a slow subscriber slows the broker down
# instead of losing QoS 1 messages.
NO_DROP = """\
max_queued_messages 0
max_queued_bytes 0
max_inflight_messages 0
max_inflight_bytes 0
max_packet_size 131072
message_size_limit 0
upgrade_outgoing_qos false
persistence false
log_type error
log_type warning
"""
PUBLISH_INFLIGHT = 20_000  # unacknowledged per publisher connection (packet ids cycle 65,535)
PUBLISH_CHUNK = 500  # packets per write


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def private_mosquitto() -> Iterator[str]:
    """A Mosquitto of our own on a free port (anonymous, loopback only); yields its URL."""
    binary = shutil.which("mosquitto") or MOSQUITTO
    if not Path(binary).exists():
        raise RuntimeError("mosquitto is not installed (apt-get install mosquitto)")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="gw-bench-mqtt-") as tmp:
        conf = Path(tmp) / "mosquitto.conf"
        conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\n{NO_DROP}")
        proc = subprocess.Popen([binary, "-c", str(conf)], stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 10
            while True:
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    raise RuntimeError(f"private mosquitto did not start: {err}")
                time.sleep(0.05)
            yield f"mqtt://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(10)


@dataclass(frozen=True)
class Plan:
    """What one benchmark phase publishes: `messages` telemetry messages of three readings,
    round-robin over `serials`, device time starting at `start` one second per round."""

    serials: Sequence[str]
    messages: int
    start: datetime
    rate: float | None = None  # messages per second in all, None: as fast as possible


def body(plan: Plan, index: int) -> tuple[str, bytes]:
    k = len(plan.serials)
    serial = plan.serials[index % k]
    ts = plan.start + timedelta(seconds=index // k)
    doc = {
        "ts": ts.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "values": {
            "pressure_kpa": round(2.5 + (index % 7) * 0.001, 3),
            "temperature_c": 15.0,
            "battery_pct": 90.0,
        },
    }
    return topic_for(serial, MessageKind.TELEMETRY), json.dumps(doc).encode()


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        n, digit = divmod(n, 128)
        out.append(digit | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _packet(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + _varint(len(body)) + body


def _text(value: str) -> bytes:
    raw = value.encode()
    return struct.pack("!H", len(raw)) + raw


def encode_publish(topic: str, payload: bytes, packet_id: int) -> bytes:
    """An MQTT 3.1.1 PUBLISH at QoS 1."""
    return _packet(0x32, _text(topic) + struct.pack("!H", packet_id) + payload)


def encode_connect(client_id: str) -> bytes:
    """MQTT 3.1.1 CONNECT, clean session, no keep-alive (the run is short)."""
    return _packet(0x10, _text("MQTT") + bytes([4, 0x02]) + struct.pack("!H", 0) + _text(client_id))


class _Pubacks(threading.Thread):
    """Counts the broker's PUBACKs (4 bytes each) on the publisher's socket."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__(daemon=True)
        self.sock = sock
        self.count = 0
        self.moved = threading.Condition()

    def run(self) -> None:
        received = 0
        while True:
            try:
                chunk = self.sock.recv(1 << 16)
            except OSError:
                return
            if not chunk:
                return
            received += len(chunk)
            with self.moved:
                self.count = received // 4
                self.moved.notify_all()


def _publish(
    url_port: int,
    plan: Plan,
    part: int,
    parts: int,
    ready: Any,
    go: Any,
    done: Any,
    release: Any,
) -> None:
    """One publisher process: every packet encoded before the start, then written straight to
    the socket with at most PUBLISH_INFLIGHT unacknowledged, paced when the plan has a rate.
    The load generator costs little CPU next to the broker and the subscriber it loads.

    It then waits for `release` before it returns: a spawned process that exits tears down
    every module its parent's `__main__` imported (the whole CLI), about a second of CPU
    each, which overlapped the phase under measurement and took the worker's cores."""
    mine = range(part, plan.messages, parts)
    packets = [encode_publish(*body(plan, index), n % 65535 + 1) for n, index in enumerate(mine)]
    sock = socket.create_connection(("127.0.0.1", url_port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.sendall(encode_connect(f"gw-bench-pub-{part}"))
    connack = sock.recv(4)
    if connack[:1] != b"\x20" or connack[3:4] != b"\x00":
        raise RuntimeError(f"broker refused the publisher: {connack!r}")
    acks = _Pubacks(sock)
    acks.start()
    ready.put(part)
    go.wait()
    started = time.monotonic()
    per_process = plan.rate / parts if plan.rate else None
    sent = 0
    while sent < len(packets):
        if per_process is not None:  # what is due by now, in steps of about 5 ms
            due = min(len(packets), int((time.monotonic() - started) * per_process) + 1)
            if due <= sent:
                time.sleep(0.005)
                continue
        else:
            due = len(packets)
        with acks.moved:
            while sent - acks.count >= PUBLISH_INFLIGHT:  # the window is full
                acks.moved.wait(60)
        end = min(due, sent + PUBLISH_CHUNK, acks.count + PUBLISH_INFLIGHT)
        sock.sendall(b"".join(packets[sent:end]))
        sent = end
    with acks.moved:
        acks.moved.wait_for(lambda: acks.count >= len(packets), timeout=600)
    sock.sendall(b"\xe0\x00")  # DISCONNECT
    sock.close()
    done.put((part, acks.count, time.time()))
    release.wait(3600)


class Publishers:
    """`processes` publisher processes, connected and waiting for `go()`."""

    def __init__(self, url: str, plan: Plan, processes: int) -> None:
        port = int(url.rsplit(":", 1)[1])
        ctx = mp.get_context("spawn")  # the parent runs threads: no fork
        self.ready: Any = ctx.Queue()
        self.done: Any = ctx.Queue()
        self._go = ctx.Event()
        self._release = ctx.Event()
        self.procs = [
            ctx.Process(
                target=_publish,
                args=(port, plan, p, processes, self.ready, self._go, self.done, self._release),
                daemon=True,
            )
            for p in range(processes)
        ]
        for proc in self.procs:
            proc.start()
        for _ in self.procs:
            self.ready.get(timeout=60)

    def go(self) -> float:
        """Start publishing; returns the wall time of the start."""
        t0 = time.time()
        self._go.set()
        return t0

    def join(self, timeout: float = 600) -> int:
        """Wait until every message is acknowledged by the broker; returns how many. The
        processes exit only now (call it after the phase's clock has stopped)."""
        sent = sum(self.done.get(timeout=timeout)[1] for _ in self.procs)
        self._release.set()
        for proc in self.procs:
            proc.join(30)
        return sent


def now_utc() -> datetime:
    return datetime.now(UTC)
