"""The bulk reads of one batch of scans about its cylinders and scans, one query each, never one
per scan: the stored outcomes of keys sent before, the cylinders (as a small mutable state,
since the batch moves them along the chain before writing them back), the customers' recent
deliveries, late cylinders' timelines. The references the scans name are in scan_refs.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

import psycopg
from sqlalchemy import ARRAY, ColumnElement, and_, any_, bindparam, case, func, literal, select
from sqlalchemy.orm import Session

from gaswarden.domains.cylinder.chain import Before
from gaswarden.domains.cylinder.enums import CylinderStatus, EventKind, EventResult, RefusalReason
from gaswarden.domains.cylinder.models import Cylinder, CylinderEvent

E = CylinderEvent
Rec = Any  # a reference a scan names (scan_refs' named tuples), read by attribute
APPLIED = (EventResult.ACCEPTED, EventResult.ANOMALY)

# The cylinder's columns the chain reads and writes back.
STATE_COLUMNS = (
    "id",
    "tag_code",
    "owner_id",
    "status",
    "revoked",
    "capacity_kg",
    "tare_kg",
    "made_on",
    "life_extended",
    "life_ends_on",
    "last_inspected_on",
    "next_inspection_on",
    "scrapped_on",
    "site_id",
    "vehicle_id",
    "customer_id",
    "holds_gas",
    "batch_id",
    "fill_event_id",
    "last_event_id",
    "last_event_at",
    "area_id",
    "lon",
    "lat",
)
# What a batch writes back (the archive's fixed facts stay as they are).
WRITTEN = tuple(
    c
    for c in STATE_COLUMNS
    if c not in ("id", "tag_code", "owner_id", "capacity_kg", "tare_kg", "made_on")
)


class CylState:
    """A cylinder's row as the batch moves it along; `changed` once anything moved."""

    __slots__ = (*STATE_COLUMNS, "changed")

    id: int
    tag_code: str
    owner_id: int | None
    status: CylinderStatus
    revoked: bool
    capacity_kg: int
    tare_kg: float
    made_on: date
    life_extended: bool
    life_ends_on: date
    last_inspected_on: date | None
    next_inspection_on: date
    scrapped_on: date | None
    site_id: int | None
    vehicle_id: int | None
    customer_id: int | None
    holds_gas: bool
    batch_id: int | None
    fill_event_id: int | None
    last_event_id: int | None
    last_event_at: datetime | None
    area_id: int | None
    lon: float | None
    lat: float | None
    changed: bool

    def __init__(self, row: Rec) -> None:
        # one unpacking, in STATE_COLUMNS' order (a setattr loop cost ~2 us a cylinder)
        (
            self.id,
            self.tag_code,
            self.owner_id,
            self.status,
            self.revoked,
            self.capacity_kg,
            self.tare_kg,
            self.made_on,
            self.life_extended,
            self.life_ends_on,
            self.last_inspected_on,
            self.next_inspection_on,
            self.scrapped_on,
            self.site_id,
            self.vehicle_id,
            self.customer_id,
            self.holds_gas,
            self.batch_id,
            self.fill_event_id,
            self.last_event_id,
            self.last_event_at,
            self.area_id,
            self.lon,
            self.lat,
        ) = row
        self.changed = False

    def written(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in WRITTEN}


@dataclass(slots=True)
class Step:
    """An applied scan on a cylinder's timeline (what a late scan is checked against)."""

    id: int
    at: datetime
    kind: EventKind
    status: CylinderStatus | None
    fill_event_id: int | None
    batch_id: int | None
    lon: float | None
    lat: float | None

    @property
    def order(self) -> tuple[datetime, int]:
        return self.at, self.id

    def left(self) -> Before:
        """The cylinder as this scan left it: what the scan after it is checked against."""
        return Before(
            status=self.status or CylinderStatus.IN_STOCK,
            holds_gas=self.fill_event_id is not None,
            fill_event_id=self.fill_event_id,
            batch_id=self.batch_id,
            lon=self.lon,
            lat=self.lat,
            at=self.at,
        )


