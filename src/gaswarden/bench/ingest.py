"""gaswarden bench ingest: MQTT ingest throughput against a bare baseline, and alarm latency.

(a) baseline: a plain paho subscriber (QoS 1) that parses the JSON and COPYs the readings into
    a plain table: no validation, no dedup, no rules;
(b) GasWarden's ingest worker (MqttIngest + Worker + the rules engine), first publish to the
    last reading committed; (b2) two `gaswarden ingest --shared` processes;
(c) at a steady rate, readings that raise alarms: publish time to the alarm being stored
    (polled every 10 ms by a query on the alarm table, what GET /api/v1/alarms reads), with
    one `gaswarden ingest` process as the worker; the load runs WARMUP_S before the first
    alarm.
All against a private Mosquitto with the no-drop settings and a scratch PostgreSQL database.
"""

from __future__ import annotations

import io
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import paho.mqtt.client as paho
import psycopg
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from gaswarden.bench.load import Plan, Publishers, now_utc, private_mosquitto
from gaswarden.bench.scratch import load_registry, scratch_database
from gaswarden.db.session import make_engine
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.device.models import Device
from gaswarden.domains.telemetry.models import DeviceHealth, Reading
from gaswarden.ingestion import consumers
from gaswarden.ingestion.contract import MessageKind, topic_for
from gaswarden.ingestion.mqtt import MqttIngest
from gaswarden.ingestion.spool import Spool
from gaswarden.ingestion.worker import Worker
from gaswarden.settings import Settings

READINGS_PER_MESSAGE = 3
WARMUP_S = 2.0  # (c): the load runs this long before the first alarm


