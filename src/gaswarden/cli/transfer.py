"""gaswarden import RESOURCE FILE | gaswarden export RESOURCE

Exit codes of `import`: 0 imported (or a clean dry run), 1 rows failed and nothing was
written, 2 a usage error (unknown table, unreadable file, unknown user).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.cli.common import console, err_console, load_settings, transaction
from gaswarden.core.auth import SYSTEM, Principal
from gaswarden.core.errors import Forbidden, GasWardenError
from gaswarden.transfer import exporter
from gaswarden.transfer.formats import format_for, import_file
from gaswarden.transfer.importer import ImportReport
from gaswarden.transfer.resources import RESOURCES, Resource

TABLES = ", ".join(RESOURCES)
DataDir = Annotated[Path | None, typer.Option("--data-dir", help="data directory (SQLite file)")]
DbUrl = Annotated[str | None, typer.Option("--database-url", help="SQLAlchemy URL")]
AsUser = Annotated[
    str | None, typer.Option("--as", help="act as this user (scope, rights); default: system")
]


def _resource(name: str) -> Resource:
    if name not in RESOURCES:
        err_console.print(f"[red]no table {name!r}[/red]; tables: {TABLES}")
        raise typer.Exit(2)
    return RESOURCES[name]


def _principal(session: Session, username: str | None) -> Principal:
    if username is None:
        return SYSTEM
    from gaswarden.domains.account import service as accounts
    from gaswarden.domains.account.models import User

    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        err_console.print(f"[red]no active user {username!r}[/red]")
        raise typer.Exit(2)
    return accounts.principal_for(session=session, user=user)


def import_(
    resource: Annotated[str, typer.Argument(help=f"table: {TABLES}")],
    file: Annotated[Path, typer.Argument(help=".csv (UTF-8 or GB18030), .geojson or .json")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="validate, write nothing")] = False,
    as_user: AsUser = None,
    fmt: Annotated[str | None, typer.Option("--format", help="csv or geojson")] = None,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Import a registry table; nothing is written if any row fails. 导入台账"""
    table = _resource(resource)
    if not file.is_file():
        err_console.print(f"[red]no file {str(file)!r}[/red]")
        raise typer.Exit(2)
    try:
        kind = format_for(file.name, fmt)
    except GasWardenError as exc:
        err_console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc
    with transaction(load_settings(data_dir, database_url)) as session:
        principal = _principal(session, as_user)
        try:
            report = import_file(
                session=session,
                principal=principal,
                resource=table,
                content=file.read_bytes(),
                fmt=kind,
                dry_run=dry_run,
            )
        except Forbidden as exc:
            err_console.print(f"[red]无权导入 / not allowed: {exc.detail}[/red]")
            raise typer.Exit(1) from exc
        except GasWardenError as exc:
            err_console.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(2) from exc
    _print_report(report, file.name)
    if report.errors:
        raise typer.Exit(1)


def _print_report(report: ImportReport, filename: str) -> None:
    counts = (
        f"新增 created {report.created}, 更新 updated {report.updated}, "
        f"未变 unchanged {report.unchanged}"
    )
    if report.errors:
        table = Table(title=f"{filename}: {len(report.errors)} 处错误 / errors")
        table.add_column("行 row", justify="right")
        table.add_column("列 column")
        table.add_column("错误 message", overflow="fold")
        for error in report.errors:
            table.add_row(str(error.row), error.column, error.message)
        console.print(table)
        console.print(f"[red]未导入任何数据 / nothing was imported[/red] (would be: {counts})")
    elif report.dry_run:
        console.print(f"[yellow]试运行，未写入 / dry run, nothing written[/yellow]: {counts}")
    else:
        console.print(f"[green]{report.resource}[/green]: {counts}")


def export(
    resource: Annotated[str, typer.Argument(help=f"table: {TABLES}")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or geojson (default: from -o, else csv)")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="file; default stdout")
    ] = None,
    filter_: Annotated[
        list[str] | None,
        typer.Option("--filter", "-f", help="a list filter, NAME=VALUE (repeatable)"),
    ] = None,
    q: Annotated[str | None, typer.Option("--q", help="free-text search")] = None,
    as_user: AsUser = None,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Export a registry table as CSV (UTF-8 with BOM, for Excel) or GeoJSON. 导出台账"""
    table = _resource(resource)
    kind = fmt or (format_for(output.name) if output and output.suffix else "csv")
    raw: dict[str, list[str]] = {}
    for item in filter_ or []:
        name, sep, value = item.partition("=")
        if not sep or name not in table.service.filters.by_name():
            names = ", ".join(table.service.filters.by_name())
            err_console.print(f"[red]bad filter {item!r}[/red]; NAME=VALUE, NAME one of: {names}")
            raise typer.Exit(2)
        raw.setdefault(name, []).append(value)
    with transaction(load_settings(data_dir, database_url)) as session:
        principal = _principal(session, as_user)
        try:
            filters = table.service.filters.parse(raw)
            result = exporter.export(
                session=session,
                principal=principal,
                resource=table,
                fmt=kind,
                filters=filters,
                q=q,
            )
        except GasWardenError as exc:
            err_console.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(2) from exc
    content = result.content()
    if output is None:
        typer.echo(content, nl=False)
    else:
        output.write_bytes(content)
        err_console.print(f"{output}: {result.count} 条 / records")


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("export")(export)
