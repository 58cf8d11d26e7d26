"""The `gaswarden` command. Each group lives in its own module and is registered here."""

from __future__ import annotations

import typer

from gaswarden.cli import db, serve, users

app = typer.Typer(
    name="gaswarden",
    help="GasWarden 城镇燃气安全智慧监管平台 — urban gas safety supervision.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="user")
app.command("serve")(serve.serve)


def _register_optional() -> None:
    """Groups added by later modules register themselves through `register(app)`."""
    import importlib

    for name in ("demo", "transfer", "bench", "simulate", "ingest", "broker", "notify"):
        try:
            module = importlib.import_module(f"gaswarden.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"gaswarden.cli.{name}":
                raise
            continue
        module.register(app)


_register_optional()