@dataclass
class Phase:
    name: str
    messages: int
    seconds: float
    stored: int  # messages whose readings were all committed

    @property
    def per_s(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    @property
    def lost(self) -> int:
        return self.messages - self.stored


@dataclass
class Result:
    phases: list[Phase] = field(default_factory=list)
    rate: float = 0.0  # (c) steady publish rate, messages/s
    latencies_ms: list[float] = field(default_factory=list)
    alarms_expected: int = 0

    def phase(self, name: str) -> Phase:
        return next(p for p in self.phases if p.name == name)

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def lost(self) -> int:
        missing_alarms = self.alarms_expected - len(self.latencies_ms)
        return sum(p.lost for p in self.phases) + missing_alarms

    def line(self) -> str:
        a, b, b2 = self.phase("baseline"), self.phase("gaswarden"), self.phase("two_workers")
        return (
            f"messages_per_s={b.per_s:.0f} readings_per_s={b.per_s * READINGS_PER_MESSAGE:.0f} "
            f"ratio={b.per_s / a.per_s:.2f} two_workers_per_s={b2.per_s:.0f} "
            f"p99_ms={self.pct(0.99):.0f} lost={self.lost}"
        )


def _wait(done: Callable[[], bool], timeout: float, every: float = 0.005) -> bool:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(every)
    return True


# ---- (a) the bare baseline -------------------------------------------------------------------
class PlainSubscriber:
    """paho at QoS 1 → json.loads → COPY into a plain table, one commit per batch."""

    def __init__(self, mqtt_url: str, database_url: str) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self.conn = psycopg.connect(url.render_as_string(hide_password=False))
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_plain "
            "(serial text, ts timestamptz, metric text, value double precision)"
        )
        self.conn.commit()
        self.rows: list[tuple[str, str, str, float]] = []
        self.lock = threading.Lock()
        self.committed = 0  # messages
        self._pending = 0
        self._stop = threading.Event()
        port = int(mqtt_url.rsplit(":", 1)[1])
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="gw-bench-plain")
        self.client.max_inflight_messages_set(1000)
        self.subscribed = threading.Event()
        self.client.on_subscribe = lambda *a: self.subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.subscribe("gw/v1/devices/+/telemetry", qos=1)
        self.client.loop_start()
        self.thread = threading.Thread(target=self._flush_loop, daemon=True)
        self.thread.start()

    def _on_message(self, client: paho.Client, userdata: object, msg: paho.MQTTMessage) -> None:
        serial = msg.topic.split("/")[3]
        doc = json.loads(msg.payload)
        rows = [(serial, doc["ts"], k, float(v)) for k, v in doc["values"].items()]
        with self.lock:
            self.rows.extend(rows)
            self._pending += 1

    def _flush_loop(self) -> None:
        while not self._stop.wait(0.02):
            with self.lock:
                rows, self.rows = self.rows, []
                n, self._pending = self._pending, 0
            if not rows:
                continue
            buf = io.StringIO()
            for r in rows:
                buf.write(f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\n")
            with self.conn.cursor() as cur, cur.copy("COPY bench_plain FROM STDIN") as copy:
                copy.write(buf.getvalue())
            self.conn.commit()
            self.committed += n

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        self._stop.set()
        self.thread.join(5)
        self.conn.close()


# ---- the phases -----------------------------------------------------------------------------
def _publish(url: str, plan: Plan, processes: int) -> tuple[Publishers, float]:
    pubs = Publishers(url, plan, processes)
    return pubs, pubs.go()


def run_baseline(url: str, settings: Settings, plan: Plan, processes: int) -> Phase:
    sub = PlainSubscriber(url, settings.resolved_database_url)
    try:
        sub.subscribed.wait(10)
        pubs, t0 = _publish(url, plan, processes)
        _wait(lambda: sub.committed >= plan.messages, 600)
        seconds = time.time() - t0
        pubs.join()
        return Phase("baseline", plan.messages, seconds, sub.committed)
    finally:
        sub.close()


def stored_messages(engine: Engine, plan: Plan) -> int:
    rounds = -(-plan.messages // len(plan.serials))
    end = plan.start + timedelta(seconds=rounds)
    with engine.connect() as conn:
        n = conn.scalar(select(func.count()).where(Reading.ts >= plan.start, Reading.ts < end))
    return int(n or 0) // READINGS_PER_MESSAGE


def health_messages(engine: Engine) -> int:
    """Messages stored so far, by the devices' health counters (cheap to poll)."""
    with engine.connect() as conn:
        return int(conn.scalar(select(func.coalesce(func.sum(DeviceHealth.messages), 0))) or 0)


def _workers(url: str, settings: Settings, n: int, name: str) -> list[MqttIngest]:
    out = []
    for i in range(n):
        # a spool of its own, as a worker on its own host has (they must not replay one file)
        spool = Spool(settings.data_dir / f"spool-{name}-{i}", settings.spool_max_mb << 20)
        # an engine of its own, as `gaswarden ingest` makes it
        worker = Worker(settings, consumers=consumers.build(settings), spool=spool)
        # a client id per phase: each worker's persistent session must not outlive its phase
        ingest = MqttIngest(url, worker, client_id=f"gw-bench-{name}-{i}", shared=n > 1)
        ingest.start()
        if not ingest.subscribed.wait(10):
            raise RuntimeError("the ingest worker did not subscribe")
        out.append(ingest)
    return out


def run_gaswarden(
    name: str, url: str, settings: Settings, engine: Engine, plan: Plan, processes: int, n: int
) -> Phase:
    """(b): one worker in this process. (b2): `n` `gaswarden ingest --shared` processes."""
    if n > 1:
        return run_processes(name, url, settings, engine, plan, processes, n)
    ingests = _workers(url, settings, n, name)
    try:
        pubs, t0 = _publish(url, plan, processes)
        _wait(lambda: sum(i.worker.stored for i in ingests) >= plan.messages, 900)
        _wait(lambda: not any(len(i.worker.spool) for i in ingests), 60)
        seconds = time.time() - t0
        pubs.join()
    finally:
        for ingest in ingests:
            ingest.stop()
    return Phase(name, plan.messages, seconds, stored_messages(engine, plan))


@contextmanager
def worker_processes(
    name: str, url: str, settings: Settings, n: int, *, shared: bool
) -> Iterator[list[subprocess.Popen[str]]]:
    """`n` worker processes exactly as deployed (`gaswarden ingest`), each with a client id
    and spool of its own, subscribed; stopped (SIGTERM) when the block ends."""
    env = {
        **os.environ,
        "GASWARDEN_MQTT_URL": url,
        "GASWARDEN_SECRET_KEY": settings.secret_key,
        "GASWARDEN_NOTIFY_SENDER_ENABLED": "false",
    }
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gaswarden",
                "ingest",
                *(["--shared"] if shared else []),
                "--client-id",
                f"gw-bench-{name}-{i}",
                "--data-dir",
                str(settings.data_dir),
                "--database-url",
                settings.resolved_database_url,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i in range(n)
    ]
    try:
        for proc in procs:
            _ready(proc)
        yield procs
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(30)


def run_processes(
    name: str, url: str, settings: Settings, engine: Engine, plan: Plan, processes: int, n: int
) -> Phase:
    """`n` `gaswarden ingest --shared` processes; done when every message's readings are in
    the database."""
    with worker_processes(name, url, settings, n, shared=True):
        counted = health_messages(engine)
        pubs, t0 = _publish(url, plan, processes)
        seconds = 0.0
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            # the devices' message counters (1,000 rows, written in the readings' statement)
            # say when to look; the readings themselves say when it is done. Counting the
            # readings every 0.1 s took a good part of a core from the workers under test.
            _wait(lambda: health_messages(engine) >= counted + plan.messages, 900, every=0.02)
            seconds = time.time() - t0
            if stored_messages(engine, plan) >= plan.messages:
                break
            time.sleep(0.1)
        pubs.join()
    return Phase(name, plan.messages, seconds, stored_messages(engine, plan))


def _ready(proc: subprocess.Popen[str]) -> None:
    """Wait for a worker process to say it has subscribed."""
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        if "subscribed" in line:
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep it drained
            return
        if time.monotonic() > deadline:
            break
    raise RuntimeError(f"ingest worker did not subscribe (exit code {proc.poll()})")


def settle(engine: Engine, timeout: float = 60.0) -> None:
    """Between phases: a checkpoint, and no autovacuum still busy with the last phase's
    writes, so that each phase starts from the same quiet database."""
    with engine.connect() as conn:
        conn.execute(text("CHECKPOINT"))
        conn.commit()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            busy = conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_type = 'autovacuum worker'"
                )
            )
        if not busy:
            return
        time.sleep(0.5)


