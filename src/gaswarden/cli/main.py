"""The `gaswarden` command. Each group lives in its own module and is registered here."""

from __future__ import annotations

import typer

from gaswarden.cli import (
    bench,
    broker,
    db,
    demo,
    emergency,
    hazards,
    ingest,
    inspect,
    network,
    notify,
    report,
    serve,
    simulate,
    transfer,
    users,
)

app = typer.Typer(
    name="gaswarden",
    help="GasWarden 城镇燃气安全智慧监管平台 — urban gas safety supervision.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="user")
app.command("serve")(serve.serve)
for module in (
    demo,
    transfer,
    bench,
    simulate,
    ingest,
    broker,
    notify,
    hazards,
    inspect,
    report,
    network,
    emergency,
):
    module.register(app)
