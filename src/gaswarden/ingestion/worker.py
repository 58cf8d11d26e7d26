"""The ingest worker: batches messages from a transport, stores each batch in one transaction
(or spools it when the database is down), then acknowledges; periodic sweeps on a thread of
their own, so that a sweep never holds up a batch (and an alarm in it).

Alarms first: a message that a consumer marked urgent when it was decoded ahead (a reading
at or past an alarm level, an alarm event: `Pipeline.predecode`) is taken into a batch of its
own, with its device's earlier messages, ahead of the routine messages queued before it. An
alarm then waits for the batch in progress and its own small one, not for the backlog.

Transport-agnostic: mqtt.py feeds it with `submit` (one thread, in order of arrival, which
numbers the messages: `Message.receipt`) and acknowledges through `on_done`, in that order
whatever order the batches took; `on_failed` tells it of messages given up unstored.
"""

from __future__ import annotations

import gc
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import psycopg
import psycopg.errors
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from gaswarden.db.session import make_engine, make_session_factory, unit_of_work
from gaswarden.ingestion import partitions, store
from gaswarden.ingestion.contract import BatchConsumer, Rejection, RejectReason
from gaswarden.ingestion.pipeline import Message, Pipeline
from gaswarden.ingestion.spool import Spool, SpoolFull
from gaswarden.settings import Settings

log = logging.getLogger("gaswarden.ingest")

MAINTAIN_S = 3600.0  # partitions ahead, retention
CONFLICT_RETRIES = 3  # a batch that lost a deadlock / serialization conflict is retried
CONFLICT_BACKOFF_S = 0.05  # times the attempt, plus jitter
GC_THRESHOLDS = (50_000, 20, 20)  # see tune_gc (Python's defaults: 700, 10, 10)


def conflict(exc: BaseException) -> bool:
    """A transaction that lost to a concurrent one (deadlock, serialization failure): retrying
    the batch is enough, the database is fine."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    return isinstance(orig, psycopg.errors.DeadlockDetected | psycopg.errors.SerializationFailure)


def database_down(exc: BaseException) -> bool:
    """Errors that mean "the database is not there", as opposed to a bad batch."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)


