"""The load phase of `gaswarden bench cylinders`: several scanning apps sending at once.

The main process writes the generated scans to one JSON-lines file per loader, split by a
stable hash of the tag code (each cylinder's scans stay in one loader, in arrival order). The
loaders are separate processes ("spawn"), each with its own engine on the scratch database;
started together, each reads its file `batch` lines at a time, as bytes (what a server reads
off its socket), parses every line as the API parses a request body
(`CylinderEventIn.model_validate_json`) and hands the chunk to
`events.submit` in one transaction, as POST /api/v1/cylinder-events does. The rate is all
scans over the wall time from the common start to the last loader's end.

The baseline, measured in the same run on the same machine: the same loaders take the first
lines of their files, parse them with `json.loads` and COPY them into a copy of the scan table
with its indexes (`cylinder_event_bare`): no validation, no references, no chain, no cylinder
state. The load's rate over the baseline's says how much of the machine the scan service's work
takes, whatever the machine's speed that day."""

from __future__ import annotations

import gc
import json
import multiprocessing as mp
import time
import traceback
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from queue import Empty
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, configure_mappers

from gaswarden.core.auth import SYSTEM
from gaswarden.db.models import load_all
from gaswarden.db.session import make_engine, make_session_factory, unit_of_work
from gaswarden.domains.cylinder import events
from gaswarden.domains.cylinder.event_schemas import CylinderEventIn
from gaswarden.settings import Settings

PROGRESS_EVERY_S = 10.0


def part_of(tag_code: str, parts: int) -> int:
    """The loader of a cylinder's scans: stable across runs and processes."""
    return zlib.crc32(tag_code.encode()) % parts


@dataclass
class Split:
    paths: list[Path]
    scans: int
    bytes: int


def split(
    scans: Iterable[CylinderEventIn], directory: Path, parts: int,
    progress: Callable[[str], None] = lambda s: None,
) -> Split:  # fmt: skip
    """Write `scans` (in arrival order) to `parts` JSON-lines files, by tag code."""
    paths = [directory / f"scans-{k}.jsonl" for k in range(parts)]
    count, last = 0, time.perf_counter()
    with ExitStack() as stack:
        files = [stack.enter_context(p.open("w", encoding="utf-8")) for p in paths]
        for scan in scans:
            files[part_of(scan.tag_code, parts)].write(scan.model_dump_json() + "\n")
            count += 1
            if count % 10_000 == 0 and time.perf_counter() - last > PROGRESS_EVERY_S:
                last = time.perf_counter()
                progress(f"  {count:,} scans generated, device time {scan.occurred_at:%Y-%m-%d}")
    return Split(paths, count, sum(p.stat().st_size for p in paths))


@dataclass
class LoaderReport:
    part: int
    events: int = 0
    duplicates: int = 0  # outcomes answered from an earlier scan of the same key
    results: Counter[str] = field(default_factory=Counter)
    last_now: datetime | None = None  # the `now` of the last chunk: latest device time + 5 min
    started: float = 0.0  # time.time() when it began reading
    ended: float = 0.0  # time.time() after its last commit
    submit_s: float = 0.0  # inside submit and the commit (parsing left out)
    cpu_s: float = 0.0  # the loader's CPU time: parsing, submit, commit
    backend_cpu_s: float = 0.0  # its PostgreSQL backend's (None of it if not on this machine)

    @property
    def seconds(self) -> float:
        return self.ended - self.started


def load_file(
    settings: Settings, path: Path, batch: int, org_id: int, counter: Any, report: LoaderReport
) -> None:
    """Read `path` `batch` lines at a time; each chunk parsed, submitted and committed."""
    engine = make_engine(settings)
    try:
        factory = make_session_factory(engine)
        # bytes: text would decode each line and pydantic encode it back to UTF-8 for its
        # parser (a line naming a vehicle's plate, 鲁..., is not ASCII: ~4,000 instructions)
        with path.open("rb") as f:
            while lines := list(islice(f, batch)):
                cpu0 = time.process_time()
                chunk = [CylinderEventIn.model_validate_json(line) for line in lines]
                now = max(e.occurred_at for e in chunk) + timedelta(minutes=5)
                t0 = time.perf_counter()
                with unit_of_work(factory) as session:
                    pid = _backend_pid(session)
                    backend0 = backend_cpu_s(pid)
                    outcomes = events.submit(
                        session=session, principal=SYSTEM, events=chunk, org_id=org_id, now=now
                    )
                report.submit_s += time.perf_counter() - t0
                report.cpu_s += time.process_time() - cpu0
                report.backend_cpu_s += backend_cpu_s(pid) - backend0
                report.events += len(chunk)
                report.duplicates += sum(o.duplicate for o in outcomes)
                report.results.update(o.result.value for o in outcomes)
                report.last_now = now
                with counter.get_lock():
                    counter.value += len(chunk)
    finally:
        engine.dispose()


BARE_TABLE = "cylinder_event_bare"
_BARE_COPY = (
    f"COPY {BARE_TABLE} (id, key, org_id, kind, result, tag_code, occurred_at, received_at,"
    " username, gross_kg) FROM STDIN"
)


def bare_table(settings: Settings, *, create: bool) -> None:
    """(Re)create the baseline's table, or drop it (out of the cache's and the disk's way)."""
    engine = make_engine(settings)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {BARE_TABLE}"))
            if create:
                conn.execute(
                    text(f"CREATE TABLE {BARE_TABLE} (LIKE cylinder_event INCLUDING DEFAULTS"
                         " INCLUDING INDEXES)")
                )  # fmt: skip
    finally:
        engine.dispose()


