"""gaswarden db upgrade | downgrade | check | revision"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gaswarden.cli.common import console, load_settings
from gaswarden.db import migrate

app = typer.Typer(help="Database schema (Alembic migrations). 数据库迁移", no_args_is_help=True)

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="data directory (SQLite file)")]
DbUrl = Annotated[str | None, typer.Option("--database-url", help="SQLAlchemy URL")]


@app.command()
def upgrade(revision: str = "head", data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Bring the database schema up to date. 升级数据库结构"""
    settings = load_settings(data_dir, database_url)
    migrate.upgrade(settings, revision)
    console.print(f"[green]database at {revision}[/green]: {_safe(settings.resolved_database_url)}")


@app.command()
def downgrade(revision: str, data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Step the schema back to REVISION ('base' empties the database)."""
    migrate.downgrade(load_settings(data_dir, database_url), revision)
    console.print(f"database at {revision}")


@app.command()
def check(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Fail if the models and the migrations disagree (run after upgrade)."""
    migrate.check(load_settings(data_dir, database_url))
    console.print("[green]models and migrations agree[/green]")


@app.command()
def revision(message: str, data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Autogenerate a migration from the models (for developers)."""
    migrate.revision(load_settings(data_dir, database_url), message)


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
