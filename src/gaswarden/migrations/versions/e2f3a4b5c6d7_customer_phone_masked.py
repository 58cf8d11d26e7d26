"""customer: the phone masked, beside the protected one

Revision ID: e2f3a4b5c6d7
Revises: d1e2f3a4b5c6
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gaswarden.core.protect import mask_phone
from gaswarden.db.types import dialect_protector

revision: str = "e2f3a4b5c6d7"
down_revision: str | None = "d1e2f3a4b5c6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 5000


def upgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_masked", sa.String(length=24), nullable=True))
    # The customers already registered: each phone decrypted once, with the secret key the
    # platform runs with (a wrong key stops the upgrade, as it would stop every page).
    bind = op.get_bind()
    protector = dialect_protector(bind.dialect)
    customer = sa.table(
        "customer",
        sa.column("id", sa.Integer),
        sa.column("phone", sa.Text),
        sa.column("phone_masked", sa.String),
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(customer.c.id, customer.c.phone)
            .where(customer.c.id > last, customer.c.phone.is_not(None))
            .order_by(customer.c.id)
            .limit(_CHUNK)
        ).all()
        if not rows:
            break
        bind.execute(
            customer.update()
            .where(customer.c.id == sa.bindparam("_id"))
            .values(phone_masked=sa.bindparam("_masked")),
            [{"_id": i, "_masked": mask_phone(protector.decrypt(phone))} for i, phone in rows],
        )
        last = rows[-1][0]


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN on both (SQLite 3.35+): a batch rebuild of `customer` on
    # SQLite would drop the old table, and with it (ON DELETE CASCADE) the safety checks
    op.execute("ALTER TABLE customer DROP COLUMN phone_masked")
