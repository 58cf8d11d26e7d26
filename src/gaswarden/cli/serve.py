"""gaswarden serve: the web UI and API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from gaswarden.app import create_app
from gaswarden.cli.common import console, err_console, load_settings
from gaswarden.db import migrate
from gaswarden.settings import INSECURE_DEV_KEY


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    data_dir: Annotated[Path | None, typer.Option("--data-dir")] = None,
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
) -> None:
    """Serve the web UI and the REST API. 启动Web界面与接口服务"""
    settings = load_settings(data_dir, database_url)
    if settings.secret_key == INSECURE_DEV_KEY:
        err_console.print(
            "[yellow]GASWARDEN_SECRET_KEY is not set: the development key signs cookies and "
            "encrypts personal data. Set your own before real data goes in. "
            "未设置密钥，请在录入真实数据前设置 GASWARDEN_SECRET_KEY。[/yellow]"
        )
    if migrate_first:
        migrate.upgrade(settings)
    run_server(create_app(settings), host, port)


def run_server(app: object, host: str, port: int) -> None:
    console.print(f"GasWarden on [bold]http://{host}:{port}[/bold]  (API: /api/v1/docs)")
    uvicorn.run(app, host=host, port=port, log_level="info")  # type: ignore[arg-type]