def load_bare_file(
    settings: Settings, path: Path, batch: int, org_id: int, counter: Any, report: LoaderReport,
    limit: int,
) -> None:  # fmt: skip
    """The baseline: the first `limit` lines of `path`, `batch` at a time, parsed by
    json.loads and COPYed as they are (ids made up here), one transaction a chunk."""
    engine = make_engine(settings)
    first_id = (report.part + 1) * 10**12  # the loaders' ids never meet
    try:
        with path.open("rb") as f:  # bytes, as the load reads them
            while report.events < limit and (
                lines := list(islice(f, min(batch, limit - report.events)))
            ):
                cpu0 = time.process_time()
                now = datetime.now(UTC)
                with engine.begin() as conn:
                    dbapi = conn.connection.driver_connection
                    assert dbapi is not None
                    pid = int(dbapi.info.backend_pid)
                    backend0 = backend_cpu_s(pid)
                    with dbapi.cursor() as cur, cur.copy(_BARE_COPY) as cp:
                        for n, line in enumerate(lines, start=first_id + report.events):
                            d = json.loads(line)
                            cp.write_row((n, d["key"], org_id, d["kind"], "accepted",
                                          d["tag_code"], d["occurred_at"], now, "bare",
                                          d.get("gross_kg")))  # fmt: skip
                report.cpu_s += time.process_time() - cpu0
                report.backend_cpu_s += backend_cpu_s(pid) - backend0
                report.events += len(lines)
                with counter.get_lock():
                    counter.value += len(lines)
    finally:
        engine.dispose()


def _backend_pid(session: Session) -> int:
    dbapi = session.connection().connection.driver_connection
    return int(dbapi.info.backend_pid) if dbapi is not None else 0


def backend_cpu_s(pid: int) -> float:
    """The CPU time a process on this machine has run (the scheduler's, in ns); 0 if it is
    not here (a server on another machine)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


def _loader(
    settings: Settings, path: Path, batch: int, org_id: int, part: int,
    counter: Any, go: Any, messages: Any, release: Any, bare_limit: int | None,
) -> None:  # fmt: skip
    """One loader process: connect, say ready, wait for the common start, load its file.
    It exits only when released after the last loader's end: a spawned process's exit tears
    down every module it imported, CPU that must not land beside a loader still timed."""
    try:
        load_all()  # every mapper known (the audit row's foreign keys), as in the server
        configure_mappers()  # as a running server has, before its first request
        engine = make_engine(settings)  # the first connection (and the imports) not counted
        with engine.connect():
            pass
        engine.dispose()
        # What a server does once started: the modules' objects out of the cyclic GC's way
        # (each full collection walked them all: ~3 us a scan while parsing, measured).
        gc.collect()
        gc.freeze()
        messages.put(("ready", part, None))
        go.wait()
        report = LoaderReport(part, started=time.time())
        if bare_limit is None:
            load_file(settings, path, batch, org_id, counter, report)
        else:
            load_bare_file(settings, path, batch, org_id, counter, report, bare_limit)
        report.ended = time.time()
        messages.put(("done", part, report))
        release.wait(3600)
    except BaseException:
        messages.put(("error", part, traceback.format_exc()))
        raise


@dataclass
class Load:
    reports: list[LoaderReport]
    started: float  # time.time() of the common start
    ended: float  # time.time() when the last loader committed its last chunk

    @property
    def wall_s(self) -> float:
        return self.ended - self.started

    @property
    def events(self) -> int:
        return sum(r.events for r in self.reports)


def load(
    settings: Settings, paths: list[Path], batch: int, org_id: int,
    progress: Callable[[str], None] = lambda s: None, bare_limit: int | None = None,
) -> Load:  # fmt: skip
    """One loader process per file, started together; waits for all and returns their
    reports. A loader that fails stops the others and raises. With `bare_limit`, each loads
    that many lines of its file as the baseline (load_bare_file) instead."""
    ctx = mp.get_context("spawn")
    counter: Any = ctx.Value("q", 0)
    go = ctx.Event()
    release = ctx.Event()
    messages: Any = ctx.Queue()
    procs = [
        ctx.Process(
            target=_loader,
            args=(settings, path, batch, org_id, part, counter, go, messages, release, bare_limit),
            name=f"gw-cyl-loader-{part}",
            daemon=True,
        )
        for part, path in enumerate(paths)
    ]
    try:
        for proc in procs:
            proc.start()
        ready: set[int] = set()
        reports: list[LoaderReport] = []
        started = last = 0.0
        while len(reports) < len(procs):
            wait = max(0.1, last + PROGRESS_EVERY_S - time.time()) if started else 5.0
            try:
                kind, part, body = messages.get(timeout=wait)
            except Empty:
                _check_alive(procs)
                if started:
                    last = time.time()
                    done = counter.value
                    progress(f"  {done:,} scans loaded, {done / (last - started):,.0f}/s")
                continue
            if kind == "error":
                raise RuntimeError(f"cylinder loader {part} failed:\n{body}")
            if kind == "ready":
                ready.add(part)
                if len(ready) == len(procs):
                    started = last = time.time()
                    go.set()
            else:
                reports.append(body)
        release.set()
        for proc in procs:
            proc.join(30)
        return Load(sorted(reports, key=lambda r: r.part), started, max(r.ended for r in reports))
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
                proc.join(10)


def _check_alive(procs: list[Any]) -> None:
    for proc in procs:
        if proc.exitcode not in (None, 0):
            raise RuntimeError(f"{proc.name} exited with code {proc.exitcode}")
