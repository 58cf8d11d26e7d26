"""gaswarden bench api | ingest | drain | pipeline | cylinders | network | cockpit"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gaswarden.cli.common import console, load_settings
from gaswarden.domains.cylinder.event_schemas import MAX_EVENTS_PER_REQUEST

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


@app.command()
def ingest(
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="PostgreSQL server (default GASWARDEN_DATABASE_URL)"),
    ] = None,
    messages: Annotated[int, typer.Option("-n", "--messages", min=1)] = 100_000,
    devices: Annotated[int, typer.Option("--devices", min=10)] = 1000,
    processes: Annotated[int, typer.Option("--processes", min=1, help="publisher processes")] = 4,
    rate: Annotated[float, typer.Option(min=1, help="(c) steady rate, messages/s")] = 5000.0,
    duration: Annotated[float, typer.Option(min=1, help="(c) seconds at that rate")] = 10.0,
    alarms: Annotated[int, typer.Option(min=1, help="(c) alarms raised")] = 40,
) -> None:
    """MQTT ingest throughput against a bare baseline, and alarm latency (private mosquitto,
    scratch PostgreSQL database, dropped afterwards)."""
    from gaswarden.bench.ingest import READINGS_PER_MESSAGE, run

    # terminated like Ctrl-C: the scratch database is dropped and the broker stopped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    url = database_url or load_settings().database_url
    if not url:
        console.print("[red]give --database-url postgresql+psycopg://… or GASWARDEN_DATABASE_URL")
        raise typer.Exit(2)
    result = run(
        url,
        messages=messages,
        devices=devices,
        processes=processes,
        rate=rate,
        duration=duration,
        alarms=min(alarms, devices // 2),
        progress=lambda s: console.print(s, highlight=False),
    )
    table = Table(
        title=f"MQTT ingest 接入吞吐 ({messages} messages × 3 readings, {devices} devices)"
    )
    for column in ("phase", "seconds", "messages/s", "readings/s", "lost"):
        table.add_column(column, justify="left" if column == "phase" else "right")
    for p in result.phases:
        table.add_row(
            p.name,
            f"{p.seconds:.2f}",
            f"{p.per_s:.0f}",
            f"{p.per_s * READINGS_PER_MESSAGE:.0f}",
            str(p.lost),
        )
    console.print(table)
    console.print(
        f"alarm latency 告警延迟 at {result.rate:g} msg/s: {len(result.latencies_ms)}/"
        f"{result.alarms_expected} alarms, p50 {result.pct(0.5):.0f} ms, "
        f"p99 {result.pct(0.99):.0f} ms",
        highlight=False,
    )
    print(result.line())


@app.command()
def drain(
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="PostgreSQL server (default GASWARDEN_DATABASE_URL)"),
    ] = None,
    messages: Annotated[int, typer.Option("-n", "--messages", min=1)] = 100_000,
    devices: Annotated[int, typer.Option("--devices", min=10)] = 1000,
    runs: Annotated[int, typer.Option("--runs", min=1)] = 3,
    processes: Annotated[int, typer.Option("--processes", min=1, help="publisher processes")] = 4,
) -> None:
    """One worker draining a backlog of QoS 1 messages: messages/s, and the CPU per message of
    the worker and of PostgreSQL (private mosquitto, scratch database, dropped afterwards)."""
    from gaswarden.bench.drain import run

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    url = database_url or load_settings().database_url
    if not url:
        console.print("[red]give --database-url postgresql+psycopg://… or GASWARDEN_DATABASE_URL")
        raise typer.Exit(2)
    result = run(
        url,
        messages=messages,
        devices=devices,
        runs=runs,
        processes=processes,
        progress=lambda s: console.print(s, highlight=False),
    )
    table = Table(
        title=f"Ingest drain 积压消化 ({messages} queued QoS 1 messages × 3 readings, "
        f"{devices} devices; load average before {result.load_before[0]:.2f})"
    )
    for column in (
        "run", "messages/s", "worker µs/msg", "PostgreSQL µs/msg", "machine cores", "lost",
    ):  # fmt: skip
        table.add_column(column, justify="right")
    for k, r in enumerate(result.runs, 1):
        pg = r.postgres_us
        table.add_row(
            str(k), f"{r.per_s:,.0f}", f"{r.worker_us:.1f}",
            "n/a" if pg is None else f"{pg:.1f}", f"{r.machine_cores:.2f}", str(r.lost),
        )  # fmt: skip
    console.print(table)
    print(result.line())


@app.command()
def pipeline(
    database_url: Annotated[
        str, typer.Option("--database-url", help="a PostgreSQL server; a scratch database is made")
    ] = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    devices: Annotated[int, typer.Option(min=1)] = 1000,
    batches: Annotated[int, typer.Option(min=1)] = 100,
    size: Annotated[int, typer.Option(min=1, help="messages per batch")] = 500,
) -> None:
    """The ingest pipeline in-process (no broker): storage alone vs storage + rules."""
    from gaswarden.bench.pipeline import run

    figures = run(database_url, devices=devices, batches=batches, size=size)
    table = Table(title="Pipeline in-process 数据处理管线 (3 readings per message)")
    for column in ("run", "messages", "seconds", "messages/s", "× baseline"):
        table.add_column(column, justify="left" if column == "run" else "right")
    base = figures[0].per_s
    for fig in figures:
        table.add_row(
            fig.name, str(fig.messages), f"{fig.seconds:.2f}", f"{fig.per_s:,.0f}",
            f"{fig.per_s / base:.2f}",
        )  # fmt: skip
    console.print(table)
    console.print(
        f"store_only_per_s={base:.0f} with_rules_per_s={figures[1].per_s:.0f} "
        f"ratio={figures[1].per_s / base:.2f}"
    )


@app.command()
def cylinders(
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="PostgreSQL server (default GASWARDEN_DATABASE_URL)"),
    ] = None,
    scale: Annotated[
        float, typer.Option(min=0.0001, help="1: 1M cylinders, 200k customers, 20M scans")
    ] = 1.0,
    batch: Annotated[
        int,
        typer.Option(
            min=1, max=MAX_EVENTS_PER_REQUEST,
            help="scans per request (submit and transaction); the API's maximum by default",
        ),
    ] = MAX_EVENTS_PER_REQUEST,
    loaders: Annotated[
        int, typer.Option(min=1, help="concurrent loader processes (scanning apps posting)")
    ] = 2,
    keep: Annotated[bool, typer.Option("--keep", help="keep the scratch database")] = False,
) -> None:  # fmt: skip
    """LPG cylinders at city size: scans loaded through the scan service by concurrent loader
    processes, then timelines, batch recalls and the overdue list (scratch PostgreSQL database,
    dropped afterwards)."""
    from gaswarden.bench.cylinders import TARGETS, run

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    url = database_url or load_settings().database_url
    if not url:
        console.print("[red]give --database-url postgresql+psycopg://… or GASWARDEN_DATABASE_URL")
        raise typer.Exit(2)
    r = run(url, scale=scale, batch=batch, loaders=loaders, keep=keep,
            progress=lambda s: console.print(s, highlight=False))  # fmt: skip
    console.print(
        f"{r.cylinders:,} cylinders, {r.customers:,} customers, {r.events:,} scans "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(r.results.items()))}); "
        f"generated {r.generated:,}, submitted {r.events:,}, duplicates {r.duplicates:,}, "
        f"stored {r.stored:,}; setup {r.setup_s:.0f} s, generation {r.generate_s:.0f} s, "
        f"load {r.load_s:.1f} s wall ({r.submit_s:.1f} s in submit over {r.loaders} loaders), "
        f"vacuum analyze {r.vacuum_s:.0f} s; "
        f"{r.overdue_total:,} overdue with users",
        highlight=False,
    )
    console.print(r.cpu_line(), highlight=False)
    console.print(r.baseline_line(), highlight=False)
    console.print(r.settings_line(), highlight=False)
    table = Table(
        title=f"LPG cylinders 气瓶追溯 (scale {scale:g}; {r.loaders} loaders 并发, "
        f"{r.batch} scans a request 每次请求)"
    )
    for column in ("figure", "p50", "p99", "target", "met"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    rate, goal = r.events_per_s, TARGETS["load"]
    table.add_row("load, scans/s", f"{rate:,.0f}", "", f">= {goal:,.0f}", _met(rate >= goal))
    for key, label in (("timeline", "timeline ms"), ("recall", "recall ms"),
                       ("overdue", "overdue page ms")):  # fmt: skip
        t, goal = r.timings[key], TARGETS[key]
        table.add_row(label, f"{t.p50:.1f}", f"{t.p99:.1f}", f"< {goal:g}", _met(t.p99 < goal))
    console.print(table)
    print(r.line())


@app.command()
def network(
    leaks: Annotated[int, typer.Option(min=1, help="random single leaks simulated")] = 150,
    seed: Annotated[int, typer.Option()] = 0,
    sensors: Annotated[
        int, typer.Option(min=2, help="pressure sensors (plus the inlet flow)")
    ] = 20,
    forecast: Annotated[bool, typer.Option(help="also the demand forecast's MAPE")] = True,
) -> None:
    """Pipe network on Schutterwald: steady-state solve, sensitivity matrix, leak localisation
    against the cosine baseline, and the demand forecast's MAPE."""
    from gaswarden.bench.network import BASELINE_ISSUE, TARGETS, run

    r = run(leaks=leaks, seed=seed, sensors=sensors, with_forecast=forecast,
            echo=lambda s: console.print(s, highlight=False))  # fmt: skip
    console.print(
        f"{r.n_candidates} mains junctions (candidates), sensors at junctions {r.sensors}; "
        f"placement {r.placement_s:.1f} s; one localisation {r.localise_ms:.1f} ms",
        highlight=False,
    )
    table = Table(title="Pipe network 管网 (Schutterwald, 2,559 junctions, 101 km)")
    for column in ("figure", "value", "target", "met"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    table.add_row(
        "steady-state solve s 稳态求解",
        f"{r.solve_s:.4f}",
        f"< {TARGETS['solve_s']:g}",
        _met(r.solve_s < TARGETS["solve_s"]),
    )
    table.add_row("  plain pandapipes.pipeflow s", f"{r.pipeflow_s:.4f}", "", "")
    table.add_row("sensitivity matrix s 灵敏度矩阵", f"{r.matrix_s:.3f}",
                  f"< {TARGETS['matrix_s']:g}", _met(r.matrix_s < TARGETS["matrix_s"]))  # fmt: skip
    console.print(table)
    acc = Table(
        title=f"Leak localisation 泄漏定位 ({r.leaks} leaks, 2-10 % of demand; {len(r.sensors)} "
        "pressure sensors + inlet flow; noise 10 Pa; ±20 % demand per house; plane distance)"
    )
    for column in ("method", "median m", "≤ 200 m", "≤ 300 m", "top-10", "median × base",
                   "≤ 200 m × base"):  # fmt: skip
        acc.add_column(column, justify="left" if column == "method" else "right")
    b = r.baseline
    for name, a in (("cosine (baseline 基线)", b), ("GLS + Bayes point (ours 本方法)", r.ours)):
        acc.add_row(
            name, f"{a.median_m:.1f}", f"{a.within(200):.1%}", f"{a.within(300):.1%}",
            f"{a.top10_share:.1%}", f"{a.median_m / b.median_m:.2f}",
            f"{a.within(200) / max(b.within(200), 1e-9):.2f}",
        )  # fmt: skip
    acc.add_row("issue's baseline 议题基线", f"{BASELINE_ISSUE['median_m']:.0f}",
                f"{BASELINE_ISSUE['within200']:.0%}", "", "", "", "")  # fmt: skip
    console.print(acc)
    o = r.ours
    med_ok = _met(o.median_m <= TARGETS["median_m"])
    console.print(
        f"targets 目标: median ≤ {TARGETS['median_m']:g} m {med_ok}"
        f", ≤ 200 m ≥ {TARGETS['within200']:.0%} {_met(o.within(200) >= TARGETS['within200'])}; "
        "top-10 = the true leak junction among the first 10 ranked candidates",
        highlight=False,
    )
    console.print(
        f"search zone 搜索区 (ours): contains the true leak in {o.zone_share:.1%} of the leaks, "
        f"median {o.zone_median_m:,.0f} m of pipe; the baseline's single-centre zone: "
        f"{b.zone_share:.1%}, {b.zone_median_m:,.0f} m",
        highlight=False,
    )
    if r.forecast:
        console.print(
            "forecast 需求预测: "
            + ", ".join(f"{k} {v:.2f}" for k, v in sorted(r.forecast.items())),
            highlight=False,
        )
    print(r.line())


@app.command()
def cockpit(
    repeat: Annotated[int, typer.Option(min=1, help="page loads per page")] = 5,
    history: Annotated[
        bool, typer.Option("--history/--no-history", help="the demo's year of history too")
    ] = True,
) -> None:
    """The cockpit's time to first byte and first paint in Chromium on the demo district
    (temporary SQLite database), against the home page."""
    from gaswarden.bench.cockpit import TARGET_PAINT_MS, run

    r = run(repeat=repeat, history=history, echo=lambda s: console.print(s, highlight=False))
    table = Table(title=f"Cockpit 驾驶舱 first paint (demo district, median of {repeat})")
    for column in (
        "page",
        "TTFB ms",
        "first paint ms",
        "FCP ms",
        "× home (paint)",
        "× home (TTFB)",
    ):
        table.add_column(column, justify="left" if column == "page" else "right")
    for p in r.pages:
        table.add_row(
            p.path, f"{p.ttfb_ms:.0f}", f"{p.first_paint_ms:.0f}", f"{p.fcp_ms:.0f}",
            f"{p.ratio_paint:.2f}", f"{p.ratio_ttfb:.2f}",
        )  # fmt: skip
    console.print(table)
    for path, ms in r.parts.items():
        console.print(f"  after the paint: {path} {ms:.0f} ms", highlight=False)
    paint = r.pages[-1].first_paint_ms
    console.print(f"first paint < {TARGET_PAINT_MS:.0f} ms: {_met(paint < TARGET_PAINT_MS)}")
    print(r.line())


def _met(ok: bool) -> str:
    return "yes 达标" if ok else "no 未达标"


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="bench")
