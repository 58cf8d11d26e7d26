"""telemetry readings, latest values, quarantine, device health

Revision ID: b2c3d4e5f601
Revises: 92b6c1febefa
Create Date: 2026-11-29

On PostgreSQL `reading` is range-partitioned by ts, one partition a month, kept in the schema
`reading_part` (so that schema comparison sees only the parent); ingestion/partitions.py
creates months ahead and drops those past the retention setting.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import gaswarden.db.types

revision: str = "b2c3d4e5f601"
down_revision: str | None = "92b6c1febefa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTITION_SCHEMA = "reading_part"

REJECT_REASONS = (
    "malformed_json",
    "bad_shape",
    "wrong_type",
    "not_finite",
    "impossible_value",
    "ts_future",
    "ts_past",
    "oversize",
    "unknown_metric",
    "unknown_event",
    "unknown_device",
    "bad_token",
    "decommissioned",
    "bad_topic",
)
EVENT_KINDS = (
    "intrusion",
    "tamper",
    "fault",
    "power_loss",
    "valve_closed",
    "self_test",
    "smoke",
    "fire",
    "open_flame",
    "smoking",
    "restricted_zone",
    "no_ppe",
)


def _month(year: int, month: int, add: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + add
    return index // 12, index % 12 + 1


def _partitioned_reading() -> None:
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {PARTITION_SCHEMA}")
    op.execute(
        """
        CREATE TABLE reading (
            device_id INTEGER NOT NULL,
            metric VARCHAR(32) NOT NULL,
            ts TIMESTAMP WITH TIME ZONE NOT NULL,
            value FLOAT NOT NULL,
            seq BIGINT,
            received_at TIMESTAMP WITH TIME ZONE NOT NULL,
            CONSTRAINT pk_reading PRIMARY KEY (device_id, metric, ts)
        ) PARTITION BY RANGE (ts)
        """
    )
    now = datetime.now(UTC)
    for add in range(-2, 4):  # the backlog a device may send, and months ahead
        y, m = _month(now.year, now.month, add)
        ny, nm = _month(now.year, now.month, add + 1)
        op.execute(
            f"CREATE TABLE IF NOT EXISTS {PARTITION_SCHEMA}.reading_p{y:04d}{m:02d} "
            f"PARTITION OF reading FOR VALUES FROM ('{y:04d}-{m:02d}-01 00:00+00') "
            f"TO ('{ny:04d}-{nm:02d}-01 00:00+00')"
        )


def upgrade() -> None:
    op.create_table(
        "quarantine",
        sa.Column("received_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("transport", sa.String(length=16), nullable=False),
        sa.Column("topic", sa.String(length=255), nullable=True),
        sa.Column("serial", sa.String(length=64), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column(
            "reason",
            sa.Enum(*REJECT_REASONS, name="rejectreason", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine")),
    )
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        for column in ("area_id", "device_id", "owner_id", "reason", "received_at", "serial"):
            batch_op.create_index(batch_op.f(f"ix_quarantine_{column}"), [column], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        _partitioned_reading()
    else:
        op.create_table(
            "reading",
            sa.Column("device_id", sa.Integer(), nullable=False),
            sa.Column("metric", sa.String(length=32), nullable=False),
            sa.Column("ts", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
            sa.Column("value", sa.Float(), nullable=False),
            sa.Column("seq", sa.BigInteger(), nullable=True),
            sa.Column("received_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("device_id", "metric", "ts", name=op.f("pk_reading")),
        )
    op.create_table(
        "device_event",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("ts", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "event",
            sa.Enum(*EVENT_KINDS, name="eventkind", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("snapshot_url", sa.String(length=1000), nullable=True),
        sa.Column("received_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device.id"],
            name=op.f("fk_device_event_device_id_device"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_event")),
        sa.UniqueConstraint(
            "device_id", "ts", "event", name=op.f("uq_device_event_device_id_ts_event")
        ),
    )
    op.create_table(
        "device_health",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("last_seen", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("battery_pct", sa.Float(), nullable=True),
        sa.Column("rssi_dbm", sa.Float(), nullable=True),
        sa.Column("firmware", sa.String(length=64), nullable=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=True),
        sa.Column("messages", sa.BigInteger(), nullable=False),
        sa.Column("rejections", sa.BigInteger(), nullable=False),
        sa.Column(
            "last_rejection_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device.id"],
            name=op.f("fk_device_health_device_id_device"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_device_health")),
    )
    with op.batch_alter_table("device_health", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_health_last_seen"), ["last_seen"])

    for table, key in (("reading_hourly", "hour"), ("reading_latest", None)):
        columns: list[sa.Column] = [
            sa.Column("device_id", sa.Integer(), nullable=False),
            sa.Column("metric", sa.String(length=32), nullable=False),
        ]
        if key == "hour":
            columns += [
                sa.Column("hour", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
                sa.Column("min", sa.Float(), nullable=False),
                sa.Column("max", sa.Float(), nullable=False),
                sa.Column("sum", sa.Float(), nullable=False),
                sa.Column("count", sa.Integer(), nullable=False),
            ]
            pk: tuple[str, ...] = ("device_id", "metric", "hour")
        else:
            columns += [
                sa.Column("ts", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
                sa.Column("value", sa.Float(), nullable=False),
                sa.Column("seq", sa.BigInteger(), nullable=True),
                sa.Column(
                    "received_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False
                ),
            ]
            pk = ("device_id", "metric")
        op.create_table(
            table,
            *columns,
            sa.ForeignKeyConstraint(
                ["device_id"],
                ["device.id"],
                name=op.f(f"fk_{table}_device_id_device"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint(*pk, name=op.f(f"pk_{table}")),
        )


def downgrade() -> None:
    for table in (
        "reading_latest",
        "reading_hourly",
        "device_health",
        "device_event",
        "reading",
        "quarantine",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP SCHEMA IF EXISTS {PARTITION_SCHEMA} CASCADE")
