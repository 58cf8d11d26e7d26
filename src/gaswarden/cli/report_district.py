"""gaswarden report district --period week|month (--month YYYY-MM | --start YYYY-MM-DD)
[--format xlsx|pdf] [-o PATH]

The weekly or monthly district report (区燃气安全周报/月报) of every module, as the system
(the whole district); prints the path of the file written. Exit codes: 0 written, 2 a usage
error (bad period, month or date, unwritable path).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from gaswarden.cli.common import err_console, load_settings, transaction
from gaswarden.cockpit import report_data
from gaswarden.core.auth import SYSTEM
from gaswarden.core.errors import GasWardenError


def district(
    period: Annotated[str, typer.Option("--period", help="week or month")] = "month",
    month: Annotated[str | None, typer.Option("--month", help="YYYY-MM (a monthly report)")] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="YYYY-MM-DD: the week's first day")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="xlsx or pdf")] = "xlsx",
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="file or directory (default: here)")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="data directory (SQLite file)")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL")
    ] = None,
) -> None:
    """The weekly or monthly district report (区燃气安全周报/月报) as XLSX or PDF."""
    if fmt not in report_data.MEDIA_TYPES:
        err_console.print(f"[red]--format: {fmt!r} is not xlsx or pdf[/red]")
        raise typer.Exit(2)
    if period not in report_data.PERIODS:
        err_console.print(f"[red]--period: {period!r} is not week or month[/red]")
        raise typer.Exit(2)
    settings = load_settings(data_dir, database_url)
    try:
        first = report_data.parse_start(start or month or date.today().isoformat()[:7])
        with transaction(settings) as session:
            report = report_data.gather(
                session=session,
                principal=SYSTEM,
                period=period,
                start=first,
                tz=settings.timezone,
            )
            content = report_data.render(report, fmt)
    except GasWardenError as exc:
        err_console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc
    path = out or Path(report.filename(fmt))
    if path.is_dir():
        path = path / report.filename(fmt)
    try:
        path.write_bytes(content)
    except OSError as exc:
        err_console.print(f"[red]cannot write {str(path)!r}: {exc.strerror}[/red]")
        raise typer.Exit(2) from exc
    typer.echo(str(path))


def register(group: typer.Typer) -> None:
    group.command("district")(district)
