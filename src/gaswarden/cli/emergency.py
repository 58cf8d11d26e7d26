"""gaswarden emergency: import the road graph that ranks resources by road distance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from gaswarden.cli.common import console, err_console, load_settings, transaction

app = typer.Typer(help="Emergency response (应急处置): the road graph.", no_args_is_help=True)


@app.command("import-roads")
def import_roads(
    file: Annotated[Path, typer.Argument(help="GeoJSON FeatureCollection of LineStrings (WGS84)")],
    data_dir: Annotated[Path | None, typer.Option("--data-dir")] = None,
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
) -> None:
    """Replace the road graph with the file's roads. 导入路网(替换原有路网)"""
    from gaswarden.core.auth import SYSTEM
    from gaswarden.core.errors import GasWardenError
    from gaswarden.domains.emergency import roads

    try:
        collection = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        err_console.print(f"[red]cannot read {file}: {exc}[/red]")
        raise typer.Exit(2) from exc
    settings = load_settings(data_dir, database_url)
    try:
        with transaction(settings) as session:
            nodes, edges, km = roads.import_geojson(
                session=session, principal=SYSTEM, collection=collection
            )
    except GasWardenError as exc:
        err_console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"{nodes} nodes 节点, {edges} road links 路段, {km:.1f} km")


@app.command("roads")
def road_summary(
    data_dir: Annotated[Path | None, typer.Option("--data-dir")] = None,
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
) -> None:
    """The loaded road graph (none: distances are straight lines). 路网概况"""
    from gaswarden.domains.emergency import roads

    settings = load_settings(data_dir, database_url)
    with transaction(settings) as session:
        nodes, edges, km = roads.summary(session)
    if not edges:
        console.print("no road graph: straight-line distances 未加载路网,按直线距离")
    else:
        console.print(f"{nodes} nodes 节点, {edges} road links 路段, {km:.1f} km")


def register(main: typer.Typer) -> None:
    main.add_typer(app, name="emergency")
