"""Monthly partitions of `reading` on PostgreSQL: made ahead, dropped past the retention.

On SQLite (one table) retention is a DELETE of old rows. Roll-ups are kept.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, text

from gaswarden.domains.telemetry.models import Reading
from gaswarden.ingestion.contract import MAX_BACKLOG

SCHEMA = "reading_part"  # the migration makes it; alembic compares only the default schema
_NAME = re.compile(r"^reading_p(\d{4})(\d{2})$")
MONTHS_AHEAD = 2


def month_of(ts: datetime) -> tuple[int, int]:
    return ts.year, ts.month


def _next(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def existing(conn: Connection) -> set[tuple[int, int]]:
    rows = conn.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'reading'"
        )
    ).scalars()
    months = set()
    for name in rows:
        match = _NAME.match(name)
        if match:
            months.add((int(match[1]), int(match[2])))
    return months


def create(conn: Connection, months: set[tuple[int, int]]) -> None:
    for year, month in sorted(months):
        ny, nm = _next(year, month)
        conn.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS {SCHEMA}.reading_p{year:04d}{month:02d} "
                f"PARTITION OF reading FOR VALUES FROM ('{year:04d}-{month:02d}-01 00:00+00') "
                f"TO ('{ny:04d}-{nm:02d}-01 00:00+00')"
            )
        )


def wanted(now: datetime) -> set[tuple[int, int]]:
    """From the oldest month a device may catch up with to MONTHS_AHEAD ahead."""
    months = set()
    cursor = month_of(now - MAX_BACKLOG)
    end = month_of(now)
    for _ in range(MONTHS_AHEAD):
        end = _next(*end)
    while cursor <= end:
        months.add(cursor)
        cursor = _next(*cursor)
    return months


def maintain(conn: Connection, *, retention_days: int, now: datetime | None = None) -> list[str]:
    """Create the months ahead and drop (or delete) what is past the retention; what was
    dropped is returned."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=retention_days)
    if conn.dialect.name != "postgresql":
        deleted = conn.execute(delete(Reading).where(Reading.ts < cutoff))
        return [f"{deleted.rowcount} rows"] if deleted.rowcount else []
    have = existing(conn)
    create(conn, wanted(now) - have)
    dropped = []
    for year, month in sorted(have):
        ny, nm = _next(year, month)
        if datetime(ny, nm, 1, tzinfo=UTC) <= cutoff:  # the whole month is past the cutoff
            name = f"{SCHEMA}.reading_p{year:04d}{month:02d}"
            conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
            dropped.append(name)
    return dropped
