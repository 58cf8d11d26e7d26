"""codes compared byte by byte on PostgreSQL (COLLATE "C")

Revision ID: f3a4b5c6d7e8
Revises: e2f3a4b5c6d7
Create Date: 2026-11-30 09:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f3a4b5c6d7e8"
down_revision: str | None = "e2f3a4b5c6d7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, length): the codes looked up by the thousand (db.types.code_string)
CODES = (("cylinder", "tag_code", 40), ("cylinder_event", "key", 80), ("customer", "code", 32))


def _collate(collation: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite compares bytes already (BINARY)
    for table, column, length in CODES:
        # the same type in another collation: the indexes on the column are rebuilt
        op.execute(
            f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "{collation}"'
        )


def upgrade() -> None:
    _collate("C")


def downgrade() -> None:
    _collate("default")
