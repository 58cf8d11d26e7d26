"""AlarmEngine: the rules run inside the ingest pipeline's transaction, and periodically.

Per-device rule state lives in the rule_state table, one row per device. `consume` locks the
rows of the batch's devices (SELECT ... FOR UPDATE on PostgreSQL, in device id order so that
workers never deadlock; SQLite serialises writers by itself), evaluates each device's inputs
in device-time order and applies the transitions to alarms before the batch commits. Two
ingest workers therefore never evaluate the same device at once, and an input older than the
state's last evaluated time changes nothing. The states and each device's compiled rules are
kept in memory between batches (states.StateCache, context.ParamsCache), re-read only when
another writer changed them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from gaswarden.domains.alarm import response, transitions
from gaswarden.domains.alarm.models import Alarm, RuleStateRow
from gaswarden.domains.device.enums import DeviceStatus
from gaswarden.domains.device.models import Device
from gaswarden.ingestion.contract import (
    Ahead,
    BatchConsumer,
    DeviceEvent,
    StatusReport,
    StoredBatch,
)
from gaswarden.rules import context
from gaswarden.rules import evaluate as ev
from gaswarden.rules import setpoints as sp
from gaswarden.rules import states as states_store
from gaswarden.rules.device import alarming, run
from gaswarden.rules.grades import Grade
from gaswarden.rules.model import RuleState, Transition

_DEVICE_ONLY = (lazyload(Device.site), lazyload(Device.asset))


class AlarmEngine(BatchConsumer):
    def __init__(self) -> None:
        self._params = context.ParamsCache()
        self._states = states_store.StateCache()
        self._listening_since: datetime | None = None

    def started(self, now: datetime) -> None:
        self._listening_since = now

    def warm(self, session: Session) -> None:
        """The compiled rules of every device that may report, before the first batch."""
        ids = session.scalars(
            select(Device.id).where(Device.status != DeviceStatus.DECOMMISSIONED)
        ).all()
        self._params.compiled(session, list(ids))

    def consume(self, session: Session, batch: StoredBatch) -> None:
        inputs = _Inputs(batch)
        if not inputs.ids:
            return
        compiled = self._params.compiled(session, inputs.ids)
        entries = self._states.lock(session, sorted(compiled))
        found = self._evaluate(compiled, entries, inputs, batch.received_at)
        self._finish(session, compiled, found, batch.received_at)

    def urgent(self, device_id: int, inputs: Iterable[object]) -> bool:
        """Would these inputs start or feed an alarm on this device (its rules as last
        loaded; a device not loaded yet is not urgent)."""
        compiled = self._params.peek(device_id)
        return compiled is not None and alarming(compiled.plan, inputs)

    def ahead(self, session: Session, batch: StoredBatch) -> Ahead | None:
        """The batch's rule states locked now; evaluated while the server stores the batch."""
        return _RulesAhead(self, session, batch)

    def _evaluate(
        self,
        compiled: dict[int, context.Compiled],
        entries: dict[int, states_store.Entry],
        inputs: _Inputs,
        received: datetime,
    ) -> list[_Found]:
        """Every device's inputs through its rules (pure: the states change in memory)."""
        out: list[_Found] = []
        no_points: dict[str, list[ev.Point]] = {}
        points, events, statuses = inputs.points, inputs.events, inputs.statuses
        for device_id in sorted(compiled):
            entry = entries[device_id]
            found = run(
                entry.states,
                compiled[device_id].plan,
                points=points.get(device_id, no_points),
                events=sorted(events[device_id], key=_ts) if device_id in events else (),
                statuses=sorted(statuses[device_id], key=_ts) if device_id in statuses else (),
                received_at=received,
            )
            if entry.last_seen_at is None or entry.last_seen_at < received:
                entry.last_seen_at = received
            out.append((device_id, entry, found))
        return out

    def _finish(
        self,
        session: Session,
        compiled: dict[int, context.Compiled],
        found: list[_Found],
        received: datetime,
        encoded: dict[int, str] | None = None,
    ) -> None:
        """The transitions to alarms, in device order, then the states written."""
        alarmed = False
        for device_id, _entry, transitions_found in found:
            if transitions_found:
                alarmed = True
                # its site and asset only if used (a notification's text): no query ahead
                orm_device = session.get(Device, device_id, options=_DEVICE_ONLY)
                assert orm_device is not None  # its state row is locked, so it is there
                transitions.apply(
                    session,
                    device=orm_device,
                    transitions=transitions_found,
                    now=received,
                    windows=compiled[device_id].windows,
                )
        self._states.write(session, [f[1] for f in found], encoded=encoded)
        if alarmed:
            session.flush()  # the states went by the driver; the alarms must be flushed too

    def sweep(self, session: Session, now: datetime) -> None:
        self.sweep_offline(session, now)
        self.sweep_expiry(session, now)
        response.check_targets(session, now=now)

    # ---- periodic rules --------------------------------------------------------------------
    def sweep_offline(self, session: Session, now: datetime) -> None:
        """Devices silent for longer than their reporting interval times the multiple; an
        active device that never reported counts from when it was last changed (registered
        or put into service)."""
        rows = session.execute(
            select(
                Device.id, RuleStateRow.last_seen_at, Device.report_interval_s, Device.updated_at
            )
            .outerjoin(RuleStateRow, RuleStateRow.device_id == Device.id)
            .where(Device.status == DeviceStatus.ACTIVE)
        ).all()
        silent_since: dict[int, datetime] = {}
        for device_id, seen, every, changed in rows:
            since = seen or changed
            if since is not None and self._listening_since is not None:
                # while nobody listened (the platform was down) no device could be heard
                since = max(since, self._listening_since)
            if since is not None and (now - since).total_seconds() > every:
                silent_since[device_id] = since
        self._sweep(session, now, sorted(silent_since), "offline", silent_since=silent_since)

    def sweep_expiry(self, session: Session, now: datetime) -> None:
        """Devices near or past their expiry date, and open expiry alarms (to clear them)."""
        horizon = (now + timedelta(days=sp.EXPIRY_WARN_DAYS * 4)).date()
        expiring = session.scalars(
            select(Device.id).where(
                Device.expiry_date.is_not(None),
                Device.expiry_date <= horizon,
                Device.status != DeviceStatus.DECOMMISSIONED,
            )
        ).all()
        alarmed = session.scalars(
            select(Alarm.device_id).where(Alarm.rule == "expiry", Alarm.open_key.is_not(None))
        ).all()
        self._sweep(session, now, sorted(set(expiring) | set(alarmed)), "expiry")

    def _sweep(
        self,
        session: Session,
        now: datetime,
        ids: Sequence[int],
        rule: str,
        *,
        silent_since: dict[int, datetime] | None = None,
    ) -> None:
        """`silent_since`: for the offline rule, when each device's silence began as far as
        the platform can tell (its last message, or when it was put into service or the
        platform began listening, whichever is later)."""
        if not ids:
            return
        rules = context.load(session, ids)
        entries = self._states.lock(session, sorted(rules), skip_locked=True)
        written = []
        for device_id, entry in sorted(entries.items()):
            device_rules = rules[device_id]
            params = device_rules.params.get(rule)
            if params is None:
                continue
            state = entry.states.setdefault(rule, RuleState())
            device = device_rules.device
            if rule == "offline":
                seen = entry.last_seen_at
                # an open alarm clears on what was really heard; a new one counts the silence
                since = seen if state.active else (silent_since or {}).get(device_id, seen)
                _, found = ev.offline(
                    state,
                    rule,
                    now=now,
                    last_seen=since,
                    interval_s=device.report_interval_s,
                    multiple=max(1.0, float(params.get("multiple", sp.OFFLINE_INTERVAL_MULTIPLE))),
                    grade=Grade(params.get("grade", sp.OFFLINE_GRADE.value)),
                )
                for t in found:
                    t.detail["last_seen"] = seen.isoformat() if seen else None
                    if seen is None:
                        t.detail["never_reported"] = True
            else:
                _, found = ev.expiry(
                    state,
                    rule,
                    now=now,
                    expiry_date=device.expiry_date,
                    warn_days=int(params.get("warn_days", sp.EXPIRY_WARN_DAYS)),
                    warn_grade=Grade(params.get("warn_grade", sp.EXPIRY_WARN_GRADE.value)),
                    expired_grade=Grade(params.get("expired_grade", sp.EXPIRED_GRADE.value)),
                )
            written.append(entry)
            if found:
                transitions.apply(
                    session,
                    device=device,
                    transitions=found,
                    now=now,
                    windows=context.compiled(device_rules.params).windows,
                )
        self._states.write(session, written)
        session.flush()


