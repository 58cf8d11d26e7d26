"""gaswarden bench api"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gaswarden.cli.common import console, load_settings

app = typer.Typer(
    help="Benchmarks: figures and ratios to a baseline. 性能测试", no_args_is_help=True
)


@app.command()
def api(
    data_dir: Annotated[Path | None, typer.Option("--data-dir")] = None,
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
    username: Annotated[str, typer.Option(help="who asks (scope applies)")] = "reg_admin",
    password: Annotated[str, typer.Option()] = "gaswarden-demo",
    repeat: Annotated[int, typer.Option(min=3)] = 30,
) -> None:
    """REST list latency on a loaded database (run `gaswarden demo --no-serve` first)."""
    from gaswarden.bench.api import run

    table = Table(title="API latency 接口延迟 (in-process, one client)")
    for column in ("request", "median ms", "p90 ms", "× baseline"):
        table.add_column(column, justify="left" if column == "request" else "right")
    for fig in run(
        load_settings(data_dir, database_url), username=username, password=password, repeat=repeat
    ):
        table.add_row(fig.path, f"{fig.median_ms:.1f}", f"{fig.p90_ms:.1f}", f"{fig.ratio:.1f}")
    console.print(table)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="bench")
