"""one open leak per network

Revision ID: b7e2c4d19a3f
Revises: a4d9b6049b30
Create Date: 2026-11-29 17:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7e2c4d19a3f"
down_revision: str | None = "a4d9b6049b30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_LEAK = "status IN ('suspected', 'confirmed')"


def upgrade() -> None:
    # Close all but the newest open leak of a network first (two watchers may have raced).
    op.execute(
        "UPDATE network_leak SET status = 'false_alarm' WHERE status IN ('suspected', "
        "'confirmed') AND id NOT IN (SELECT MAX(id) FROM network_leak WHERE status IN "
        "('suspected', 'confirmed') GROUP BY network_id)"
    )
    op.create_index(
        "ux_network_leak_open",
        "network_leak",
        ["network_id"],
        unique=True,
        postgresql_where=sa.text(OPEN_LEAK),
        sqlite_where=sa.text(OPEN_LEAK),
    )


def downgrade() -> None:
    op.drop_index("ux_network_leak_open", table_name="network_leak")
