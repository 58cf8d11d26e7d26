"""The sender in the background of a long-running command (serve, demo, ingest): one daemon
thread running `sender.run` on its own engine until stopped.

Several processes may each run one (claims are leased; FOR UPDATE SKIP LOCKED on PostgreSQL),
so a deployment with N ingest workers and M web workers needs no separate `notify run`.
`GASWARDEN_NOTIFY_SENDER_ENABLED=false` leaves delivery to a dedicated `gaswarden notify run`.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from gaswarden.db.session import make_engine, make_session_factory
from gaswarden.domains.notification import sender
from gaswarden.settings import Settings

log = logging.getLogger(__name__)


class BackgroundSender:
    """`start()` once, `stop()` once; `stop` waits for the round in progress (bounded by the
    delivery timeout) and then releases the engine."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session] | None = None) -> None:
        self.settings = settings
        self._engine: Engine | None = None
        if factory is None:
            self._engine = make_engine(settings)
            factory = make_session_factory(self._engine)
        self._factory = factory
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gaswarden-notify", daemon=True)
        self.total: Counter[str] = Counter()

    def _run(self) -> None:
        self.total = sender.run(self._factory, self.settings, self._stop, on_round=self._log)

    @staticmethod
    def _log(counts: Counter[str]) -> None:
        log.info("notifications: %s", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> BackgroundSender:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread.is_alive():
            # A round in progress ends after at most one delivery timeout per parallel batch.
            self._thread.join(
                timeout if timeout is not None else self.settings.notify_timeout_s + 5
            )
        if self._thread.is_alive():
            log.warning("the notification sender did not stop in time; leaving it to exit")
        elif self._engine is not None:
            self._engine.dispose()


def start(settings: Settings) -> BackgroundSender | None:
    """The background sender, started; None when the deployment turned it off."""
    if not settings.notify_sender_enabled:
        return None
    return BackgroundSender(settings).start()
