"""attachment content type long enough for documents

Revision ID: c8f3d5e20b4a
Revises: b7e2c4d19a3f
Create Date: 2026-11-29 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c8f3d5e20b4a"
down_revision: str | None = "b7e2c4d19a3f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attachment") as batch:
        batch.alter_column(
            "content_type", existing_type=sa.String(length=60), type_=sa.String(length=100)
        )


def downgrade() -> None:
    with op.batch_alter_table("attachment") as batch:
        batch.alter_column(
            "content_type", existing_type=sa.String(length=100), type_=sa.String(length=60)
        )
