"""The rule_state rows of a batch's devices, read and written in bulk (no ORM per device).

`lock` creates the missing rows and locks them (SELECT ... FOR UPDATE on PostgreSQL, in
device id order so that two workers take their locks in the same order and never deadlock;
SQLite serialises writers by itself); `write` stores the changed ones in one executemany
UPDATE, also in device id order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gaswarden.db.base import utcnow
from gaswarden.domains.alarm.models import RuleStateRow

STATE: Table = RuleStateRow.__table__  # type: ignore[assignment]


@dataclass
class StateRow:
    device_id: int
    last_seen_at: datetime | None
    states: dict[str, Any]


def _select(device_ids: Sequence[int], postgres: bool) -> Any:
    stmt = (
        select(STATE.c.device_id, STATE.c.last_seen_at, STATE.c.states)
        .where(STATE.c.device_id.in_(device_ids))
        .order_by(STATE.c.device_id)
    )
    return stmt.with_for_update() if postgres else stmt


def lock(session: Session, device_ids: Sequence[int]) -> dict[int, StateRow]:
    """The state rows of these devices (sorted ids), created if missing, locked."""
    if not device_ids:
        return {}
    ids = sorted(set(device_ids))
    postgres = session.get_bind().dialect.name == "postgresql"
    out = _read(session, ids, postgres)
    missing = [d for d in ids if d not in out]
    if missing:
        # Created (in id order) only when missing: the rows of known devices already exist.
        # The existing rows are locked before any insert, so two workers cannot wait on each
        # other across the two steps.
        insert: Any = pg_insert if postgres else sqlite_insert
        session.execute(
            insert(STATE).on_conflict_do_nothing(index_elements=["device_id"]),
            [{"device_id": d, "states": {}} for d in missing],
        )
        out.update(_read(session, missing, postgres))
    return out


def _read(session: Session, ids: Sequence[int], postgres: bool) -> dict[int, StateRow]:
    return {
        d: StateRow(d, seen, states or {})
        for d, seen, states in session.execute(_select(ids, postgres))
    }


def write(session: Session, rows: Sequence[StateRow]) -> None:
    """One executemany UPDATE of these rows (in device id order)."""
    if not rows:
        return
    now = utcnow()
    rows = sorted(rows, key=lambda r: r.device_id)
    session.execute(
        update(STATE)
        .where(STATE.c.device_id == bindparam("b_device_id"))
        .values(
            last_seen_at=bindparam("b_last_seen_at"),
            states=bindparam("b_states"),
            updated_at=bindparam("b_updated_at"),
        ),
        [
            {
                "b_device_id": r.device_id,
                "b_last_seen_at": r.last_seen_at,
                "b_states": r.states,
                "b_updated_at": now,
            }
            for r in rows
        ],
    )
    # RuleStateRow objects this session holds (from a sweep) must not show stale states.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, RuleStateRow):
            session.expire(obj)