def run_alarm_latency(
    url: str,
    settings: Settings,
    engine: Engine,
    plan: Plan,
    processes: int,
    alarm_serials: list[str],
    warmup_s: float = 0.0,
) -> tuple[list[float], int]:
    """Background load at plan.rate; after `warmup_s` of it, one CO reading far above the
    alarm set point every `(duration - warmup_s) / len(alarm_serials)` s, each on its own
    device; latency to the stored alarm. The worker is a `gaswarden ingest` process, as
    deployed: not sharing this process (its poller, its publisher) and its interpreter lock."""
    with worker_processes("alarms", url, settings, 1, shared=False):
        return _alarm_latency(url, engine, plan, processes, alarm_serials, warmup_s)


def _alarm_latency(
    url: str,
    engine: Engine,
    plan: Plan,
    processes: int,
    alarm_serials: list[str],
    warmup_s: float,
) -> tuple[list[float], int]:
    ids = _device_ids(engine, alarm_serials)
    counted = health_messages(engine)
    sent: dict[int, float] = {}
    seen: dict[int, float] = {}
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            with engine.connect() as conn:
                rows = conn.execute(
                    select(Alarm.device_id).where(Alarm.rule == "co_ppm", Alarm.device_id.in_(ids))
                ).scalars()
                now = time.time()
                for device_id in rows:
                    seen.setdefault(device_id, now)
            time.sleep(0.01)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    injector = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="gw-bench-alarm")
    injector.connect("127.0.0.1", int(url.rsplit(":", 1)[1]))
    injector.loop_start()
    try:
        pubs, t0 = _publish(url, plan, processes)
        duration = plan.messages / (plan.rate or 1) - warmup_s
        gap = duration / (len(alarm_serials) + 1)
        for k, serial in enumerate(alarm_serials):
            time.sleep(max(0.0, t0 + warmup_s + (k + 1) * gap - time.time()))
            ts = now_utc().isoformat(timespec="milliseconds").replace("+00:00", "Z")
            payload = json.dumps({"ts": ts, "values": {"co_ppm": 400.0}})
            sent[ids[k]] = time.time()
            injector.publish(topic_for(serial, MessageKind.TELEMETRY), payload, qos=1)
        # everything published is ingested (a backlog if the rate is above what the worker
        # sustains) before an alarm not seen counts as lost
        total = counted + plan.messages + len(sent)
        _wait(lambda: len(seen) >= len(ids), 60)
        _wait(lambda: health_messages(engine) >= total, 300, every=0.05)
        pubs.join()  # their exit, not beside the last alarms still being timed
    finally:
        stop.set()
        poller.join(5)
        injector.disconnect()
        injector.loop_stop()
    latencies = [(seen[d] - sent[d]) * 1000 for d in sent if d in seen]
    return latencies, len(sent)


