"""Alembic environment: runs on SQLite and PostgreSQL with the same scripts."""

from __future__ import annotations

from alembic import context

from gaswarden.db.models import load_all
from gaswarden.db.session import make_engine
from gaswarden.settings import Settings

config = context.config
target_metadata = load_all().metadata


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
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")
run_migrations_online()
