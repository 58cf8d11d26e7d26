"""gaswarden network: import a distribution network, list the stored ones, solve one, look
for a leak now (locate), forecast a feed's demand with its supply plan, suggest where the next
pressure monitors should go (place-sensors).
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from gaswarden.cli.common import console, err_console, load_settings, transaction

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gaswarden.domains.network.models import PipeNetwork
    from gaswarden.network.validate import Report

app = typer.Typer(
    help="Pipe networks (管网): import, list, solve, locate leaks, forecast, place sensors.",
    no_args_is_help=True,
)

DataDir = Annotated[Path | None, typer.Option("--data-dir")]
DatabaseUrl = Annotated[str | None, typer.Option("--database-url")]


def print_report(report: Report) -> None:
    figures = report.figures
    console.print(
        f"{figures.get('junctions', 0)} junctions 节点, {figures.get('pipes', 0)} pipes 管段, "
        f"{figures.get('length_km', 0)} km, {figures.get('feeds', 0)} feeds 气源, "
        f"{figures.get('consumers', 0)} consumers 用户"
    )
    for finding in report.errors:
        err_console.print(f"[red]错误 error[{finding.code}]: {finding.zh}\n  {finding.en}[/red]")
    for finding in report.warnings:
        console.print(
            f"[yellow]警告 warning[{finding.code}]: {finding.zh}\n  {finding.en}[/yellow]"
        )
    if report.ok and "p_min_bar" in figures:
        console.print(
            f"solve 计算: p {figures['p_min_bar']}–{figures['p_max_bar']} bar "
            f"in {figures.get('solve_s')} s"
        )


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    code: Annotated[str, typer.Option(help="network code, ≤ 24 characters")],
    name: Annotated[str, typer.Option(help="network name 管网名称")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="pandapipes | geojson (default: guess)")
    ] = None,
    crs: Annotated[str | None, typer.Option(help="pandapipes x/y CRS, e.g. EPSG:31467")] = None,
    lon: Annotated[
        float | None, typer.Option(help="pandapipes: WGS 84 longitude of the model's centre")
    ] = None,
    lat: Annotated[float | None, typer.Option(help="pandapipes: latitude of the centre")] = None,
    owner: Annotated[
        str | None, typer.Option(help="owner: credit code 统一社会信用代码, name or id")
    ] = None,
    area: Annotated[str | None, typer.Option(help="area code 区域编码")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Import and validate a network file. 导入并校验管网模型"""
    from sqlalchemy import select

    from gaswarden.core.auth import SYSTEM
    from gaswarden.core.errors import GasWardenError
    from gaswarden.domains.area.models import Area
    from gaswarden.domains.network import service as networks
    from gaswarden.domains.organization.models import Organization
    from gaswarden.network import importer
    from gaswarden.network.geo import placed
    from gaswarden.network.validate import validate

    if fmt is not None and fmt not in importer.FORMATS:
        err_console.print(f"[red]--format: one of {', '.join(importer.FORMATS)}[/red]")
        raise typer.Exit(2)
    try:
        imported = importer.read(file.read_text(encoding="utf-8"), fmt=fmt, crs=crs)
    except importer.UnreadableNetwork as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    report = validate(imported.net, parsed=imported.findings)
    print_report(report)
    if not report.ok:
        err_console.print(f"[red]{len(report.errors)} errors: not imported 有错误,未导入[/red]")
        raise typer.Exit(1)
    origin = imported.origin
    if origin is None:
        if lon is None or lat is None:
            err_console.print(
                "[red]a pandapipes net needs --lon and --lat 请给出模型中心经纬度[/red]"
            )
            raise typer.Exit(2)
        geo = imported.net.junction_geodata
        origin = placed(geo.x, geo.y, lon, lat)
    settings = load_settings(data_dir, database_url)
    try:
        with transaction(settings) as session:
            data: dict[str, object] = {"code": code, "name": name}
            if owner is not None:
                org = session.scalar(
                    select(Organization.id).where(
                        (Organization.credit_code == owner)
                        | (Organization.name == owner)
                        | (Organization.short_name == owner)
                        | (Organization.id == (int(owner) if owner.isdigit() else -1))
                    )
                )
                if org is None:
                    raise typer.BadParameter(f"no organisation {owner!r}", param_hint="--owner")
                data["owner_id"] = org
            if area is not None:
                area_id = session.scalar(select(Area.id).where(Area.code == area))
                if area_id is None:
                    raise typer.BadParameter(f"no area {area!r}", param_hint="--area")
                data["area_id"] = area_id
            started = time.perf_counter()
            network = networks.import_network(
                session=session,
                principal=SYSTEM,
                data=data,
                imported=imported,
                report=report,
                origin=origin,
            )
            seconds = time.perf_counter() - started
            console.print(
                f"[green]imported 已导入 {network.code} ({network.junctions} junctions, "
                f"{network.pipes} pipes) in {seconds:.2f} s[/green]"
            )
    except GasWardenError as exc:
        err_console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1) from exc