def _device_ids(engine: Engine, serials: list[str]) -> list[int]:
    with engine.connect() as conn:
        rows = dict(
            conn.execute(select(Device.serial, Device.id).where(Device.serial.in_(serials))).all()
        )
    return [rows[s] for s in serials]


def run(
    database_url: str,
    *,
    messages: int = 100_000,
    devices: int = 1000,
    processes: int = 4,
    rate: float = 5000.0,
    duration: float = 10.0,
    alarms: int = 40,
    progress: Callable[[str], None] = lambda s: None,
) -> Result:
    result = Result(rate=rate)
    with (
        tempfile.TemporaryDirectory(prefix="gw-bench-") as tmp,
        scratch_database(database_url, Path(tmp)) as settings,
        private_mosquitto() as url,
    ):
        progress(f"registry: {devices} pressure monitors through the services …")
        serials = load_registry(settings, devices)
        engine = make_engine(settings, pool_size=10)
        try:
            base = now_utc().replace(microsecond=0) - timedelta(hours=20)
            span = timedelta(seconds=-(-messages // devices) + 10)
            plans = [Plan(serials, messages, base + span * k) for k in range(3)]
            settle(engine)
            progress(f"(a) baseline: {messages} messages …")
            result.phases.append(run_baseline(url, settings, plans[0], processes))
            settle(engine)
            progress("(b) GasWarden, one worker …")
            result.phases.append(
                run_gaswarden("gaswarden", url, settings, engine, plans[1], processes, 1)
            )
            settle(engine)
            progress("(b2) GasWarden, two worker processes on a shared subscription …")
            result.phases.append(
                run_gaswarden("two_workers", url, settings, engine, plans[2], processes, 2)
            )
            # the worker's first seconds (new connections, statements not yet prepared, the
            # caches of a new server backend) are not the steady state the alarms measure
            steady = Plan(
                serials[alarms:],
                int(rate * (WARMUP_S + duration)),
                base + span * 3 + span,
                rate=rate,
            )
            settle(engine)
            progress(f"(c) alarm latency at {rate:g} msg/s for {duration:g} s …")
            latencies, expected = run_alarm_latency(
                url, settings, engine, steady, processes, serials[:alarms], WARMUP_S
            )
            result.latencies_ms, result.alarms_expected = latencies, expected
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()
    return result


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
