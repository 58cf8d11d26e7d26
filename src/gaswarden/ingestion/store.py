"""Bulk writes of one batch: readings (COPY on PostgreSQL), events, latest values, hourly
roll-ups, device health and quarantine rows. Never the ORM per message.

On PostgreSQL the readings, latest values, roll-ups and health go through store_pg.py (COPY
and one statement); this module holds the SQLite path and what both share."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import Table, case, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gaswarden.domains.telemetry.models import (
    DeviceEventRecord,
    DeviceHealth,
    HourlyRollup,
    LatestValue,
    QuarantineRecord,
    Reading,
)
from gaswarden.ingestion import partitions, store_pg
from gaswarden.ingestion.contract import DeviceEvent, Rejection, StatusReport
from gaswarden.ingestion.contract import Reading as ReadingIn

PAYLOAD_KEEP = 2000  # characters of a refused payload kept in quarantine

READING: Table = Reading.__table__  # type: ignore[assignment]
LATEST: Table = LatestValue.__table__  # type: ignore[assignment]
HOURLY: Table = HourlyRollup.__table__  # type: ignore[assignment]
EVENT: Table = DeviceEventRecord.__table__  # type: ignore[assignment]
HEALTH: Table = DeviceHealth.__table__  # type: ignore[assignment]
QUARANTINE: Table = QuarantineRecord.__table__  # type: ignore[assignment]

ReadingKey = tuple[int, str, datetime]
EventKey = tuple[int, datetime, str]


@dataclass
class DeviceActivity:
    """What a batch says about one device's link, folded into device_health."""

    last_seen: datetime | None
    messages: int = 0
    rejections: int = 0
    online: bool = True
    battery_pct: float | None = None
    rssi_dbm: float | None = None
    firmware: str | None = None
    last_seq: int | None = None
    last_rejection_at: datetime | None = None


@dataclass
class Scope:
    owner_id: int | None
    area_id: int | None


@dataclass
class BatchWrite:
    readings: list[ReadingIn] = field(default_factory=list)
    events: list[DeviceEvent] = field(default_factory=list)
    statuses: list[StatusReport] = field(default_factory=list)
    rejections: list[tuple[Rejection, Scope]] = field(default_factory=list)
    activity: dict[int, DeviceActivity] = field(default_factory=dict)


def _insert(session: Session, table: Table) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


_known_months: set[tuple[str, tuple[int, int]]] = set()  # (database, month) known to exist


def _ensure_partitions(session: Session, readings: Sequence[ReadingIn]) -> None:
    """Create missing monthly partitions in a transaction of their own, committed at once: a
    partition made inside the batch's transaction would vanish if the batch rolled back while
    this process went on believing it exists."""
    engine = session.get_bind().engine
    url = str(engine.url)
    months = {partitions.month_of(r.ts) for r in readings}
    missing = {m for m in months if (url, m) not in _known_months}
    if not missing:
        return
    with engine.begin() as conn:
        have = partitions.existing(conn)
        partitions.create(conn, missing - have)
    _known_months.update((url, m) for m in months)


def insert_readings(
    session: Session, readings: Sequence[ReadingIn], received: datetime
) -> set[ReadingKey]:
    """SQLite: insert, skipping those already stored; the keys of the new ones."""
    if not readings:
        return set()
    stmt = (
        sqlite.insert(READING)
        .on_conflict_do_nothing()
        .returning(READING.c.device_id, READING.c.metric, READING.c.ts)
    )
    params = [
        {
            "device_id": r.device_id,
            "metric": r.metric,
            "ts": r.ts,
            "value": r.value,
            "seq": r.seq,
            "received_at": received,
        }
        for r in readings
    ]
    return {(d, m, t) for d, m, t in session.execute(stmt, params)}


def insert_events(session: Session, events: list[DeviceEvent], received: datetime) -> set[EventKey]:
    if not events:
        return set()
    stmt = (
        _insert(session, EVENT)
        .on_conflict_do_nothing()
        .returning(EVENT.c.device_id, EVENT.c.ts, EVENT.c.event)
    )
    params = [
        {
            "device_id": e.device_id,
            "ts": e.ts,
            "event": e.event,
            "detail": e.detail or None,
            "snapshot_url": e.snapshot_url,
            "received_at": received,
        }
        for e in sorted(events, key=lambda e: (e.device_id, e.ts, e.event.value))
    ]
    return {(d, t, str(k)) for d, t, k in session.execute(stmt, params)}


