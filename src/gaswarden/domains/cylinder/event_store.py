"""The bulk writes of one batch of scans: ids taken up front, the events in one COPY
(PostgreSQL) or one executemany (SQLite), the cylinders updated by primary key in one
executemany, late fills' re-links and the anomalies likewise. Never an ORM object per scan."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from gaswarden.domains.cylinder.lookups import WRITTEN, CylState
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


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def allocate_ids(session: Session, n: int) -> list[int]:
    """`n` new event ids, known before the insert (a fill's id is what its deliveries carry;
    a closed site's flag names the event). PostgreSQL: from the id sequence; SQLite, whose
    writers are serialised: after the largest id."""
    if n <= 0:
        return []
    if _postgres(session):
        rows = session.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('cylinder_event', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": n},
        ).scalars()
        return sorted(rows)
    top = session.scalar(select(func.max(EVENT.c.id))) or 0
    return list(range(top + 1, top + n + 1))


def _copy_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def insert_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Rows carry every column of cylinder_event (`anomalies` as a list or None)."""
    if not rows:
        return
    if _postgres(session):
        dbapi = session.connection().connection.driver_connection
        assert dbapi is not None
        columns = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
        with dbapi.cursor() as cur, cur.copy(f"COPY cylinder_event ({columns}) FROM STDIN") as cp:
            write = cp.write_row
            for row in rows:
                values = [_copy_value(row[c]) for c in EVENT_COLUMNS]
                anomalies = row["anomalies"]
                values[_ANOMALIES] = json.dumps(anomalies) if anomalies is not None else None
                write(values)
        return
    session.execute(insert(EVENT), list(rows))


_ANOMALIES = EVENT_COLUMNS.index("anomalies")


# PostgreSQL: one UPDATE ... FROM unnest(arrays): one round trip for the whole batch.
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
assert set(_PG_TYPES) == set(WRITTEN)
_PG_UPDATE = (
    "UPDATE cylinder AS c SET "
    + ", ".join(f"{n} = v.{n}" for n in WRITTEN)
    + ", updated_at = %(now)s FROM unnest(%(id)s::int4[], "
    + ", ".join(f"%({n})s::{t}[]" for n, t in _PG_TYPES.items())
    + ") AS v(id, "
    + ", ".join(_PG_TYPES)
    + ") WHERE c.id = v.id"
)


def _update_pg(session: Session, states: Sequence[CylState], now: datetime) -> None:
    ordered = sorted(states, key=lambda s: s.id)  # in key order: no deadlocks between writers
    params: dict[str, Any] = {"now": now, "id": [s.id for s in ordered]}
    for name in WRITTEN:
        values = [getattr(s, name) for s in ordered]
        params[name] = [v.value if isinstance(v, Enum) else v for v in values]
    dbapi = session.connection().connection.driver_connection
    assert dbapi is not None
    with dbapi.cursor() as cur:
        cur.execute(_PG_UPDATE, params)


def update_cylinders(session: Session, states: Sequence[CylState], now: datetime) -> None:
    if not states:
        return
    if _postgres(session):
        _update_pg(session, states, now)
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
