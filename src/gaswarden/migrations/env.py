"""Alembic environment: runs on SQLite and PostgreSQL with the same scripts."""

from __future__ import annotations

from alembic import context

from gaswarden.db.models import load_all
from gaswarden.db.session import make_engine
from gaswarden.settings import Settings

config = context.config
target_metadata = load_all().metadata


# Indexes on an SQL expression: PostgreSQL reflects them in its own formatting and SQLite not
# at all, so autogenerate cannot compare them; the migration creates them as written.
EXPRESSION_INDEXES = frozenset({"ix_cylinder_user_recover_by"})


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        settings = config.attributes.get("settings") or Settings(
            database_url=config.get_main_option("sqlalchemy.url")
        )
        engine = make_engine(settings)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # ALTER on SQLite
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")
run_migrations_online()
