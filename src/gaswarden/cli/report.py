"""gaswarden report hazards --month 2026-10 [--area CODE] [--format xlsx|pdf] [--out PATH]

Runs as the system (the whole district); prints the path of the file written.
Exit codes: 0 written, 2 a usage error (bad month, unknown area, unwritable path).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gaswarden.cli import report_district
from gaswarden.cli.common import err_console, load_settings, transaction
from gaswarden.core.auth import SYSTEM
from gaswarden.core.errors import GasWardenError
from gaswarden.domains.hazard import report_data

app = typer.Typer(help="报表 Reports.", no_args_is_help=True)


@app.command("hazards")
def hazards(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM")],
    area: Annotated[
        str | None, typer.Option("--area", help="area code (default: the whole district)")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="xlsx or pdf")] = "xlsx",
    out: Annotated[
        Path | None, typer.Option("--out", help="file or directory (default: here)")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="data directory (SQLite file)")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL")
    ] = None,
) -> None:
    """The monthly hazard report (隐患排查治理月报) as XLSX or PDF."""
    if fmt not in report_data.MEDIA_TYPES:
        err_console.print(f"[red]--format: {fmt!r} is not xlsx or pdf[/red]")
        raise typer.Exit(2)
    settings = load_settings(data_dir, database_url)
    try:
        with transaction(settings) as session:
            report = report_data.gather(
                session=session,
                principal=SYSTEM,
                month=month,
                area_code=area,
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


report_district.register(app)  # gaswarden report district (cli/report_district.py)


def register(main: typer.Typer) -> None:
    main.add_typer(app, name="report")