def upsert_latest(session: Session, readings: list[ReadingIn], received: datetime) -> None:
    """SQLite (PostgreSQL: store_pg)."""
    newest: dict[tuple[int, str], ReadingIn] = {}
    for r in readings:
        key = (r.device_id, r.metric)
        if key not in newest or r.ts >= newest[key].ts:
            newest[key] = r
    if not newest:
        return
    rows = [newest[k] for k in sorted(newest)]  # key order: two workers never deadlock
    stmt = _insert(session, LATEST)
    stmt = stmt.on_conflict_do_update(
        index_elements=[LATEST.c.device_id, LATEST.c.metric],
        set_={
            "ts": stmt.excluded.ts,
            "value": stmt.excluded.value,
            "seq": stmt.excluded.seq,
            "received_at": stmt.excluded.received_at,
        },
        where=LATEST.c.ts <= stmt.excluded.ts,  # a late catch-up never hides a newer value
    )
    session.execute(
        stmt,
        [
            {
                "device_id": r.device_id,
                "metric": r.metric,
                "ts": r.ts,
                "value": r.value,
                "seq": r.seq,
                "received_at": received,
            }
            for r in rows
        ],
    )


def upsert_hourly(session: Session, readings: list[ReadingIn]) -> None:
    """SQLite (PostgreSQL: store_pg)."""
    acc: dict[tuple[int, str, datetime], list[float]] = {}
    for r in readings:
        key = (r.device_id, r.metric, r.ts.replace(minute=0, second=0, microsecond=0))
        a = acc.get(key)
        if a is None:
            acc[key] = [r.value, r.value, r.value, 1]
        else:
            a[0] = min(a[0], r.value)
            a[1] = max(a[1], r.value)
            a[2] += r.value
            a[3] += 1
    if not acc:
        return
    keys = sorted(acc)  # key order: two workers never deadlock
    least, greatest = func.min, func.max  # SQLite's two-argument forms
    stmt = _insert(session, HOURLY)
    stmt = stmt.on_conflict_do_update(
        index_elements=[HOURLY.c.device_id, HOURLY.c.metric, HOURLY.c.hour],
        set_={
            "min": least(HOURLY.c.min, stmt.excluded.min),
            "max": greatest(HOURLY.c.max, stmt.excluded.max),
            "sum": HOURLY.c.sum + stmt.excluded.sum,
            "count": HOURLY.c.count + stmt.excluded.count,
        },
    )
    session.execute(
        stmt,
        [
            {
                "device_id": d,
                "metric": m,
                "hour": h,
                "min": a[0],
                "max": a[1],
                "sum": a[2],
                "count": int(a[3]),
            }
            for (d, m, h), a in ((k, acc[k]) for k in keys)
        ],
    )


def upsert_health(session: Session, activity: dict[int, DeviceActivity]) -> None:
    """SQLite (PostgreSQL: store_pg)."""
    if not activity:
        return
    greatest = func.max  # SQLite's two-argument form
    stmt = _insert(session, HEALTH)
    ex = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=[HEALTH.c.device_id],
        set_={
            "last_seen": greatest(
                func.coalesce(HEALTH.c.last_seen, ex.last_seen),
                func.coalesce(ex.last_seen, HEALTH.c.last_seen),
            ),
            # a batch with only refused messages says nothing of the link
            "online": case((ex.messages > 0, ex.online), else_=HEALTH.c.online),
            "battery_pct": func.coalesce(ex.battery_pct, HEALTH.c.battery_pct),
            "rssi_dbm": func.coalesce(ex.rssi_dbm, HEALTH.c.rssi_dbm),
            "firmware": func.coalesce(ex.firmware, HEALTH.c.firmware),
            "last_seq": func.coalesce(ex.last_seq, HEALTH.c.last_seq),
            "messages": HEALTH.c.messages + ex.messages,
            "rejections": HEALTH.c.rejections + ex.rejections,
            "last_rejection_at": func.coalesce(ex.last_rejection_at, HEALTH.c.last_rejection_at),
        },
    )
    session.execute(
        stmt,
        [
            {
                "device_id": device_id,
                "last_seen": a.last_seen,
                "online": a.online,
                "battery_pct": a.battery_pct,
                "rssi_dbm": a.rssi_dbm,
                "firmware": a.firmware,
                "last_seq": a.last_seq,
                "messages": a.messages,
                "rejections": a.rejections,
                "last_rejection_at": a.last_rejection_at,
            }
            for device_id, a in sorted(activity.items())  # key order: no deadlocks
        ],
    )


