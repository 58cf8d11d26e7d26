"""AlarmEngine: the rules run inside the ingest pipeline's transaction, and periodically.

Per-device rule state lives in the rule_state table, one row per device. `consume` locks the
rows of the batch's devices (SELECT ... FOR UPDATE on PostgreSQL, in device id order so that
workers never deadlock; SQLite serialises writers by itself), evaluates each device's inputs
in device-time order and applies the transitions to alarms before the batch commits. Two
ingest workers therefore never evaluate the same device at once, and an input older than the
state's last evaluated time changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gaswarden.domains.alarm import response, transitions
from gaswarden.domains.alarm.models import Alarm, RuleStateRow
from gaswarden.domains.device.enums import DeviceStatus
from gaswarden.domains.device.models import Device
from gaswarden.ingestion.contract import BatchConsumer, DeviceEvent, StatusReport, StoredBatch
from gaswarden.rules import context
from gaswarden.rules import evaluate as ev
from gaswarden.rules import setpoints as sp
from gaswarden.rules import states as states_store
from gaswarden.rules.device import run
from gaswarden.rules.grades import Grade
from gaswarden.rules.model import RuleState, Transition


class AlarmEngine(BatchConsumer):
    def __init__(self) -> None:
        self._cache = context.ParamsCache()

    def consume(self, session: Session, batch: StoredBatch) -> None:
        points: dict[int, dict[str, list[ev.Point]]] = defaultdict(lambda: defaultdict(list))
        for r in batch.readings:
            points[r.device_id][r.metric].append((r.ts, r.value))
        events: dict[int, list[DeviceEvent]] = defaultdict(list)
        for e in batch.events:
            events[e.device_id].append(e)
        statuses: dict[int, list[StatusReport]] = defaultdict(list)
        for s in batch.statuses:
            statuses[s.device_id].append(s)
        ids = sorted(points.keys() | events.keys() | statuses.keys())
        if not ids:
            return
        params = self._cache.params(session, ids)
        rows = states_store.lock(session, sorted(params))
        changed: list[states_store.StateRow] = []
        for device_id in sorted(params):
            device_params, row = params[device_id], rows[device_id]
            series = {m: sorted(p) for m, p in points.get(device_id, {}).items()}
            states = {k: RuleState.from_json(v) for k, v in row.states.items()}
            found = run(
                states,
                device_params,
                points=series,
                events=sorted(events.get(device_id, []), key=lambda e: e.ts),
                statuses=sorted(statuses.get(device_id, []), key=lambda s: s.ts),
                received_at=batch.received_at,
            )
            seen = row.last_seen_at
            if seen is None or seen < batch.received_at:
                seen = batch.received_at
            new_states = {k: s.to_json() for k, s in states.items()}
            if seen != row.last_seen_at or new_states != row.states:
                changed.append(states_store.StateRow(device_id, seen, new_states))
            if found:
                device = session.get(Device, device_id)
                assert device is not None  # its state row is locked, so it is there
                transitions.apply(
                    session,
                    device=device,
                    transitions=found,
                    now=batch.received_at,
                    windows=_windows(device_params),
                )
        states_store.write(session, changed)

    def sweep(self, session: Session, now: datetime) -> None:
        self.sweep_offline(session, now)
        self.sweep_expiry(session, now)
        response.check_targets(session, now=now)

    # ---- periodic rules --------------------------------------------------------------------
    def sweep_offline(self, session: Session, now: datetime) -> None:
        """Devices silent for longer than their reporting interval times the multiple."""
        rows = session.execute(
            select(RuleStateRow.device_id, RuleStateRow.last_seen_at, Device.report_interval_s)
            .join(Device, Device.id == RuleStateRow.device_id)
            .where(Device.status == DeviceStatus.ACTIVE, RuleStateRow.last_seen_at.is_not(None))
        ).all()
        silent = [d for d, seen, every in rows if seen and (now - seen).total_seconds() > every]
        self._sweep(session, now, silent, "offline")

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

    def _sweep(self, session: Session, now: datetime, ids: Sequence[int], rule: str) -> None:
        if not ids:
            return
        rules = context.load(session, ids)
        rows = lock_states(session, sorted(rules), skip_locked=True)
        for device_id, row in sorted(rows.items()):
            device_rules = rules[device_id]
            params = device_rules.params.get(rule)
            if params is None:
                continue
            states = {k: RuleState.from_json(v) for k, v in (row.states or {}).items()}
            state = states.setdefault(rule, RuleState())
            device = device_rules.device
            if rule == "offline":
                _, found = ev.offline(
                    state,
                    rule,
                    now=now,
                    last_seen=row.last_seen_at,
                    interval_s=device.report_interval_s,
                    multiple=max(1.0, float(params.get("multiple", sp.OFFLINE_INTERVAL_MULTIPLE))),
                    grade=Grade(params.get("grade", sp.OFFLINE_GRADE.value)),
                )
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
            self._finish(session, device_rules, row, states, found, now)

    def _finish(
        self,
        session: Session,
        device_rules: context.DeviceRules,
        row: RuleStateRow,
        states: dict[str, RuleState],
        found: list[Transition],
        now: datetime,
    ) -> None:
        row.states = {k: s.to_json() for k, s in states.items()}
        if found:
            transitions.apply(
                session,
                device=device_rules.device,
                transitions=found,
                now=now,
                windows=_windows(device_rules.params),
            )
        session.flush()


def _windows(params: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Each rule's nuisance-grouping window (seconds)."""
    return {
        rule: float(p.get("group_window_s", sp.NUISANCE_WINDOW_S)) for rule, p in params.items()
    }


def lock_states(
    session: Session, device_ids: Sequence[int], *, skip_locked: bool = False
) -> dict[int, RuleStateRow]:
    """The state rows of these devices, created if missing, locked for this transaction."""
    if not device_ids:
        return {}
    postgres = session.get_bind().dialect.name == "postgresql"
    insert: Any = pg_insert if postgres else sqlite_insert
    session.execute(
        insert(RuleStateRow)
        .values([{"device_id": d, "states": {}} for d in device_ids])
        .on_conflict_do_nothing(index_elements=["device_id"])
    )
    stmt = (
        select(RuleStateRow)
        .where(RuleStateRow.device_id.in_(device_ids))
        .order_by(RuleStateRow.device_id)
        .execution_options(populate_existing=True)
    )
    if postgres:
        stmt = stmt.with_for_update(skip_locked=skip_locked)
    return {row.device_id: row for row in session.scalars(stmt)}


def from_settings(settings: object) -> AlarmEngine:
    """The factory ingestion/consumers.py registers: "gaswarden.rules.engine:from_settings"."""
    return AlarmEngine()
