"""rule_state.version (a random stamp per write, so ingest workers can keep states in
memory); the tables every ingest batch rewrites are updated in place (HOT) on PostgreSQL: no
index on their changing columns, free room in each page

Revision ID: e5f607182934
Revises: d4e5f6071823
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5f607182934"
down_revision: str | None = "d4e5f6071823"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


HOT_TABLES = ("rule_state", "device_health", "reading_latest", "reading_hourly")
FILLFACTOR = 70  # gaswarden.db.base.HOT_FILLFACTOR when this revision was written


def upgrade() -> None:
    with op.batch_alter_table("rule_state", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.drop_index(batch_op.f("ix_rule_state_last_seen_at"))
    with op.batch_alter_table("device_health", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_health_last_seen"))
    if op.get_bind().dialect.name == "postgresql":
        for table in HOT_TABLES:
            op.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in HOT_TABLES:
            op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
    with op.batch_alter_table("device_health", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_health_last_seen"), ["last_seen"], unique=False)
    with op.batch_alter_table("rule_state", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rule_state_last_seen_at"), ["last_seen_at"], unique=False
        )
        batch_op.drop_column("version")
