"""gaswarden inspect schedule | seed-checklists: inspection tasks on schedule, built-in
checklists."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from gaswarden.cli.common import console, err_console, load_settings, transaction

app = typer.Typer(
    help="Inspections: task schedule, built-in checklists. 检查计划与任务", no_args_is_help=True
)

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="data directory (SQLite file)")]
DbUrl = Annotated[str | None, typer.Option("--database-url", help="SQLAlchemy URL")]


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {value}") from exc


@app.command("schedule")
def schedule(
    today: Annotated[
        str | None,
        typer.Option("--today", help="YYYY-MM-DD; default: today in the configured timezone"),
    ] = None,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Make the tasks of every active plan up to today. 按计划生成检查任务"""
    from gaswarden.domains.inspection import tasks

    settings = load_settings(data_dir, database_url)
    day = _day(today) or tasks.local_today(settings.timezone)
    try:
        with transaction(settings) as session:
            result = tasks.generate(session, day)
    except Exception as exc:
        err_console.print(f"[red]schedule failed 生成失败[/red]: {exc}")
        raise typer.Exit(1) from exc
    console.print(
        f"{day.isoformat()}: {result.plans} active plan(s) 个计划, "
        f"{result.tasks} new task(s) 项新任务"
    )
    for plan_id, made in sorted(result.by_plan.items()):
        console.print(f"  plan {plan_id}: {made}")


@app.command("seed-checklists")
def seed_checklists(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Create the built-in checklist templates that are missing. 导入内置检查表"""
    from gaswarden.domains.inspection.checklists import seed_builtin

    with transaction(load_settings(data_dir, database_url)) as session:
        created = seed_builtin(session)
    console.print(f"{created} built-in checklist(s) created 个内置检查表已创建")


def register(main: typer.Typer) -> None:
    main.add_typer(app, name="inspect")
