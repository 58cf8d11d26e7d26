"""gaswarden serve: the web UI and API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from gaswarden.app import create_app
from gaswarden.cli.common import console, load_settings
from gaswarden.db import migrate


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    data_dir: Annotated[Path | None, typer.Option("--data-dir")] = None,
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
) -> None:
    """Serve the web UI and the REST API. 启动Web界面与接口服务"""
    settings = load_settings(data_dir, database_url)
    if migrate_first:
        migrate.upgrade(settings)
    run_server(create_app(settings), host, port)


def run_server(app: object, host: str, port: int) -> None:
    console.print(f"GasWarden on [bold]http://{host}:{port}[/bold]  (API: /api/v1/docs)")
    uvicorn.run(app, host=host, port=port, log_level="info")  # type: ignore[arg-type]