def tune_gc() -> None:
    """Python's cyclic collector, at its defaults, walks the whole heap (ORM metadata, the
    registry's caches, thousands of queued messages) every few thousand messages: a quarter of
    the worker's time at full load. What exists once the caches are warm is frozen out of it,
    and the youngest generation is collected less often (the pipeline's objects are freed by
    reference counting; few form cycles)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class Worker:
    def __init__(
        self,
        settings: Settings,
        *,
        engine: Engine | None = None,
        consumers: Sequence[BatchConsumer] = (),
        batch_size: int = 6000,
        batch_wait_s: float = 0.005,
        sweep_s: float = 5.0,
        spool: Spool | None = None,
    ) -> None:
        self.settings = settings
        # No ping before each batch (a round trip of its own): a batch on a dead connection
        # fails like one whose database is down, is spooled, and the pool reconnects.
        self._own_engine = engine is None  # disposed of by `stop`
        self.engine = engine or make_engine(settings, pool_pre_ping=False)
        self.factory: sessionmaker[Session] = make_session_factory(self.engine)
        self.pipeline = Pipeline(consumers=consumers)
        self.batch_size = batch_size
        self.batch_wait_s = batch_wait_s
        self.sweep_s = sweep_s
        if spool is None:
            spool = Spool(settings.data_dir / "spool", settings.spool_max_mb * 1024 * 1024)
        self.spool = spool
        self._inbox: deque[Message] = deque()  # submitted, not yet taken into a batch
        self._wake = threading.Event()
        self._idle = False  # the worker's thread waits for messages (see submit)
        self.on_done: Callable[[list[Message]], None] = lambda messages: None
        self.on_failed: Callable[[list[Message]], None] = lambda messages: None
        self._received = 0  # the next receipt number
        self._urgent: deque[Message] = deque()  # urgent ones submitted, not yet taken first
        self.held: list[Message] = []  # not acknowledged: database down and spool full
        self.stored = 0  # messages committed (directly or by replay), for the CLI's counter
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sweeper: threading.Thread | None = None
        self.ready = threading.Event()  # warm: caches loaded, heap frozen (see `run`)
        self._last_maintain = -MAINTAIN_S

    # -- feeding ---------------------------------------------------------------------------
    # A deque and an event instead of a queue.Queue: Queue.put and get take a lock and notify
    # a condition for every message (2-3 µs each); appending to a deque is atomic, and the
    # event is set only when the worker's thread is waiting for messages.
    def submit(self, message: Message) -> None:
        """From one thread, in order of arrival."""
        message.receipt = self._received
        self._received += 1
        self._inbox.append(message)
        if message.urgent:
            self._urgent.append(message)  # (after the inbox: `_take_urgent` finds it there)
        if self._idle:
            self._wake.set()

    @property
    def next_receipt(self) -> int:
        """The number the next submitted message gets."""
        return self._received

    def _wait(self, timeout: float) -> bool:
        """Until a message is in the inbox (True) or `timeout` seconds have passed."""
        if self._inbox:
            return True
        self._wake.clear()
        self._idle = True  # from here on, `submit` wakes us
        try:
            if not self._inbox:  # (one submitted before _idle was set is seen here)
                self._wake.wait(timeout)
        finally:
            self._idle = False
        return bool(self._inbox)

    def _take(self) -> list[Message]:
        """Up to batch_size messages: whatever is in the inbox; and, when the worker had to
        wait for the first, what arrives within batch_wait_s of it (a burst after a quiet
        spell goes in one batch). Messages already waiting are taken at once: they waited for
        the batch before, and waiting for more would only make every later one wait longer."""
        if self._urgent:
            first = self._take_urgent()
            if first:
                return first
        backlog = bool(self._inbox)
        if not self._wait(0.2):
            return []
        inbox, size = self._inbox, self.batch_size
        pop = inbox.popleft
        batch = [pop() for _ in range(min(len(inbox), size))]
        if backlog:
            return batch
        deadline = time.monotonic() + self.batch_wait_s
        while len(batch) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._wait(remaining):
                break
            batch += [pop() for _ in range(min(len(inbox), size - len(batch)))]
        return batch

    def _take_urgent(self) -> list[Message]:
        """The urgent messages in the inbox, each with its device's earlier messages, in
        order; the others go back to the inbox's head in order (the transport's thread only
        appends at its tail meanwhile). A message the worker cannot place (not decoded
        ahead) before the last urgent one goes with them, so that no device's order breaks."""
        urgent: list[Message] = []
        while self._urgent:
            urgent.append(self._urgent.popleft())
        wanted = {id(m) for m in urgent}
        devices = {m.decoded[0] for m in urgent if m.decoded is not None}
        inbox = self._inbox
        head = [inbox.popleft() for _ in range(len(inbox))]
        last = max((i for i, m in enumerate(head) if id(m) in wanted), default=-1)
        # (none found: a batch before took them with the routine ones)
        first: list[Message] = []
        rest: list[Message] = []
        for i, m in enumerate(head):
            if (
                i <= last
                and len(first) < self.batch_size
                and (m.decoded is None or m.decoded[0] in devices)
            ):
                first.append(m)
            else:
                rest.append(m)
        inbox.extendleft(reversed(rest))
        return first

    # -- one batch -------------------------------------------------------------------------
    def _store(self, batch: list[Message]) -> None:
        for attempt in range(1, CONFLICT_RETRIES + 2):
            try:
                with unit_of_work(self.factory) as session:
                    outcome = self.pipeline.ingest(session, batch)
                break
            except Exception as exc:
                if not conflict(exc) or attempt > CONFLICT_RETRIES:
                    raise  # (a conflict still there after the retries is spooled)
                log.info(
                    "batch of %d lost a conflict (%s); retry %d",
                    len(batch),
                    str(exc).splitlines()[0][:200],
                    attempt,
                )
                time.sleep(CONFLICT_BACKOFF_S * attempt * (1 + random.random()))
        self.pipeline.committed(outcome)
        self.stored += len(batch)

    def _store_isolating(self, batch: list[Message]) -> None:
        """Store; a batch that fails for another reason than an outage is split so that one
        poisonous message cannot take the others with it."""
        try:
            self._store(batch)
            return
        except Exception as exc:
            if database_down(exc):
                raise
            log.exception("batch of %d failed; storing one by one", len(batch))
        for message in batch:
            try:
                self._store([message])
            except Exception as exc:
                if database_down(exc):
                    raise
                self._quarantine_failure(message, exc)

    def _quarantine_failure(self, message: Message, exc: Exception) -> None:
        rejection = Rejection(
            reason=RejectReason.BAD_SHAPE,
            detail=f"could not be stored: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}",
            transport=message.transport,
            topic=message.topic,
            serial=message.serial,
            device_id=None,
            payload=message.payload,
            received_at=message.received_at,
        )
        with unit_of_work(self.factory) as session:
            store.insert_quarantine(session, [(rejection, store.Scope(None, None))])

    def _replay(self) -> bool:
        """Replay the spool oldest first; True when it is empty."""
        while True:
            head = self.spool.oldest()
            if head is None:
                return True
            path, messages = head
            self._store_isolating(messages)
            self.spool.remove(path)
            log.info("replayed %d spooled messages from %s", len(messages), path.name)

    def handle(self, batch: list[Message]) -> bool:
        """Store or spool the batch; True when its messages may be acknowledged."""
        try:
            if self._replay():
                self._store_isolating(batch)
                return True
        except Exception as exc:
            if not database_down(exc):
                raise
            log.warning("database unavailable (%s); spooling", str(exc).splitlines()[0][:200])
        try:
            self.spool.put(batch)
            return True
        except SpoolFull as full:
            log.error("%s; holding %d messages unacknowledged", full, len(batch))
            return False

    # -- the loop --------------------------------------------------------------------------
    def step(self) -> None:
        if self.held:
            if self.handle(self.held):
                done, self.held = self.held, []
                self.on_done(done)
            else:
                time.sleep(0.5)
        else:
            batch = self._take()
            if batch:
                try:
                    handled = self.handle(batch)
                except Exception:
                    # neither stored nor acknowledged: the broker delivers them again after a
                    # reconnect, and the acknowledgements of later ones must not wait for them
                    self.on_failed(batch)
                    raise
                if handled:
                    self.on_done(batch)
                else:
                    self.held = batch
            elif len(self.spool):
                try:
                    self._replay()
                except Exception as exc:
                    if not database_down(exc):
                        raise

    # -- the sweeps (their own thread) -----------------------------------------------------
    # The periodic rules (offline, expiry, response targets), the registry re-read and the
    # partitions' upkeep take tens of milliseconds, a hundred and more when partitions are
    # made: on the batch thread every message arriving meanwhile waited for them. On their own
    # thread, with their own transaction, they share only what is safe to share: the device
    # cache (replaced under its lock) and the rule-state cache, whose entries a transaction
    # holds only while it holds their rows' locks (the sweep skips rows a batch holds, a batch
    # waits for rows the sweep holds).
    def sweep(self) -> None:
        """One round of the periodic work, in its own transaction."""
        now = time.monotonic()
        try:
            with unit_of_work(self.factory) as session:
                self.pipeline.cache.sync(session)  # registry changes, within sweep_s
                if now - self._last_maintain >= MAINTAIN_S:
                    partitions.maintain(
                        session.connection(), retention_days=self.settings.readings_retention_days
                    )
                    self._last_maintain = now
                self.pipeline.sweep(session, datetime.now(UTC))
        except Exception as exc:
            if not database_down(exc):
                log.exception("sweep failed")

    def _sweep_loop(self) -> None:
        """At once (partitions ahead, devices already silent), then every sweep_s."""
        while True:
            try:
                self.sweep()
            except Exception:  # (sweep logs its own; this is the last guard of the thread)
                log.exception("sweep thread")
            if self._stop.wait(self.sweep_s):
                return

    def run(self) -> None:
        self.pipeline.started(datetime.now(UTC))
        try:
            with unit_of_work(self.factory) as session:
                self.pipeline.warm(session)
        except Exception as exc:  # the first batch will load what it needs
            log.warning("could not warm the caches: %s", str(exc).splitlines()[0][:200])
        tune_gc()
        self._sweeper = threading.Thread(
            target=self._sweep_loop, name="gaswarden-ingest-sweep", daemon=True
        )
        self._sweeper.start()
        self.ready.set()
        while not self._stop.is_set():
            try:
                self.step()
            except Exception:  # never let one batch stop the worker
                log.exception("ingest step failed")
                time.sleep(0.5)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="gaswarden-ingest", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for thread in (self._thread, self._sweeper):
            if thread is not None:
                thread.join(timeout)
        if self._own_engine:
            self.engine.dispose()
