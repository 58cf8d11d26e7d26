"""cylinder location columns without foreign keys; triggers keep their delete rules

A scan moves a cylinder's site, vehicle, customer, gas batch and area; a foreign key checked
every new value with a locking read of the referenced row. The scan service now checks and
locks each referenced row once a batch, and these triggers do what the keys did when a
referenced row is deleted: a site's, vehicle's, customer's or gas batch's cylinders lose the
reference (ON DELETE SET NULL), an area that still has cylinders is not deleted (RESTRICT).

Revision ID: d1e2f3a4b5c6
Revises: c8f3d5e20b4a
Create Date: 2026-11-30 06:30:00
"""

from collections.abc import Callable, Sequence

from alembic import op
from alembic.operations import BatchOperations

revision: str = "d1e2f3a4b5c6"
down_revision: str | None = "c8f3d5e20b4a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (column, referenced table, what deleting a referenced row does)
KEYS = (
    ("site_id", "site", "SET NULL"),
    ("vehicle_id", "vehicle", "SET NULL"),
    ("customer_id", "customer", "SET NULL"),
    ("batch_id", "gas_batch", "SET NULL"),
    ("area_id", "area", "RESTRICT"),
)
CLEARED = [(column, table) for column, table, rule in KEYS if rule == "SET NULL"]
RESTRICT_MESSAGE = "area still has cylinders (cylinder.area_id)"

# The partial and expression indexes of cylinder, as 7a1c2d3e4f50 made them: SQLite rebuilds
# the table to drop a constraint, and its reflection does not carry an index's predicate or
# expression over, so they are made again there.
SQLITE_INDEXES = {
    "ix_cylinder_site_id": "(site_id) WHERE site_id IS NOT NULL",
    "ix_cylinder_customer_id": "(customer_id) WHERE customer_id IS NOT NULL",
    "ix_cylinder_user_recover_by": "((CASE WHEN next_inspection_on < life_ends_on"
    " THEN next_inspection_on ELSE life_ends_on END)) WHERE status = 'with_user'",
}


def _drop_sqlite_indexes() -> None:
    for name in SQLITE_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def _create_sqlite_indexes() -> None:
    for name, definition in SQLITE_INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON cylinder {definition}")


def _trigger(column: str) -> str:
    return f"gw_cylinder_{column}_on_delete"


def _rebuild(alter: Callable[[BatchOperations], None]) -> None:
    """Alter cylinder; SQLite copies it into a new table and drops the old one, and with its
    foreign keys on (they cannot be switched off inside the migration's transaction) that
    drop deletes the anomalies (ON DELETE CASCADE): they are kept aside and put back."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE TEMPORARY TABLE gw_kept_anomaly AS SELECT * FROM cylinder_anomaly")
    with op.batch_alter_table("cylinder") as batch:
        alter(batch)
    if sqlite:
        op.execute("INSERT INTO cylinder_anomaly SELECT * FROM gw_kept_anomaly")
        op.execute("DROP TABLE gw_kept_anomaly")


def _drop_keys(batch: BatchOperations) -> None:
    for column, table, _rule in KEYS:
        batch.drop_constraint(f"fk_cylinder_{column}_{table}", type_="foreignkey")


def _create_keys(batch: BatchOperations) -> None:
    for column, table, rule in KEYS:
        batch.create_foreign_key(
            f"fk_cylinder_{column}_{table}", table, [column], ["id"], ondelete=rule
        )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _drop_sqlite_indexes()  # made again below, predicates included
    _rebuild(_drop_keys)
    if dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION gw_cylinder_clear_reference() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN EXECUTE format('UPDATE cylinder SET %1$I = NULL WHERE %1$I = $1',"
            " TG_ARGV[0]) USING OLD.id; RETURN OLD; END $$"
        )
        for column, table in CLEARED:
            op.execute(
                f"CREATE TRIGGER {_trigger(column)} AFTER DELETE ON {table} FOR EACH ROW"
                f" EXECUTE FUNCTION gw_cylinder_clear_reference('{column}')"
            )
        op.execute(
            "CREATE FUNCTION gw_cylinder_area_restrict() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN IF EXISTS (SELECT 1 FROM cylinder WHERE area_id = OLD.id) THEN"
            f" RAISE EXCEPTION '{RESTRICT_MESSAGE}' USING ERRCODE = 'foreign_key_violation';"
            " END IF; RETURN OLD; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {_trigger('area_id')} BEFORE DELETE ON area FOR EACH ROW"
            " EXECUTE FUNCTION gw_cylinder_area_restrict()"
        )
        return
    _create_sqlite_indexes()
    for column, table in CLEARED:
        op.execute(
            f"CREATE TRIGGER {_trigger(column)} AFTER DELETE ON {table} FOR EACH ROW"
            f" BEGIN UPDATE cylinder SET {column} = NULL WHERE {column} = OLD.id; END"
        )
    op.execute(
        f"CREATE TRIGGER {_trigger('area_id')} BEFORE DELETE ON area FOR EACH ROW"
        " WHEN EXISTS (SELECT 1 FROM cylinder WHERE area_id = OLD.id)"
        f" BEGIN SELECT RAISE(ABORT, '{RESTRICT_MESSAGE}'); END"
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for column, table, _rule in KEYS:
        op.execute(f"DROP TRIGGER IF EXISTS {_trigger(column)}" + (
            f" ON {table}" if dialect == "postgresql" else ""
        ))  # fmt: skip
    if dialect == "postgresql":
        op.execute("DROP FUNCTION gw_cylinder_clear_reference()")
        op.execute("DROP FUNCTION gw_cylinder_area_restrict()")
    else:
        _drop_sqlite_indexes()
    _rebuild(_create_keys)
    if dialect == "sqlite":
        _create_sqlite_indexes()
