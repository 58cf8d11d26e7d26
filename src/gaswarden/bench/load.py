"""Load for the ingest benchmark: a private Mosquitto that never drops, and publisher processes.

The publishers are separate processes (paho at QoS 1 with many messages in flight each): one
Python process cannot publish fast enough to load the ingest path. They connect first, then
all start on one signal, so that the clock starts at the first publish.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho

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
PUBLISH_INFLIGHT = 2000  # per publisher connection


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


def _publish(
    url_port: int, plan: Plan, part: int, parts: int, ready: Any, go: Any, done: Any
) -> None:
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"gw-bench-pub-{part}")
    client.max_inflight_messages_set(PUBLISH_INFLIGHT)
    client.max_queued_messages_set(0)
    acked = [0]

    def on_publish(*_: Any) -> None:
        acked[0] += 1

    client.on_publish = on_publish
    client.connect("127.0.0.1", url_port)
    client.loop_start()
    mine = range(part, plan.messages, parts)
    ready.put(part)
    go.wait()
    started = time.monotonic()
    per_process = plan.rate / parts if plan.rate else None
    for n, index in enumerate(mine):
        if per_process is not None:
            due = started + n / per_process
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        topic, payload = body(plan, index)
        client.publish(topic, payload, qos=1)
    while acked[0] < len(mine):
        time.sleep(0.005)
    client.disconnect()
    client.loop_stop()
    done.put((part, len(mine), time.time()))


class Publishers:
    """`processes` publisher processes, connected and waiting for `go()`."""

    def __init__(self, url: str, plan: Plan, processes: int) -> None:
        port = int(url.rsplit(":", 1)[1])
        ctx = mp.get_context("spawn")  # the parent runs threads: no fork
        self.ready: Any = ctx.Queue()
        self.done: Any = ctx.Queue()
        self._go = ctx.Event()
        self.procs = [
            ctx.Process(
                target=_publish,
                args=(port, plan, p, processes, self.ready, self._go, self.done),
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
        """Wait until every message is acknowledged by the broker; returns how many."""
        sent = sum(self.done.get(timeout=timeout)[1] for _ in self.procs)
        for proc in self.procs:
            proc.join(10)
        return sent


def now_utc() -> datetime:
    return datetime.now(UTC)
