"""gaswarden bench drain: how fast one ingest worker empties a backlog, and whose CPU it costs.

N telemetry messages of 3 readings at QoS 1 are queued in a private Mosquitto (the no-drop
settings of deploy/mosquitto/mosquitto.conf) for the worker's persistent session while the
worker is away; then the worker (`MqttIngest` + `Worker` + the rules engine, as
`gaswarden ingest` runs them) is started in this process. Measured from the first stored batch
to the last message stored (the start, warming the caches, is left out):

- messages/s;
- the worker's CPU per message (this process: the MQTT network thread and the worker thread);
- the PostgreSQL CPU per message: the server processes serving the scratch database (read from
  /proc, so only for a server on this machine);
- how busy the whole machine was meanwhile (cores), since other work on it changes everything.

Each run queues a fresh stretch of device time under a new client id, so no run meets another's
duplicates; the database is checkpointed and left to its autovacuum before each drain.
"""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from gaswarden.bench.ingest import settle, stored_messages
from gaswarden.bench.load import Plan, Publishers, now_utc, private_mosquitto
from gaswarden.bench.scratch import load_registry, scratch_database
from gaswarden.db.session import make_engine
from gaswarden.ingestion import consumers
from gaswarden.ingestion.mqtt import MqttIngest
from gaswarden.ingestion.spool import Spool
from gaswarden.ingestion.worker import Worker
from gaswarden.settings import Settings

POLL_S = 0.005  # how often the drain's end is looked for
TIMEOUT_S = 900.0
_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    messages: int  # queued (and acknowledged by the broker)
    measured: int  # messages stored between the first stored batch and the end
    seconds: float  # of the measured stretch
    worker_cpu_s: float
    postgres_cpu_s: float | None  # None: the server's processes are not visible here
    machine_cores: float  # the whole machine's busy cores meanwhile
    stored: int  # messages whose readings are in the database afterwards

    @property
    def per_s(self) -> float:
        return self.measured / self.seconds if self.seconds else 0.0

    @property
    def worker_us(self) -> float:
        return self.worker_cpu_s / self.measured * 1e6 if self.measured else float("nan")

    @property
    def postgres_us(self) -> float | None:
        if self.postgres_cpu_s is None or not self.measured:
            return None
        return self.postgres_cpu_s / self.measured * 1e6

    @property
    def lost(self) -> int:
        return self.messages - self.stored


@dataclass
class Result:
    runs: list[Run] = field(default_factory=list)
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @staticmethod
    def _median(values: list[float]) -> float:
        return statistics.median(values) if values else float("nan")

    def line(self) -> str:
        pg = [u for r in self.runs if (u := r.postgres_us) is not None]
        return (
            f"messages_per_s={self._median([r.per_s for r in self.runs]):.0f} "
            f"worker_us_per_msg={self._median([r.worker_us for r in self.runs]):.1f} "
            f"postgres_us_per_msg={self._median(pg):.1f} "
            f"lost={sum(r.lost for r in self.runs)}"
        )


# ---- CPU accounting -------------------------------------------------------------------------
def process_cpu() -> float:
    """CPU seconds of this process so far (every thread)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _pid_cpu(pid: int) -> float | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime


def machine_busy() -> float:
    """Busy CPU seconds of the whole machine so far (all but idle and iowait)."""
    with open("/proc/stat") as f:
        cpu = f.readline().split()[1:]
    ticks = [int(v) for v in cpu[:8]]
    return (sum(ticks) - ticks[3] - ticks[4]) / _TICK


class Backends:
    """The PostgreSQL processes serving one database, found through pg_stat_activity; their
    CPU from /proc (a server on another machine or in a container: not visible)."""

    def __init__(self, settings: Settings) -> None:
        # a connection of its own: one borrowed from the worker's pool would hide its backend
        self.engine = create_engine(settings.resolved_database_url, poolclass=NullPool)
        self.start: dict[int, float] = {}

    def _pids(self) -> list[int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
            ).scalars()
            return [int(p) for p in rows]

    def mark(self) -> bool:
        """Remember the CPU the database's processes used so far; False if none is visible."""
        self.start = {p: c for p in self._pids() if (c := _pid_cpu(p)) is not None}
        return bool(self.start)

    def used(self) -> float | None:
        """CPU seconds since `mark` (a process started since then: all of its CPU)."""
        if not self.start:
            return None
        total = 0.0
        for pid in set(self._pids()) | set(self.start):
            now = _pid_cpu(pid)
            if now is not None:
                total += now - self.start.get(pid, 0.0)
        return total

    def close(self) -> None:
        self.engine.dispose()


