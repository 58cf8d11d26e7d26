"""Housekeeping for a long-running `serve` or `demo`: the jobs that keep the hazard loop
moving without anyone pressing a button.

- inspection tasks generated on schedule (`inspection.tasks.generate`, for the local day),
- overdue hazards marked and escalated (`hazard.overdue.sweep`, 逾期督办),
- sites closed by an enforcement case watched for signs of life (`enforcement.watch.scan`),
- service requests past their time targets marked overdue (`service.overdue.sweep`),
- and, on a shorter round of their own, modelled pipe networks checked for hidden leaks
  (`network.watch.scan`, every `network_watch_interval_s`).

One daemon thread runs every job once at start and then every `maintenance_interval_s`; each
job is its own transaction, and a failing job (the database away for a while) is logged and
tried again next round without stopping the others. All are idempotent and lock what
they change on PostgreSQL, so several web processes may each run one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from gaswarden.db.base import utcnow
from gaswarden.db.session import make_engine, make_session_factory, unit_of_work
from gaswarden.settings import Settings

log = logging.getLogger(__name__)

Job = Callable[[Session, datetime, str], Any]


def generate_tasks(session: Session, now: datetime, tz: str) -> Any:
    from gaswarden.domains.inspection import tasks

    return tasks.generate(session, now.astimezone(ZoneInfo(tz)).date())


def sweep_hazards(session: Session, now: datetime, tz: str) -> Any:
    from gaswarden.domains.hazard import overdue

    return overdue.sweep(session, now, tz)


def watch_closed_sites(session: Session, now: datetime, tz: str) -> Any:
    from gaswarden.domains.enforcement import watch

    return watch.scan(session=session, now=now, tz=tz)


def sweep_service_requests(session: Session, now: datetime, tz: str) -> Any:
    from gaswarden.domains.service import overdue

    return overdue.sweep(session, now)


def watch_networks(session: Session, now: datetime, tz: str, *, rollup: bool = True) -> Any:
    from sqlalchemy import select

    from gaswarden.domains.network.models import NetworkSensor

    if session.scalar(select(NetworkSensor.id).limit(1)) is None:
        # no network: pandapipes stays unloaded
        return {"checked": 0, "leaks": 0, "hours": 0, "forecasts": 0}
    from gaswarden.domains.network import watch

    return watch.scan(session, now, tz, rollup=rollup)


JOBS: tuple[tuple[str, Job], ...] = (
    ("inspection tasks", generate_tasks),
    ("overdue hazards", sweep_hazards),
    ("closed sites", watch_closed_sites),
    ("overdue service requests", sweep_service_requests),
)
# On their own, shorter round (settings.network_watch_interval_s): a leak should not wait for
# the quarter-hour housekeeping.
NETWORK_JOBS: tuple[tuple[str, Job], ...] = (("network watch", watch_networks),)


def _network_jobs(settings: Settings) -> tuple[tuple[str, Job], ...]:
    if settings.network_rollup:
        return NETWORK_JOBS
    return (("network watch", partial(watch_networks, rollup=False)),)


@dataclass
class Round:
    at: datetime
    results: dict[str, Any] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def run_round(
    factory: sessionmaker[Session],
    tz: str,
    *,
    now: datetime | None = None,
    jobs: tuple[tuple[str, Job], ...] = JOBS,
) -> Round:
    """Every job once, each in its own transaction."""
    done = Round(at=now or utcnow())
    for name, job in jobs:
        try:
            with unit_of_work(factory) as session:
                done.results[name] = job(session, done.at, tz)
        except Exception as exc:  # the next round tries again; the other jobs still run
            log.exception("maintenance job %r failed", name)
            done.failed[name] = f"{type(exc).__name__}: {exc}"[:300]
    return done


class Maintenance:
    """The jobs in a daemon thread; `stop` ends it and releases its engine."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        tz: str,
        interval_s: float,
        jobs: tuple[tuple[str, Job], ...] = JOBS,
        name: str = "gaswarden-maintenance",
    ) -> None:
        self._factory, self._tz, self._interval_s = factory, tz, interval_s
        self._jobs = jobs
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._engine: Engine | None = None
        self.rounds: list[Round] = []

    @classmethod
    def from_settings(cls, settings: Settings, *, network: bool = False) -> Maintenance:
        """The housekeeping, or (network=True) the pipe networks' watch."""
        engine = make_engine(settings)
        m = cls(
            make_session_factory(engine),
            tz=settings.timezone,
            interval_s=(
                settings.network_watch_interval_s if network else settings.maintenance_interval_s
            ),
            jobs=_network_jobs(settings) if network else JOBS,
            name="gaswarden-network-watch" if network else "gaswarden-maintenance",
        )
        m._engine = engine
        return m

    def _run(self) -> None:
        while not self._stop.is_set():
            done = run_round(self._factory, self._tz, jobs=self._jobs)
            self.rounds = [*self.rounds[-9:], done]
            if self._stop.wait(self._interval_s):
                return

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> Maintenance:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("maintenance did not stop in time; leaving it to exit")
        elif self._engine is not None:
            self._engine.dispose()


@dataclass
class Running:
    """The housekeeping and the network watch, stopped together."""

    threads: list[Maintenance]

    def stop(self, timeout: float = 30.0) -> None:
        for m in self.threads:
            m.stop(timeout)


def start(settings: Settings) -> Running | None:
    """For serve and demo, unless GASWARDEN_MAINTENANCE_ENABLED=false: the housekeeping, and
    the pipe networks' leak watch on its own shorter round."""
    if not settings.maintenance_enabled:
        return None
    return Running(
        [
            Maintenance.from_settings(settings).start(),
            Maintenance.from_settings(settings, network=True).start(),
        ]
    )