@app.command("list")
def list_(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """The stored networks. 管网列表"""
    from gaswarden.core.auth import SYSTEM
    from gaswarden.core.pagination import PageParams
    from gaswarden.domains.network import service as networks

    settings = load_settings(data_dir, database_url)
    with transaction(settings) as session:
        page = networks.list_networks(
            session=session, principal=SYSTEM, params=PageParams(size=500)
        )
        table = Table("code 编号", "name 名称", "junctions", "pipes", "km", "feeds", "owner 企业")
        for n in page.items:
            table.add_row(
                n.code,
                n.name,
                str(n.junctions),
                str(n.pipes),
                f"{n.length_km:.1f}",
                str(n.feeds),
                n.owner_name or "-",
            )
        console.print(table)
        console.print(f"{page.total} networks 个管网")


@app.command("solve")
def solve(code: str, data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """One steady state at nominal demand. 额定负荷稳态计算"""
    import pandapipes

    from gaswarden.core.auth import SYSTEM
    from gaswarden.core.errors import NotFound
    from gaswarden.domains.network import service as networks
    from gaswarden.network.model import from_json

    settings = load_settings(data_dir, database_url)
    with transaction(settings) as session:
        try:
            network = networks.get_by_code(session=session, principal=SYSTEM, code=code)
        except NotFound as exc:
            err_console.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(1) from exc
        net = from_json(network.model_json)
        name = network.name
    started = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pandapipes.pipeflow(net)
    except Exception as exc:
        err_console.print(f"[red]solve failed 计算失败: {type(exc).__name__}: {exc}[/red]")
        raise typer.Exit(1) from exc
    seconds = time.perf_counter() - started
    p = net.res_junction.p_bar.dropna()
    low, high = int(p.idxmin()), int(p.idxmax())
    inflow = float(-net.res_ext_grid.mdot_kg_per_s.sum())
    density = float(net.fluid.get_density(273.15))
    table = Table(title=f"{code} {name}: steady state 稳态", show_header=True)
    table.add_column("figure 指标")
    table.add_column("value 值", justify="right")
    table.add_column("where 位置")
    table.add_row("p min 最低压力", f"{p[low]:.5f} bar", f"junction {low} {net.junction.name[low]}")
    table.add_row(
        "p max 最高压力", f"{p[high]:.5f} bar", f"junction {high} {net.junction.name[high]}"
    )
    table.add_row(
        "inflow 进气量", f"{inflow:.5f} kg/s", f"{inflow / density * 3600:.1f} m³/h (0 °C)"
    )
    table.add_row("time 用时", f"{seconds:.3f} s", "pandapipes.pipeflow")
    console.print(table)


def register(main: typer.Typer) -> None:
    main.add_typer(app, name="network")


def _network(session: Session, code: str) -> PipeNetwork:
    from gaswarden.core.auth import SYSTEM
    from gaswarden.core.errors import NotFound
    from gaswarden.domains.network import service as networks

    try:
        return networks.get_by_code(session=session, principal=SYSTEM, code=code)
    except NotFound as exc:
        err_console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1) from exc


@app.command("locate")
def locate(
    code: str,
    minutes: Annotated[float, typer.Option(help="minutes of readings to look at")] = 30.0,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Check the network's recent pressures and inflow for a leak now; localise and raise it.
    泄漏检测与定位"""
    from datetime import UTC, datetime

    from gaswarden.domains.network import watch

    settings = load_settings(data_dir, database_url)
    with transaction(settings) as session:
        network = _network(session, code)
        result = watch.check(session, network, now=datetime.now(UTC), minutes=minutes)
        leak = result.leak
        candidates = list(leak.candidates[:10]) if leak is not None else []
        zone = dict(leak.zone) if leak is not None else {}
        segments = list(leak.segments) if leak is not None else []
        leak_id, alarm_id = (leak.id, leak.alarm_id) if leak is not None else (None, None)
    console.print(
        f"{code}: {result.snapshots} snapshots 快照, {result.sensors} monitors 压力监测点, "
        f"inflow 进气 {result.inflow_m3h or 0:.1f} m³/h, GLR {result.glr}"
    )
    for e in result.excluded:
        console.print(f"[yellow]excluded 剔除 {e['serial']}: {e['reason']}[/yellow]")
    if not result.detected:
        console.print(f"[green]no leak 未发现泄漏[/green]: {result.note}")
        return
    console.print(
        f"[red]leak 疑似泄漏 #{leak_id}[/red] ≈ {(result.leak_kg_s or 0) * 3600:.2f} kg/h, "
        f"alarm 告警 #{alarm_id}; zone 搜索区 {zone.get('length_m')} m of pipe "
        f"({len(zone.get('pipes', []))} pipes)"
    )
    table = Table(title="candidates 候选泄漏点", show_header=True)
    for column in ("#", "junction 节点", "probability 概率", "kg/h", "lon", "lat"):
        table.add_column(column, justify="right")
    for c in candidates:
        table.add_row(
            str(c["rank"]),
            str(c["junction"]),
            f"{c['probability']:.3f}",
            f"{c['leak_kg_h']:.2f}",
            f"{c['lon']:.6f}" if c["lon"] is not None else "-",
            f"{c['lat']:.6f}" if c["lat"] is not None else "-",
        )
    console.print(table)
    for s in segments[:5]:
        console.print(
            f"close 关闭 {', '.join(s['valves']) or '—'}: {s['customers']} customers 户停气"
        )


@app.command("forecast")
def forecast(
    code: str,
    days: Annotated[int, typer.Option(min=1, max=14, help="days ahead")] = 7,
    feed: Annotated[int | None, typer.Option(help="feed (ext_grid index)")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """The feed's demand forecast and supply plan (nominations, warnings). 用气预测与供气计划"""
    from gaswarden.core.auth import SYSTEM
    from gaswarden.core.errors import GasWardenError
    from gaswarden.domains.network import demand

    settings = load_settings(data_dir, database_url)
    with transaction(settings) as session:
        network = _network(session, code)
        try:
            shown = demand.forecast(
                session=session, principal=SYSTEM, id=network.id, feed=feed, days=days
            )
            plan = demand.plan(session=session, principal=SYSTEM, id=network.id, feed=feed)
        except GasWardenError as exc:
            err_console.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(1) from exc
    table = Table(title=f"{code} {shown['feed_name']}: daily forecast 日用气量预测 (m³)")
    for column in ("day 日期", "forecast 预测", "low 下限", "high 上限", "peak 峰值 m³/h"):
        table.add_column(column, justify="right")
    for d in shown["daily"]:
        table.add_row(
            d["day"], f"{d['forecast']:,}", f"{d['low']:,}", f"{d['high']:,}", f"{d['peak_m3h']:,}"
        )
    console.print(table)
    ahead = plan.get("day_ahead") or {}
    console.print(
        f"day-ahead nomination 日指定量: {ahead.get('volume_m3', 0):,.0f} m³; "
        f"week 周计划 {plan['week_volume_m3']:,.0f} m³; capacity 能力 {plan['capacity_m3h']} m³/h"
    )
    for w in plan["warnings"]:
        console.print(f"[red]warning 预警 {w['day']}: {w['message_zh']} / {w['message_en']}[/red]")
    if not plan["warnings"]:
        console.print("[green]no warnings 无预警[/green]")


@app.command("place-sensors")
def place_sensors(
    code: str,
    count: Annotated[
        int, typer.Option("--count", "-k", min=1, max=40, help="monitors to add")
    ] = 20,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Where the next pressure monitors should go: greedy placement for leak localisation.
    压力监测点布点建议"""
    from gaswarden.core.auth import SYSTEM
    from gaswarden.domains.network import placement_view

    settings = load_settings(data_dir, database_url)
    with transaction(settings) as session:
        network = _network(session, code)
        shown = placement_view.suggest(session=session, principal=SYSTEM, id=network.id, k=count)
    console.print(
        f"{code}: {len(shown['existing'])} monitors now 现有监测点, localisation score "
        f"{shown['share_existing']:.3f} (1 − mean(min(error, {shown['radius_m']:g} m))/"
        f"{shown['radius_m']:g} m, on simulated leaks)"
    )
    table = Table(title=f"next {count} monitors 建议新增监测点", show_header=True)
    for column in ("#", "junction 节点", "name 名称", "lon", "lat", "score after 新增后"):
        table.add_column(column, justify="right")
    for s in shown["suggestions"]:
        table.add_row(
            str(s["rank"]),
            str(s["junction"]),
            s["name"] or "-",
            f"{s['lon']:.6f}" if s["lon"] is not None else "-",
            f"{s['lat']:.6f}" if s["lat"] is not None else "-",
            f"{s['share_within_200m']:.3f}",
        )
    console.print(table)
