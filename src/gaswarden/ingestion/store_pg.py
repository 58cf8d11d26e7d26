"""The PostgreSQL write of one batch: binary COPY into session temp tables, then one statement.

Readings go through `reading_in` and device health through `health_in` (binary COPY: about a
fifth of the cost of passing arrays). One statement of data-modifying CTEs then inserts the
readings (duplicates skipped), upserts the latest values and the hourly roll-ups from exactly
the rows that were new, upserts device health, empties the temp tables and answers with the
positions of the readings that were duplicates: one round trip, no per-row result shipped back
in the usual case.

Every upsert takes its rows in key order, so two workers never deadlock on them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from gaswarden.ingestion.contract import Reading

_TEMP_TABLES = (
    "CREATE TEMP TABLE IF NOT EXISTS reading_in (n int4, device_id int4, metric varchar(32), "
    "ts timestamptz, value float8, seq int8) ON COMMIT DELETE ROWS; "
    "CREATE TEMP TABLE IF NOT EXISTS health_in (device_id int4, last_seen timestamptz, "
    "online bool, battery_pct float8, rssi_dbm float8, firmware varchar(64), last_seq int8, "
    "messages int8, rejections int8, last_rejection_at timestamptz) ON COMMIT DELETE ROWS"
)
_READING_TYPES = ["int4", "int4", "varchar", "timestamptz", "float8", "int8"]
_HEALTH_TYPES = [
    "int4",
    "timestamptz",
    "bool",
    "float8",
    "float8",
    "varchar",
    "int8",
    "int8",
    "int8",
    "timestamptz",
]

_READINGS_CTE = """
ins AS (
  INSERT INTO reading (device_id, metric, ts, value, seq, received_at)
  SELECT device_id, metric, ts, value, seq, %(received)s FROM reading_in
  ORDER BY device_id, metric, ts
  ON CONFLICT DO NOTHING
  RETURNING device_id, metric, ts, value, seq
), latest AS (
  INSERT INTO reading_latest (device_id, metric, ts, value, seq, received_at)
  SELECT DISTINCT ON (device_id, metric) device_id, metric, ts, value, seq, %(received)s
  FROM ins ORDER BY device_id, metric, ts DESC
  ON CONFLICT (device_id, metric) DO UPDATE SET ts = excluded.ts, value = excluded.value,
    seq = excluded.seq, received_at = excluded.received_at
  WHERE reading_latest.ts <= excluded.ts
), hourly AS (
  INSERT INTO reading_hourly (device_id, metric, hour, min, max, sum, count)
  SELECT device_id, metric, date_trunc('hour', ts, 'UTC'), min(value), max(value),
    sum(value), count(*)
  FROM ins GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (device_id, metric, hour) DO UPDATE SET
    min = least(reading_hourly.min, excluded.min),
    max = greatest(reading_hourly.max, excluded.max),
    sum = reading_hourly.sum + excluded.sum,
    count = reading_hourly.count + excluded.count
)"""

_HEALTH_CTE = """
health AS (
  INSERT INTO device_health (device_id, last_seen, online, battery_pct, rssi_dbm, firmware,
    last_seq, messages, rejections, last_rejection_at)
  SELECT * FROM health_in ORDER BY device_id
  ON CONFLICT (device_id) DO UPDATE SET
    last_seen = greatest(coalesce(device_health.last_seen, excluded.last_seen),
                         coalesce(excluded.last_seen, device_health.last_seen)),
    online = CASE WHEN excluded.messages > 0 THEN excluded.online ELSE device_health.online END,
    battery_pct = coalesce(excluded.battery_pct, device_health.battery_pct),
    rssi_dbm = coalesce(excluded.rssi_dbm, device_health.rssi_dbm),
    firmware = coalesce(excluded.firmware, device_health.firmware),
    last_seq = coalesce(excluded.last_seq, device_health.last_seq),
    messages = device_health.messages + excluded.messages,
    rejections = device_health.rejections + excluded.rejections,
    last_rejection_at = coalesce(excluded.last_rejection_at, device_health.last_rejection_at)
)"""

# The same statement empties the temp tables (every part of it sees the rows as they were
# when it began): the next batch of this transaction, if any, starts from nothing. The commit
# truncates them as well (ON COMMIT DELETE ROWS): nobody vacuums temp tables, and deleted rows
# left in them would be scanned again by every later batch of the connection.
_EMPTY_CTE = """
emptied AS (DELETE FROM reading_in), emptied_health AS (DELETE FROM health_in)"""

# The positions of the duplicates; the usual batch has none, seen by comparing two counts (a
# one-time filter): the anti join of every row against what was inserted then never runs.
_DUPLICATES = (
    "SELECT i.n FROM reading_in i "
    "WHERE (SELECT count(*) FROM ins) < (SELECT count(*) FROM reading_in) "
    "AND NOT EXISTS (SELECT 1 FROM ins WHERE "
    "ins.device_id = i.device_id AND ins.metric = i.metric AND ins.ts = i.ts)"
)


def _fill(cur: Any, readings: Sequence[Reading], health: Sequence[tuple[Any, ...]]) -> None:
    """The batch's rows into the session's temp tables (binary COPY)."""
    # every batch: a temp table made in a transaction that rolled back is gone again
    cur.execute(_TEMP_TABLES)
    if readings:
        with cur.copy(
            "COPY reading_in (n, device_id, metric, ts, value, seq) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(_READING_TYPES)
            write_row = copy.write_row
            for n, r in enumerate(readings):
                write_row((n, r.device_id, r.metric, r.ts, r.value, r.seq))
    if health:
        with cur.copy("COPY health_in FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(_HEALTH_TYPES)
            for row in health:
                copy.write_row(row)


def _statement(readings: Sequence[Reading], health: Sequence[tuple[Any, ...]]) -> str:
    ctes = [c for c, use in ((_READINGS_CTE, readings), (_HEALTH_CTE, health)) if use]
    ctes.append(_EMPTY_CTE)
    final = _DUPLICATES if readings else "SELECT NULL::int4 WHERE false"
    return "WITH " + ",".join(ctes) + " " + final


def write(
    dbapi: Any,
    readings: Sequence[Reading],
    health: Sequence[tuple[Any, ...]],
    received: datetime,
) -> set[int]:
    """Store readings and health rows (tuples in `health_in` column order, sorted by device);
    the positions in `readings` of those already stored (duplicates)."""
    if not readings and not health:
        return set()
    with dbapi.cursor() as cur:
        _fill(cur, readings, health)
        cur.execute(_statement(readings, health), {"received": received})
        return {n for (n,) in cur.fetchall()}


class Sent:
    """The answer of a statement sent by `sending`: set once its block has run."""

    __slots__ = ("duplicates",)

    def __init__(self) -> None:
        self.duplicates: set[int] = set()


@contextmanager
def sending(
    dbapi: Any,
    readings: Sequence[Reading],
    health: Sequence[tuple[Any, ...]],
    received: datetime,
) -> Iterator[Sent]:
    """`write`, with the block run while the server executes the statement: the rows are
    copied, the statement sent in pipeline mode (not waited for), the block runs (it must not
    use the connection), then the answer is read into the Sent the block was given."""
    out = Sent()
    if not readings and not health:
        yield out
        return
    with dbapi.cursor() as cur:
        _fill(cur, readings, health)
        with dbapi.pipeline():
            cur.execute(_statement(readings, health), {"received": received})
            yield out
            out.duplicates = {n for (n,) in cur.fetchall()}
