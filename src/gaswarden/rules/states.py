"""The rule_state rows of a batch's devices: locked, read and written in bulk, kept in memory.

`StateCache.lock` creates the missing rows and locks them (SELECT ... FOR UPDATE on
PostgreSQL, in device id order so that two workers take their locks in the same order and
never deadlock; SQLite serialises writers by itself). Each row carries a random `version`
stamped by every write: the states of a row whose version matches the one this process wrote
last are taken from memory, the others (another worker wrote them, a sweep, a batch that rolled
back) are read and parsed. `StateCache.write` stores the states in one statement (binary COPY
into a temp table and one UPDATE on PostgreSQL).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gaswarden.db.base import utcnow
from gaswarden.domains.alarm.models import RuleStateRow
from gaswarden.rules.model import RuleState

STATE: Table = RuleStateRow.__table__  # type: ignore[assignment]

_PG_LOCK = (
    "SELECT s.device_id, s.version, s.last_seen_at, "
    "CASE WHEN s.version = c.version THEN NULL ELSE s.states::text END "
    "FROM rule_state s JOIN unnest(%s::int4[], %s::int8[]) AS c(device_id, version) "
    "ON s.device_id = c.device_id ORDER BY s.device_id FOR UPDATE OF s"
)
_PG_CREATE = (
    "INSERT INTO rule_state (device_id, states, version, updated_at) "
    "SELECT d, '{}'::json, 0, now() FROM unnest(%s::int4[]) AS d ORDER BY d "
    "ON CONFLICT (device_id) DO NOTHING"
)
_PG_TEMP = (
    "CREATE TEMP TABLE IF NOT EXISTS rule_state_in "
    "(device_id int4, version int8, last_seen_at timestamptz, states text) ON COMMIT DELETE ROWS"
)
_TEMP_MADE = "gaswarden.rule_state_in"  # Session.info: the transaction that made it
_PG_UPDATE = (  # and empties the temp table (see store_pg._EMPTY_CTE), in the same round trip
    "WITH updated AS (UPDATE rule_state s SET version = i.version, "
    "last_seen_at = i.last_seen_at, states = i.states::json, updated_at = %s "
    "FROM rule_state_in i WHERE s.device_id = i.device_id) DELETE FROM rule_state_in"
)


@dataclass
class Entry:
    """One device's rule states as this process holds them."""

    device_id: int
    version: int
    last_seen_at: datetime | None
    states: dict[str, RuleState]


def _parse(raw: Any) -> dict[str, RuleState]:
    data = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
    return {k: RuleState.from_json(v) for k, v in (data or {}).items()}


def _innermost(session: Session) -> Any:
    """The (sub)transaction a temp table made now would vanish with if it rolled back."""
    return session.get_nested_transaction() or session.get_transaction()


def _new_version() -> int:
    # Not a secret, only unlikely to repeat; never 0, the stamp of a row nobody wrote yet.
    return random.getrandbits(62) + 1


def encode(entries: Iterable[Entry]) -> dict[int, str]:
    """The states' JSON as `StateCache.write` stores it, by device id (made ahead of it)."""
    return {e.device_id: orjson.dumps(e.states).decode() for e in entries}


