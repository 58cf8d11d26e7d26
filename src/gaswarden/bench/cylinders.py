"""gaswarden bench cylinders: a city's LPG cylinders on PostgreSQL.

On a scratch database (migrated like every bench): 1,000,000 cylinders and 200,000 real-name
customers set up in bulk (COPY, bench/cylinder_setup.py), then 20,000,000 scans of a generated
history (sim/cylinder_history.py) written to one JSON-lines file per loader and loaded by
`loaders` concurrent processes, as many scanning apps post to /api/v1/cylinder-events at once:
each parses its lines as the API parses a body and sends `batch` scans at a time through
`events.submit` — the API's service path — in one transaction each (bench/cylinder_load.py).
The load rate is all scans over the wall time from the loaders' common start to the last one's
end (generating and writing the scans is left out). Before it, the baseline of the same run:
the loaders COPY the first tenth of their scans, parsed by json.loads, into a copy of the scan
table with its indexes, with no checks (cylinder_load.load_bare_file). Then the readers: 100
random cylinders' timelines, 100 random batch recalls, 100 random pages of the
overdue-with-users list, each p50 and p99. `scale` shrinks every count in proportion."""

from __future__ import annotations

import gc
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from gaswarden.bench import cylinder_load
from gaswarden.bench.cylinder_setup import build
from gaswarden.bench.scratch import scratch_database
from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.enums import Role
from gaswarden.db.session import make_engine, make_session_factory
from gaswarden.domains.cylinder import fleet, recalls, tracing
from gaswarden.domains.cylinder.event_schemas import MAX_EVENTS_PER_REQUEST
from gaswarden.domains.cylinder.models import Cylinder, CylinderEvent, GasBatch
from gaswarden.settings import Settings
from gaswarden.sim.cylinder_history import CylinderHistory, Plan

EVENTS = 20_000_000  # at scale 1
BARE_SHARE = 0.1  # the baseline loads this share of the scans (the first of each file)
QUERIES = 100
TARGETS = {"load": 20_000.0, "timeline": 20.0, "recall": 500.0, "overdue": 200.0}
# the server settings a load figure depends on, printed beside it
PG_SETTINGS = (
    "shared_buffers",
    "max_wal_size",
    "synchronous_commit",
    "checkpoint_timeout",
    "autovacuum",
)
PG_DEFAULT_MEMORY = "128MB"  # PostgreSQL's own shared_buffers: a small machine's, not a city's


@dataclass
class Timing:
    name: str
    ms: list[float] = field(default_factory=list)

    def pct(self, q: float) -> float:
        if not self.ms:
            return float("nan")
        ordered = sorted(self.ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.ms) if self.ms else float("nan")

    @property
    def p99(self) -> float:
        return self.pct(0.99)


@dataclass
class Result:
    cylinders: int = 0
    customers: int = 0
    loaders: int = 1
    batch: int = 0
    generated: int = 0  # scans the history yielded (and the loaders' files hold)
    events: int = 0  # scans the loaders submitted
    duplicates: int = 0  # outcomes marked duplicate (none expected: every key is new)
    stored: int = 0  # cylinder_event rows in the scratch database after the load
    setup_s: float = 0.0
    vacuum_s: float = 0.0  # VACUUM ANALYZE before the readers
    generate_s: float = 0.0  # generating the history and writing the loaders' files
    load_s: float = 0.0  # wall time, the loaders' common start to the last one's end
    submit_s: float = 0.0  # in submit + commit, summed over the loaders
    loader_cpu_s: float = 0.0  # the loaders' CPU time (parse, submit, commit), summed
    backend_cpu_s: float = 0.0  # their PostgreSQL backends' CPU time (0: server elsewhere)
    scans_bytes: int = 0
    results: Counter[str] = field(default_factory=Counter)
    pg_settings: dict[str, str] = field(default_factory=dict)
    timings: dict[str, Timing] = field(default_factory=dict)
    overdue_total: int = 0
    last_day: date | None = None  # the device day of the last scan loaded
    bare_events: int = 0  # the baseline: scans parsed and COPYed with no checks
    bare_s: float = 0.0  # its wall time
    bare_cpu_s: float = 0.0  # its loaders' and backends' CPU time, summed

    @property
    def bare_per_s(self) -> float:
        return self.bare_events / self.bare_s if self.bare_s else 0.0

    def baseline_line(self) -> str:
        """The machine's pace that day, and the load against it."""
        n = max(1, self.bare_events)
        ratio = self.events_per_s / self.bare_per_s if self.bare_per_s else 0.0
        return (
            f"baseline: {self.bare_events:,} scans parsed by json.loads and COPYed into a copy "
            f"of the scan table with its indexes, no checks: {self.bare_per_s:,.0f} scans/s "
            f"({self.bare_cpu_s / n * 1e6:.1f} us of CPU a scan); the load at "
            f"{ratio:.2f} of it"
        )

    @property
    def events_per_s(self) -> float:
        return self.events / self.load_s if self.load_s else 0.0

    def cpu_line(self) -> str:
        """CPU per scan, which the machine's other load does not distort as it does the rate."""
        n = max(1, self.events)
        return (
            f"CPU per scan: loaders {self.loader_cpu_s / n * 1e6:.1f} us (parse, submit, "
            f"commit), their PostgreSQL backends {self.backend_cpu_s / n * 1e6:.1f} us"
        )

    def settings_line(self) -> str:
        server = " ".join(f"{k}={v}" for k, v in self.pg_settings.items())
        return f"PostgreSQL {server}; {self.loaders} loaders, {self.batch} scans a request"

    def line(self) -> str:
        return (
            f"events_per_s={self.events_per_s:.0f} "
            f"timeline_p99_ms={self.timings['timeline'].p99:.1f} "
            f"recall_p99_ms={self.timings['recall'].p99:.1f} "
            f"overdue_ms={self.timings['overdue'].p99:.1f}"
        )


