"""gaswarden hazards: the overdue sweep and escalation (逾期督办), once, e.g. from cron."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from gaswarden.cli.common import console, err_console, load_settings, transaction

app = typer.Typer(help="Hazards (隐患): overdue sweep and escalation.", no_args_is_help=True)


@app.command("sweep")
def sweep(
    now: Annotated[
        str | None, typer.Option(help="the clock, ISO 8601 (default: now); for replaying a day")
    ] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir")] = None,
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
) -> None:
    """Mark overdue hazards and escalate them. 逾期隐患标记与督办"""
    from gaswarden.domains.hazard import overdue

    settings = load_settings(data_dir, database_url)
    at = datetime.now(UTC)
    if now is not None:
        try:
            at = datetime.fromisoformat(now)
        except ValueError as exc:
            err_console.print(f"[red]--now: not an ISO 8601 time: {now}[/red]")
            raise typer.Exit(2) from exc
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
    with transaction(settings) as session:
        result = overdue.sweep(session, at, settings.timezone)
    console.print(
        f"{len(result.overdue)} newly overdue 新增逾期, "
        f"{len(result.escalated)} escalations 督办 "
        f"({', '.join(f'#{h}→L{lvl}' for h, lvl in result.escalated) or '-'})"
    )


def register(main: typer.Typer) -> None:
    main.add_typer(app, name="hazards")