# ---- one drain ------------------------------------------------------------------------------
def _ingest(url: str, settings: Settings, client_id: str) -> MqttIngest:
    spool = Spool(settings.data_dir / f"spool-{client_id}", settings.spool_max_mb << 20)
    # an engine of its own, as `gaswarden ingest` makes it
    worker = Worker(settings, consumers=consumers.build(settings), spool=spool)
    return MqttIngest(url, worker, client_id=client_id)


def drain(
    url: str, settings: Settings, engine: Engine, plan: Plan, client_id: str, processes: int
) -> Run:
    # the persistent session and its subscription, then the worker goes away
    ingest = _ingest(url, settings, client_id)
    ingest.start()
    try:
        if not ingest.subscribed.wait(10):
            raise RuntimeError("the ingest worker did not subscribe")
    finally:
        ingest.stop()
    pubs = Publishers(url, plan, processes)
    pubs.go()
    queued = pubs.join()
    if queued != plan.messages:
        raise RuntimeError(f"the broker acknowledged {queued} of {plan.messages} messages")
    settle(engine)

    ingest = _ingest(url, settings, client_id)
    worker = ingest.worker
    backends = Backends(settings)
    start = (0, process_cpu(), time.monotonic(), machine_busy())
    seen_pg = False
    ingest.start()
    try:
        deadline = time.monotonic() + TIMEOUT_S
        first: tuple[int, float, float, float] | None = None
        while worker.stored < plan.messages:
            if first is None and worker.stored > 0:
                first = (worker.stored, process_cpu(), time.monotonic(), machine_busy())
                seen_pg = backends.mark()
            if time.monotonic() > deadline:
                raise RuntimeError(f"drained {worker.stored} of {plan.messages} messages")
            time.sleep(POLL_S)
        end = (worker.stored, process_cpu(), time.monotonic(), machine_busy())
        pg = backends.used() if seen_pg else None
    finally:
        ingest.stop()
        backends.close()
    # a backlog drained in one batch leaves no stretch after the first: measure from the start
    if first is None or first[0] >= end[0]:
        first = start
    seconds = end[2] - first[2]
    return Run(
        messages=plan.messages,
        measured=end[0] - first[0],
        seconds=seconds,
        worker_cpu_s=end[1] - first[1],
        postgres_cpu_s=pg if first is not start else None,
        machine_cores=(end[3] - first[3]) / seconds if seconds else 0.0,
        stored=stored_messages(engine, plan),
    )


def run(
    database_url: str,
    *,
    messages: int = 100_000,
    devices: int = 1000,
    runs: int = 3,
    processes: int = 4,
    progress: Callable[[str], None] = lambda s: None,
) -> Result:
    result = Result(load_before=os.getloadavg())
    with (
        tempfile.TemporaryDirectory(prefix="gw-drain-") as tmp,
        scratch_database(database_url, Path(tmp)) as settings,
        private_mosquitto() as url,
    ):
        progress(f"registry: {devices} pressure monitors through the services …")
        serials = load_registry(settings, devices)
        engine = make_engine(settings, pool_size=10)
        try:
            base = now_utc().replace(microsecond=0) - timedelta(hours=20)
            span = timedelta(seconds=-(-messages // devices) + 10)
            for k in range(runs):
                plan = Plan(serials, messages, base + span * k)
                progress(f"run {k + 1}/{runs}: {messages} messages queued, then drained …")
                r = drain(url, settings, engine, plan, f"gw-drain-{k}", processes)
                result.runs.append(r)
                pg = f"{r.postgres_us:.1f}" if r.postgres_us is not None else "n/a"
                progress(
                    f"  {r.per_s:,.0f} msg/s, worker {r.worker_us:.1f} µs/msg, "
                    f"PostgreSQL {pg} µs/msg, machine {r.machine_cores:.2f} cores busy, "
                    f"stored {r.stored}/{r.messages}"
                )
        finally:
            engine.dispose()
    return result