class StateCache:
    """Rule states by device id, valid while their row's version is the one written here."""

    def __init__(self) -> None:
        self._db: str | None = None
        self._entries: dict[int, Entry] = {}

    def _check_db(self, session: Session) -> None:
        url = str(session.get_bind().engine.url)
        if url != self._db:
            self._db, self._entries = url, {}

    def lock(
        self, session: Session, device_ids: Sequence[int], *, skip_locked: bool = False
    ) -> dict[int, Entry]:
        """The entries of these devices, rows created if missing and locked for this
        transaction (skip_locked: rows another transaction holds are left out)."""
        if not device_ids:
            return {}
        self._check_db(session)
        ids = sorted(set(device_ids))
        postgres = session.get_bind().dialect.name == "postgresql"
        read = self._read_pg if postgres else self._read_sqlite
        out = read(session, ids, skip_locked)
        missing = [d for d in ids if d not in out]
        if missing:
            # Created (in id order) only when missing: the rows of known devices already
            # exist. The existing rows are locked before any insert, so two workers cannot
            # wait on each other across the two steps.
            if postgres:
                dbapi: Any = session.connection().connection.dbapi_connection
                with dbapi.cursor() as cur:
                    cur.execute(_PG_CREATE, (missing,))
            else:
                session.execute(
                    sqlite_insert(STATE).on_conflict_do_nothing(index_elements=["device_id"]),
                    [{"device_id": d, "states": {}, "version": 0} for d in missing],
                )
            out.update(read(session, missing, skip_locked))
        return out

    def _take(self, device_id: int, version: int, seen: datetime | None, raw: Any) -> Entry:
        # Popped while in use: if the batch fails half way, nothing half-evaluated stays here.
        cached = self._entries.pop(device_id, None)
        if raw is None and cached is not None and cached.version == version:
            cached.last_seen_at = seen
            return cached
        return Entry(device_id, version, seen, _parse(raw))

    def lock_existing_along(
        self, session: Session, device_ids: Sequence[int], query: str
    ) -> tuple[tuple[Any, ...], dict[int, Entry]]:
        """PostgreSQL: the entries of those of these devices whose rows exist, locked as by
        `lock` (the caller creates the missing ones with `lock`), and the one row of `query`
        (no parameters), asked in the same round trip."""
        self._check_db(session)
        answer: list[tuple[Any, ...]] = []
        out = self._read_pg(session, sorted(set(device_ids)), False, along=(query, answer))
        return answer[0], out

    def _read_pg(
        self,
        session: Session,
        ids: list[int],
        skip_locked: bool,
        along: tuple[str, list[tuple[Any, ...]]] | None = None,
    ) -> dict[int, Entry]:
        versions = [e.version if (e := self._entries.get(d)) else -1 for d in ids]  # -1: none
        sql = _PG_LOCK + (" SKIP LOCKED" if skip_locked else "")
        dbapi: Any = session.connection().connection.dbapi_connection
        # One round trip: the query along (if any), the temp table `write` fills, the lock.
        with dbapi.cursor() as first, dbapi.cursor() as temp, dbapi.cursor() as cur:
            with dbapi.pipeline():
                if along is not None:
                    first.execute(along[0])
                temp.execute(_PG_TEMP)
                cur.execute(sql, (ids, versions))
            if along is not None:
                along[1].append(first.fetchone())
            rows = cur.fetchall()
        session.info[_TEMP_MADE] = _innermost(session)
        return {d: self._take(d, v, seen, raw) for d, v, seen, raw in rows}

    def _read_sqlite(self, session: Session, ids: list[int], skip_locked: bool) -> dict[int, Entry]:
        rows = session.execute(
            select(STATE.c.device_id, STATE.c.version, STATE.c.last_seen_at, STATE.c.states)
            .where(STATE.c.device_id.in_(ids))
            .order_by(STATE.c.device_id)
        )
        out = {}
        for d, v, seen, states in rows:
            cached = self._entries.get(d)
            raw = None if cached is not None and cached.version == v else (states or {})
            out[d] = self._take(d, v, seen, raw)
        return out

    def write(
        self, session: Session, entries: Sequence[Entry], *, encoded: dict[int, str] | None = None
    ) -> None:
        """Store these entries (each gets a new version) and keep them in memory. `encoded`:
        states already encoded (`encode`) by device id; the others are encoded here."""
        if not entries:
            return
        self._check_db(session)
        entries = sorted(entries, key=lambda e: e.device_id)  # lock order: no deadlocks
        for e in entries:
            e.version = _new_version()
        now = utcnow()
        if session.get_bind().dialect.name == "postgresql":
            dbapi: Any = session.connection().connection.dbapi_connection
            made = encoded or {}
            dumps = orjson.dumps
            with dbapi.cursor() as cur:
                if session.info.get(_TEMP_MADE) is not _innermost(session):
                    cur.execute(_PG_TEMP)  # (`lock` made it, unless no lock came first)
                with cur.copy("COPY rule_state_in FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(["int4", "int8", "timestamptz", "text"])
                    for e in entries:
                        states = made.get(e.device_id) or dumps(e.states).decode()
                        copy.write_row((e.device_id, e.version, e.last_seen_at, states))
                cur.execute(_PG_UPDATE, (now,))
        else:
            session.execute(
                update(STATE)
                .where(STATE.c.device_id == bindparam("b_device_id"))
                .values(
                    version=bindparam("b_version"),
                    last_seen_at=bindparam("b_last_seen_at"),
                    states=bindparam("b_states"),
                    updated_at=bindparam("b_updated_at"),
                ),
                [
                    {
                        "b_device_id": e.device_id,
                        "b_version": e.version,
                        "b_last_seen_at": e.last_seen_at,
                        "b_states": {k: s.to_json() for k, s in e.states.items()},
                        "b_updated_at": now,
                    }
                    for e in entries
                ],
            )
        for e in entries:
            self._entries[e.device_id] = e
        # RuleStateRow objects a session holds must not show stale states.
        for obj in list(session.identity_map.values()):
            if isinstance(obj, RuleStateRow):
                session.expire(obj)

    def forget(self) -> None:
        self._entries.clear()
