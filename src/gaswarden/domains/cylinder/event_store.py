"""The bulk writes of one batch of scans: ids taken up front, the events in one COPY
(PostgreSQL, binary) or one executemany (SQLite), the cylinders updated by primary key (a
binary COPY of their new states and one UPDATE on PostgreSQL, one executemany on SQLite), late
fills' re-links and the anomalies in one executemany each. Never an ORM object per scan."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from operator import attrgetter, itemgetter
from typing import Any

import psycopg
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    Integer,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gaswarden.core.errors import Conflict
from gaswarden.db.types import UTCDateTime
from gaswarden.domains.cylinder.lookups import WRITTEN, CylState, driver
from gaswarden.domains.cylinder.models import Cylinder, CylinderAnomaly, CylinderEvent

EVENT: Table = CylinderEvent.__table__  # type: ignore[assignment]
CYLINDER: Table = Cylinder.__table__  # type: ignore[assignment]
ANOMALY: Table = CylinderAnomaly.__table__  # type: ignore[assignment]

EVENT_COLUMNS: tuple[str, ...] = tuple(c.name for c in EVENT.columns)

_UPDATE_CYLINDER = (
    update(CYLINDER)
    .where(CYLINDER.c.id == bindparam("_id"))
    .values({name: bindparam(f"v_{name}") for name in (*WRITTEN, "updated_at")})
)
_RELINK = (
    update(EVENT)
    .where(EVENT.c.id == bindparam("_id"))
    .values(batch_id=bindparam("v_batch"), fill_event_id=bindparam("v_fill"))
)


# The sequence looked up once (materialised): pg_get_serial_sequence() in the select list ran
# a catalog lookup for each of the batch's ids (~2.5 us a scan of the server's time). The ids
# come back as one array (one binary value), not a row each.
_PG_ALLOCATE = (
    "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence('cylinder_event', 'id')::regclass"
    " AS seq) SELECT array_agg(nextval(s.seq)) FROM s, generate_series(1, %s)"
)


def allocate_ids(session: Session, n: int) -> list[int]:
    """`n` new event ids, known before the insert (a fill's id is what its deliveries carry;
    a closed site's flag names the event). PostgreSQL: from the id sequence; SQLite, whose
    writers are serialised: after the largest id."""
    if n <= 0:
        return []
    pg = driver(session)
    if pg is not None:
        with pg.cursor(binary=True) as cur:
            cur.execute(_PG_ALLOCATE, (n,))
            row = cur.fetchone()
            assert row is not None
            return sorted(row[0])
    top = session.scalar(select(func.max(EVENT.c.id))) or 0
    return list(range(top + 1, top + n + 1))


def _pg_type(column: Any) -> str:
    """The PostgreSQL type a binary COPY sends a column's values as."""
    kind = column.type
    if isinstance(kind, String):  # also the enums (StrEnum members are str)
        return "varchar"
    if isinstance(kind, UTCDateTime):
        return "timestamptz"
    if isinstance(kind, BigInteger):
        return "int8"
    if isinstance(kind, Integer):
        return "int4"
    if isinstance(kind, Float):
        return "float8"
    if isinstance(kind, Boolean):
        return "bool"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, JSON):
        return "json"  # the dumper serialises the list itself
    raise TypeError(f"no COPY type for {column.name}: {kind!r}")


EVENT_TYPES: tuple[str, ...] = tuple(_pg_type(c) for c in EVENT.columns)
_COPY_EVENTS = "COPY cylinder_event ({}) FROM STDIN (FORMAT BINARY)".format(
    ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
)


KEY_CONSTRAINT = "uq_cylinder_event_org_id_key"  # (org_id, key): the idempotency key