def _ts(item: DeviceEvent | StatusReport) -> datetime:
    return item.ts


_Found = tuple[int, states_store.Entry, list[Transition]]


class _Inputs:
    """A batch's inputs by device: readings as {metric: [(device time, value)]}, events and
    status reports."""

    __slots__ = ("events", "ids", "points", "statuses")

    def __init__(self, batch: StoredBatch, only: set[int] | None = None) -> None:
        points: dict[int, dict[str, list[ev.Point]]] = {}
        for r in batch.readings:  # by device, then device time (StoredBatch's order)
            if only is not None and r.device_id not in only:
                continue
            by_metric = points.get(r.device_id)
            if by_metric is None:
                by_metric = points[r.device_id] = {}
            series = by_metric.get(r.metric)
            if series is None:
                by_metric[r.metric] = [(r.ts, r.value)]
            else:
                series.append((r.ts, r.value))
        events: dict[int, list[DeviceEvent]] = defaultdict(list)
        for e in batch.events:
            if only is None or e.device_id in only:
                events[e.device_id].append(e)
        statuses: dict[int, list[StatusReport]] = defaultdict(list)
        for s in batch.statuses:
            if only is None or s.device_id in only:
                statuses[s.device_id].append(s)
        self.points, self.events, self.statuses = points, events, statuses
        self.ids = sorted(points.keys() | events.keys() | statuses.keys())


