"""What every command needs: settings from options and environment, a console, a transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from sqlalchemy.orm import Session

from gaswarden.db.session import make_engine, make_session_factory, unit_of_work
from gaswarden.settings import Settings

console = Console()
err_console = Console(stderr=True)


def load_settings(data_dir: Path | None = None, database_url: str | None = None) -> Settings:
    overrides: dict[str, object] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    return Settings(**overrides)  # type: ignore[arg-type]


@contextmanager
def transaction(settings: Settings) -> Iterator[Session]:
    """The command owns the transaction: commit at the end, roll back on error."""
    engine = make_engine(settings)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()