def driver(session: Session) -> psycopg.Connection[Any] | None:
    """The psycopg connection under a PostgreSQL session, None on SQLite. The bulk reads of a
    batch go straight to it on PostgreSQL: plain tuples, none of SQLAlchemy's rows and result
    processors (measured at 1-2.5 us a row, thousands of rows a batch)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    dbapi = session.connection().connection.driver_connection
    assert dbapi is not None
    return dbapi


def among(session: Session, column: Any, values: Collection[Any]) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL `= ANY(array)`: one parameter, not thousands."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))


class Stored(NamedTuple):
    """A scan stored earlier under an idempotency key: what its outcome said."""

    key: str
    id: int
    result: EventResult
    reason: RefusalReason | None
    reason_text: str | None
    cylinder_id: int | None
    anomalies: list[str] | None
    status_after: CylinderStatus | None


_STORED_COLUMNS = (
    E.key,
    E.id,
    E.result,
    E.reason,
    E.reason_text,
    E.cylinder_id,
    E.anomalies,
    E.status_after,
)
# One probe of the (org_id, key) index per key, whatever the planner's statistics say (a plain
# `key = ANY(...)` may scan the enterprise's whole history while they are stale).
_PG_STORED = (
    "SELECT f.key, f.id, f.result, f.reason, f.reason_text, f.cylinder_id, f.anomalies,"
    " f.status_after FROM unnest(%b::varchar[]) AS w(k), LATERAL (SELECT * FROM cylinder_event e"
    " WHERE e.org_id = %b AND e.key = w.k LIMIT 1) AS f"
)
_RESULT = {r.value: r for r in EventResult}
_STATUS = {s.value: s for s in CylinderStatus}
_REASON = {r.value: r for r in RefusalReason}


def stored_outcomes(session: Session, org_id: int, keys: Collection[str]) -> dict[str, Stored]:
    """The scans already stored under these idempotency keys (one query)."""
    if not keys:
        return {}
    pg = driver(session)
    if pg is not None:
        with pg.cursor() as cur:
            cur.execute(_PG_STORED, (list(keys), org_id))
            return {
                key: Stored(
                    key,
                    id_,
                    _RESULT[result],
                    _REASON[reason] if reason is not None else None,
                    text,
                    cylinder_id,
                    anomalies,
                    _STATUS[status] if status is not None else None,
                )
                for key, id_, result, reason, text, cylinder_id, anomalies, status in cur
            }
    stmt = select(*_STORED_COLUMNS).where(E.org_id == org_id, E.key.in_(list(keys)))
    return {r.key: Stored._make(r) for r in session.execute(stmt).all()}


_PG_CYLINDERS = "SELECT {} FROM cylinder WHERE tag_code = ANY(%b::varchar[])".format(
    ", ".join(STATE_COLUMNS)
)
_STATUS_AT = STATE_COLUMNS.index("status")
_LAST_AT = STATE_COLUMNS.index("last_event_at")


def cylinders(session: Session, codes: Collection[str]) -> dict[str, CylState]:
    if not codes:
        return {}
    pg = driver(session)
    if pg is not None:  # measured 5 us a cylinder against 8 through SQLAlchemy's rows
        with pg.cursor() as cur:
            cur.execute(_PG_CYLINDERS, (sorted(codes),))
            out = {}
            for raw in cur.fetchall():
                row = list(raw)
                row[_STATUS_AT] = _STATUS[row[_STATUS_AT]]
                at = row[_LAST_AT]
                if at is not None:
                    row[_LAST_AT] = at.astimezone(UTC)  # as UTCDateTime gives it
                out[row[1]] = CylState(row)
            return out
    columns = [getattr(Cylinder, c) for c in STATE_COLUMNS]
    rows = session.execute(select(*columns).where(among(session, Cylinder.tag_code, codes))).all()
    return {r.tag_code: CylState(r) for r in rows}


# The applied deliveries of a batch's customers over the window before its deliveries. Those
# in (last - window, first] lie in the window of every delivery of the batch (each at a time
# in [first, last]): they come back summed, as one delivery at `first`; only the few at the
# window's edges come back one by one (a batch's deliveries span hours, the window 30 days).
# Every window's sum is the same. Measured in `gaswarden bench cylinders` (scale 0.1): a batch
# of 5,000 scans read 6,500 rows, now 1,060; the loader's instructions a scan (callgrind)
# fell from 304,000 to 280,000.
_APPLIED_DELIVERY = (
    f"kind = '{EventKind.DELIVER.value}'"
    f" AND result IN ({', '.join(repr(r.value) for r in APPLIED)})"
)
_PG_DELIVERIES = (
    "SELECT customer_id,"
    " CASE WHEN occurred_at > %(inner)s AND occurred_at <= %(first)s THEN %(first)s"
    " ELSE occurred_at END AS at, sum(coalesce(net_kg, 0))"
    " FROM cylinder_event"
    " WHERE customer_id = ANY(%(ids)b::int4[]) AND occurred_at > %(since)s"
    f" AND occurred_at <= %(last)s AND {_APPLIED_DELIVERY} GROUP BY 1, 2"
)


def deliveries(
    session: Session,
    customer_ids: Collection[int],
    first: datetime,
    last: datetime,
    window: timedelta,
) -> dict[int, list[tuple[datetime, float]]]:
    """(time, net kg) of the applied deliveries to these customers that a delivery at any
    time in [first, last] counts in its window (at - window, at]; those inside every such
    window summed into one at `first`."""
    out: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    if not customer_ids:
        return out
    params = {"first": first, "last": last, "since": first - window, "inner": last - window}
    pg = driver(session)
    if pg is not None:  # aware datetimes either way
        with pg.cursor() as cur:
            cur.execute(_PG_DELIVERIES, {**params, "ids": sorted(customer_ids)})
            for customer_id, at, kg in cur:
                out[customer_id].append((at, kg))
        return out
    inside = and_(E.occurred_at > params["inner"], E.occurred_at <= first)
    at = case((inside, literal(first, E.occurred_at.type)), else_=E.occurred_at).label("at")
    stmt = (
        select(E.customer_id, at, func.sum(func.coalesce(E.net_kg, 0.0)))
        .where(
            among(session, E.customer_id, customer_ids),
            E.occurred_at > params["since"],
            E.occurred_at <= last,
            E.kind == EventKind.DELIVER,
            E.result.in_(APPLIED),
        )
        .group_by(E.customer_id, at)
    )
    for customer_id, when, kg in session.execute(stmt).all():
        out[customer_id].append((when, kg))
    return out


# PostgreSQL: every late cylinder's timeline in one query, each through the timeline index
# (the loop below cost two round trips a cylinder, ~4 us of the loader's Python a scan in the
# benchmark). OFFSET 0 keeps the LATERAL subquery a nested loop, one index probe a cylinder:
# flattened, with the statistics of a table that grew since its last ANALYZE, the planner
# joined the arrays to a parallel scan of the whole table (seen at 3 million scans). One pass
# over the cylinder's scans, the start (its last applied scan before `since`) taken by a window
# over them: a condition on occurred_at let the planner AND the timeline index with the time
# index (BRIN), a lossy bitmap of a fifth of the table for each cylinder (~0.35 ms against
# ~0.03 ms a cylinder, measured at 1 million scans).
_PG_TIMELINES = (
    "SELECT l.cid, e.id, e.occurred_at, e.kind, e.status_after, e.fill_event_id, e.batch_id,"
    " e.lon, e.lat FROM unnest(%b::int4[], %b::timestamptz[]) AS l(cid, since),"
    " LATERAL (SELECT e.id, e.occurred_at, e.kind, e.status_after, e.fill_event_id,"
    " e.batch_id, e.lon, e.lat,"
    " max(e.occurred_at) FILTER (WHERE e.occurred_at < l.since) OVER () AS start"
    " FROM cylinder_event e WHERE e.cylinder_id = l.cid AND e.result IN ({}) OFFSET 0) AS e"
    " WHERE e.occurred_at >= COALESCE(e.start, '-infinity') ORDER BY l.cid, e.occurred_at, e.id"
).format(", ".join(repr(r.value) for r in APPLIED))
# The estimate of a few dozen index probes can pass jit_above_cost: compiling would cost
# more than the query (the scan's transaction runs nothing else that JIT would help).
_NO_JIT = "SET LOCAL jit = off"
_KIND = {k.value: k for k in EventKind}


def timelines(session: Session, since: dict[int, datetime]) -> dict[int, list[Step]]:
    """For cylinders with late scans: their applied scans from the one just before `since`
    (the earliest late scan) onward, in time order."""
    out: dict[int, list[Step]] = {}
    if not since:
        return out
    pg = driver(session)
    if pg is not None:
        ids = sorted(since)
        with pg.cursor() as cur:
            cur.execute(_NO_JIT)
            cur.execute(_PG_TIMELINES, (ids, [since[i] for i in ids]))
            for cid, id_, at, kind, status, fill_id, batch, lon, lat in cur:
                state = _STATUS[status] if status is not None else None
                step = Step(id_, at.astimezone(UTC), _KIND[kind], state, fill_id, batch, lon, lat)
                out.setdefault(cid, []).append(step)
        return out
    columns = (
        E.id,
        E.occurred_at,
        E.kind,
        E.status_after,
        E.fill_event_id,
        E.batch_id,
        E.lon,
        E.lat,
    )
    for cylinder_id, at in since.items():
        start = session.scalar(
            select(func.max(E.occurred_at)).where(
                E.cylinder_id == cylinder_id, E.occurred_at < at, E.result.in_(APPLIED)
            )
        )
        stmt = select(*columns).where(E.cylinder_id == cylinder_id, E.result.in_(APPLIED))
        if start is not None:
            stmt = stmt.where(E.occurred_at >= start)
        rows = session.execute(stmt.order_by(E.occurred_at, E.id)).all()
        out[cylinder_id] = [Step(*r) for r in rows]
    return out