def _device_ids(batch: StoredBatch) -> list[int]:
    ids = {r.device_id for r in batch.readings}
    ids.update(e.device_id for e in batch.events)
    ids.update(s.device_id for s in batch.statuses)
    return sorted(ids)


class _RulesAhead(Ahead):
    """`AlarmEngine.consume` in three steps around the batch's storage statement: the states
    locked before it (`AlarmEngine.ahead`), evaluated and encoded while it runs (`work`: as if
    no reading were a duplicate), the alarms and states written after it (`finish`). A device
    with a duplicate among its readings is evaluated again from its stored state (still
    untouched: it is written only in `finish`) with only its new readings, exactly as
    `consume` would have."""

    def __init__(self, engine: AlarmEngine, session: Session, batch: StoredBatch) -> None:
        self.engine = engine
        self.batch = batch
        ids = _device_ids(batch)
        self.compiled: dict[int, context.Compiled] = {}
        self.entries: dict[int, states_store.Entry] = {}
        if ids:
            # the rules' signature and the existing states' locks in one round trip
            known, entries = engine._states.lock_existing_along(session, ids, context.SIGNATURE_PG)
            self.compiled = engine._params.compiled(session, ids, known)
            self.entries = {d: e for d, e in entries.items() if d in self.compiled}
            missing = [d for d in sorted(self.compiled) if d not in entries]
            if missing:  # a device's first batch: its row made (after the others, in order)
                self.entries.update(engine._states.lock(session, missing))
        self.found: list[_Found] = []
        self.encoded: dict[int, str] = {}

    def work(self) -> None:
        if not self.compiled:
            return
        received = self.batch.received_at
        self.found = self.engine._evaluate(
            self.compiled, self.entries, _Inputs(self.batch), received
        )
        self.encoded = states_store.encode(f[1] for f in self.found)

    def finish(self, session: Session, batch: StoredBatch, changed: set[int]) -> None:
        engine, found, compiled = self.engine, self.found, self.compiled
        redo = sorted(d for d in changed if d in compiled)
        if redo:
            for device_id in redo:
                self.encoded.pop(device_id, None)
            found = [f for f in found if f[0] not in changed]
            inputs = _Inputs(batch, only=set(redo))
            again = {d: compiled[d] for d in inputs.ids}  # a device left with no input: none
            # their entries were taken out of the cache, so their stored states are read again
            entries = engine._states.lock(session, sorted(again))
            found += engine._evaluate(again, entries, inputs, batch.received_at)
            found.sort(key=lambda f: f[0])
        if found:
            engine._finish(session, compiled, found, batch.received_at, self.encoded)


def from_settings(settings: object) -> AlarmEngine:
    """The factory ingestion/consumers.py registers: "gaswarden.rules.engine:from_settings"."""
    return AlarmEngine()