def regulator(path: str) -> Principal:
    """The district's regulator: who runs a recall (area scope, as in production)."""
    return Principal(
        user_id=None, username="bench_regulator", display_name="压测监管",
        role=Role.REGULATOR_ADMIN, org_id=None, scope_kind=ScopeKind.AREA, area_paths=(path,),
    )  # fmt: skip


def settings_warning(pg_settings: dict[str, str]) -> str | None:
    """Said before a run on a server unlike a city's (docs/deploy.md), whose figures would be
    that server's (a run takes half an hour): PostgreSQL's default memory, or autovacuum off
    (a test server's choice: each scan rewrites its cylinder's row, and with nothing to clear
    the dead ones, 20 of them a cylinder by the end, the server's work a scan grows)."""
    notes = []
    if pg_settings.get("shared_buffers") == PG_DEFAULT_MEMORY:
        notes.append(f"its default shared_buffers={PG_DEFAULT_MEMORY}")
    if pg_settings.get("autovacuum") == "off":
        notes.append("autovacuum off")
    if not notes:
        return None
    return (
        f"note: PostgreSQL runs with {' and '.join(notes)}; a city's server has the settings "
        "of docs/deploy.md, and this run measures another one"
    )


def server_settings(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {name: str(conn.execute(text(f"SHOW {name}")).scalar()) for name in PG_SETTINGS}


def load(
    settings: Settings, history: CylinderHistory, directory: Path, org_id: int, result: Result,
    progress: Callable[[str], None],
) -> None:  # fmt: skip
    """Generate the scans into the loaders' files (not timed in the rate), then load them."""
    t0 = time.perf_counter()
    files = cylinder_load.split(history, directory, result.loaders, progress)
    result.generate_s = time.perf_counter() - t0
    result.generated, result.scans_bytes = files.scans, files.bytes
    progress(
        f"{files.scans:,} scans ({files.bytes / 1e6:,.0f} MB of JSON) in {result.generate_s:.0f} s;"
        f" {result.loaders} loaders, {result.batch} scans a transaction …"
    )
    bare_limit = max(1, round(files.scans * BARE_SHARE / result.loaders))
    progress(f"baseline: up to {bare_limit:,} scans a loader, parsed and COPYed, no checks …")
    cylinder_load.bare_table(settings, create=True)
    bare = cylinder_load.load(settings, files.paths, result.batch, org_id, progress, bare_limit)
    cylinder_load.bare_table(settings, create=False)
    result.bare_events, result.bare_s = bare.events, bare.wall_s
    result.bare_cpu_s = sum(r.cpu_s + r.backend_cpu_s for r in bare.reports)
    done = cylinder_load.load(settings, files.paths, result.batch, org_id, progress)
    result.load_s = done.wall_s
    for r in done.reports:
        result.events += r.events
        result.duplicates += r.duplicates
        result.submit_s += r.submit_s
        result.loader_cpu_s += r.cpu_s
        result.backend_cpu_s += r.backend_cpu_s
        result.results.update(r.results)
    lasts = [r.last_now for r in done.reports if r.last_now is not None]
    result.last_day = max(lasts).date() if lasts else None


def steady(engine: Engine) -> float:
    """VACUUM ANALYZE the tables the readers use, as autovacuum does in a database at rest:
    right after a bulk load the planner has no statistics and the visibility map is empty,
    which is no city's normal day. Returns the seconds it took."""
    t0 = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("cylinder_event", "cylinder", "customer", "gas_batch"):
            conn.execute(text(f"VACUUM (ANALYZE) {table}"))
    return time.perf_counter() - t0


# ---- the readers -----------------------------------------------------------------------------
def _timeline(session: Session, principal: Principal, cylinder_id: int) -> int:
    return len(tracing.timeline(session=session, principal=principal, cylinder_id=cylinder_id))


def _recall(session: Session, principal: Principal, batch_id: int) -> int:
    recall = recalls.recall(session=session, principal=principal, batch_id=batch_id)
    return len(recall.deliveries)


def _overdue(session: Session, principal: Principal, today: date, page: int) -> int:
    got = fleet.overdue_with_users(
        session=session, principal=principal, today=today, page=page, size=50
    )
    return int(got.total)


def _time(factory: sessionmaker[Session], timing: Timing, fn: Callable[[Session], Any]) -> Any:
    with factory() as session:
        t0 = time.perf_counter()
        value = fn(session)
        timing.ms.append((time.perf_counter() - t0) * 1000)
        session.rollback()
    return value


def readers(
    factory: sessionmaker[Session], principal: Principal, today: date, last_day: date,
    rng: random.Random, result: Result,
) -> None:  # fmt: skip
    with factory() as session:
        lo, hi = session.execute(select(func.min(Cylinder.id), func.max(Cylinder.id))).one()
        batch_ids = list(
            session.scalars(select(GasBatch.id).where(GasBatch.arrived_on <= last_day))
        )
    timeline, recall, overdue = Timing("timeline"), Timing("recall"), Timing("overdue")
    result.timings = {"timeline": timeline, "recall": recall, "overdue": overdue}
    # One untimed call of each first: a running server has compiled its statements already
    # (SQLAlchemy's cache), which the first call of a process pays for.
    warm = Timing("warm")
    _time(factory, warm, partial(_timeline, principal=principal, cylinder_id=lo))
    _time(factory, warm, partial(_recall, principal=principal, batch_id=batch_ids[0]))
    for cid in [rng.randint(lo, hi) for _ in range(QUERIES)]:
        _time(factory, timeline, partial(_timeline, principal=principal, cylinder_id=cid))
    for bid in [rng.choice(batch_ids) for _ in range(QUERIES)]:
        _time(factory, recall, partial(_recall, principal=principal, batch_id=bid))
    first = partial(_overdue, principal=principal, today=today, page=1)
    result.overdue_total = _time(factory, warm, first)
    pages = max(1, -(-result.overdue_total // 50))
    for page in [rng.randint(1, pages) for _ in range(QUERIES)]:
        _time(factory, overdue, partial(_overdue, principal=principal, today=today, page=page))


def run(
    database_url: str,
    *,
    scale: float = 1.0,
    batch: int = MAX_EVENTS_PER_REQUEST,
    loaders: int = 2,
    keep: bool = False,
    seed: int = 5,
    progress: Callable[[str], None] = lambda s: None,
) -> Result:
    if loaders < 1 or not 1 <= batch <= MAX_EVENTS_PER_REQUEST:
        raise ValueError(f"loaders >= 1 and 1 <= batch <= {MAX_EVENTS_PER_REQUEST}")
    result = Result(loaders=loaders, batch=batch)
    end = date.today()
    start = end - timedelta(days=365)
    with (
        tempfile.TemporaryDirectory(prefix="gw-cyl-") as tmp,
        scratch_database(database_url, Path(tmp), keep=keep) as settings,
    ):
        if keep:
            progress(f"scratch database kept: {settings.resolved_database_url}")
        engine: Engine = make_engine(settings)
        try:
            result.pg_settings = server_settings(engine)
            progress(result.settings_line())  # first: a run on the wrong server is stopped early
            warning = settings_warning(result.pg_settings)
            if warning:
                progress(warning)
            t0 = time.perf_counter()
            built = build(engine, scale=scale, start=start, end=end, seed=seed, progress=progress)
            result.setup_s = time.perf_counter() - t0
            result.cylinders = len(built.enterprise.cylinders)
            result.customers = len(built.enterprise.customers)
            limit = max(100, round(EVENTS * scale))
            history = CylinderHistory(
                built.enterprise,
                Plan(start=start, end=end, seed=seed, limit=limit, late_share=0.01, anomalies=3),
            )
            progress(f"generating {limit:,} scans into {loaders} files …")
            load(settings, history, Path(tmp), built.org_id, result, progress)
            district = built.district_path
            # The readers run as in a server: without the generator's millions of objects on
            # the heap (each full collection walked them, in the middle of a timed recall),
            # and what is left frozen out of the collector, as the ingest worker does.
            del history, built
            gc.collect()
            gc.freeze()
            factory = make_session_factory(engine)
            with factory() as session:
                result.stored = session.scalar(select(func.count()).select_from(CylinderEvent)) or 0
            last_day = result.last_day or end
            progress("vacuum and analyze (the steady state autovacuum keeps) …")
            result.vacuum_s = steady(engine)
            progress("readers: timelines, recalls, overdue pages …")
            readers(factory, regulator(district), last_day, last_day,
                    random.Random(seed), result)  # fmt: skip
        finally:
            engine.dispose()
    return result