def insert_quarantine(session: Session, rejections: list[tuple[Rejection, Scope]]) -> None:
    if not rejections:
        return
    session.execute(
        QUARANTINE.insert(),
        [
            {
                "received_at": r.received_at,
                "transport": r.transport,
                "topic": (r.topic or None) and r.topic[:255],
                "serial": (r.serial or None) and r.serial[:64],
                "device_id": r.device_id,
                "reason": r.reason,
                "detail": r.detail[:500],
                "payload": r.payload[: PAYLOAD_KEEP * 4]
                .decode("utf-8", errors="backslashreplace")
                .replace("\x00", "\\x00")[:PAYLOAD_KEEP],
                "owner_id": scope.owner_id,
                "area_id": scope.area_id,
            }
            for r, scope in rejections
        ],
    )


def _health_rows(activity: dict[int, DeviceActivity]) -> list[tuple[Any, ...]]:
    """Rows in store_pg's health_in column order, in device id order (no deadlocks)."""
    return [
        (
            device_id,
            a.last_seen,
            a.online,
            a.battery_pct,
            a.rssi_dbm,
            a.firmware,
            a.last_seq,
            a.messages,
            a.rejections,
            a.last_rejection_at,
        )
        for device_id, a in sorted(activity.items())
    ]


def write(
    session: Session, batch: BatchWrite, received: datetime
) -> tuple[set[int], set[EventKey]]:
    """Everything of one batch, in the caller's transaction: the positions in
    `batch.readings` of readings already stored (duplicates), and the keys of the new events."""
    if _is_pg(session):
        if batch.readings:
            _ensure_partitions(session, batch.readings)
        dbapi: Any = session.connection().connection.dbapi_connection
        duplicates = store_pg.write(dbapi, batch.readings, _health_rows(batch.activity), received)
    else:
        new = insert_readings(session, batch.readings, received)
        duplicates = {
            n for n, r in enumerate(batch.readings) if (r.device_id, r.metric, r.ts) not in new
        }
        fresh = [r for n, r in enumerate(batch.readings) if n not in duplicates]
        upsert_latest(session, fresh, received)
        upsert_hourly(session, fresh)
        upsert_health(session, batch.activity)
    new_events = insert_events(session, batch.events, received)
    insert_quarantine(session, batch.rejections)
    return duplicates, new_events


def can_send_ahead(session: Session, batch: BatchWrite) -> bool:
    """Whether `sending` may store this batch: PostgreSQL, and no event (events are stored
    by a statement of their own, whose answer the consumers need first)."""
    return not batch.events and _is_pg(session)


@contextmanager
def sending(session: Session, batch: BatchWrite, received: datetime) -> Iterator[store_pg.Sent]:
    """`write` on PostgreSQL for a batch without events, the block run while the server
    stores the readings (see store_pg.sending); the duplicates' positions are in the yielded
    object's `duplicates` after the block."""
    if batch.readings:
        _ensure_partitions(session, batch.readings)
    dbapi: Any = session.connection().connection.dbapi_connection
    with store_pg.sending(dbapi, batch.readings, _health_rows(batch.activity), received) as sent:
        yield sent
    insert_quarantine(session, batch.rejections)


def fresh_readings(batch: BatchWrite, duplicates: set[int]) -> list[ReadingIn]:
    """The new readings, by device and then device time."""
    fresh = (
        batch.readings
        if not duplicates
        else [r for n, r in enumerate(batch.readings) if n not in duplicates]
    )
    return sorted(fresh, key=_by_device_time)


_by_device_time = attrgetter("device_id", "ts")