def insert_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Rows carry every column of cylinder_event (`anomalies` as a list or None).
    PostgreSQL: one binary COPY (the values go as they are: no text formatting)."""
    if not rows:
        return
    try:
        pg = driver(session)
        if pg is not None:
            getter = itemgetter(*EVENT_COLUMNS)
            with pg.cursor() as cur, cur.copy(_COPY_EVENTS) as cp:
                cp.set_types(list(EVENT_TYPES))
                write = cp.write_row
                for row in rows:
                    write(getter(row))
            return
        session.execute(insert(EVENT), list(rows))
    except (IntegrityError, psycopg.errors.UniqueViolation) as exc:
        if KEY_CONSTRAINT not in str(exc) and "cylinder_event.org_id" not in str(exc):
            raise
        # Another request stored a scan with one of these keys after this one looked them
        # up (two sends of the same offline queue at once): nothing of this one is kept.
        raise Conflict(
            "另一请求正在保存其中的扫码记录,请重发(将返回已保存的结果) "
            "another request stored some of these scans meanwhile: send them again, "
            "the stored outcomes come back"
        ) from exc


# PostgreSQL: the new states by binary COPY into a temporary table of the session, then one
# UPDATE ... FROM it (measured against the former UPDATE ... FROM unnest(18 binary arrays):
# Python 4.6 -> ~1.5 us a cylinder, the server's unnest 2-6 us a row -> ~1). The table is the
# connection's; emptied before each use (two submits in one transaction) and at commit.
_PG_TYPES = {
    "status": "varchar",
    "revoked": "bool",
    "life_extended": "bool",
    "life_ends_on": "date",
    "last_inspected_on": "date",
    "next_inspection_on": "date",
    "scrapped_on": "date",
    "site_id": "int4",
    "vehicle_id": "int4",
    "customer_id": "int4",
    "holds_gas": "bool",
    "batch_id": "int4",
    "fill_event_id": "int8",
    "last_event_id": "int8",
    "last_event_at": "timestamptz",
    "area_id": "int4",
    "lon": "float8",
    "lat": "float8",
}
assert tuple(_PG_TYPES) == WRITTEN
_STATES_TABLE = "gw_cylinder_states"
_CREATE_STATES = (
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STATES_TABLE} (id int4, "
    + ", ".join(f"{n} {t}" for n, t in _PG_TYPES.items())
    + f") ON COMMIT DELETE ROWS; DELETE FROM {_STATES_TABLE}"
)
_COPY_STATES = f"COPY {_STATES_TABLE} (id, {', '.join(WRITTEN)}) FROM STDIN (FORMAT BINARY)"
# `c.id = ANY(ids)`: the cylinders by their primary key. Without it the planner, which knows
# nothing of the temporary table's size, joins it to the whole cylinder table (a seq scan or
# a full index scan per batch: 100,000 rows at scale 0.1, ten times that at full size).
_PG_UPDATE = (
    "UPDATE cylinder AS c SET "
    + ", ".join(f"{n} = v.{n}" for n in WRITTEN)
    + f", updated_at = %(now)s FROM {_STATES_TABLE} AS v"
    " WHERE c.id = v.id AND c.id = ANY(%(id)b::int4[])"
)
_STATE_TYPES = ["int4", *_PG_TYPES.values()]
_STATE_ROW = attrgetter("id", *WRITTEN)


def _update_pg(pg: psycopg.Connection[Any], states: Sequence[CylState], now: datetime) -> None:
    ordered = sorted(states, key=attrgetter("id"))  # in key order: no deadlocks between writers
    with pg.cursor() as cur:
        # created every time: a transaction that created it and rolled back took it along
        # (a notice when it exists, ~0.1 ms)
        cur.execute(_CREATE_STATES)
        with cur.copy(_COPY_STATES) as cp:
            cp.set_types(_STATE_TYPES)
            write = cp.write_row
            for state in ordered:
                write(_STATE_ROW(state))
        cur.execute(_PG_UPDATE, {"now": now, "id": [s.id for s in ordered]})


def update_cylinders(session: Session, states: Sequence[CylState], now: datetime) -> None:
    if not states:
        return
    pg = driver(session)
    if pg is not None:
        _update_pg(pg, states, now)
        return
    params = []
    for s in sorted(states, key=lambda s: s.id):  # in key order: no deadlocks between writers
        values = {f"v_{name}": value for name, value in s.written().items()}
        values["_id"], values["v_updated_at"] = s.id, now
        params.append(values)
    session.execute(_UPDATE_CYLINDER, params)


def relink(session: Session, links: dict[int, tuple[int | None, int | None]]) -> None:
    """Set (batch_id, fill_event_id) of stored events re-linked to a late fill."""
    if not links:
        return
    params = [
        {"_id": event_id, "v_batch": batch_id, "v_fill": fill_id}
        for event_id, (batch_id, fill_id) in sorted(links.items())
    ]
    session.execute(_RELINK, params)


def insert_anomalies(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(ANOMALY), list(rows))
