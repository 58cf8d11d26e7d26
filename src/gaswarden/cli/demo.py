"""gaswarden demo: the whole system on one machine, with the demo district loaded.

Creates the data directory, migrates the database, loads the demo district if the database is
empty (a later run reuses it; --reset starts afresh), prints the demo log-ins and serves the
live platform: the embedded MQTT broker (127.0.0.1:1883 or the next free port) with an ingest
worker and the rules engine, and the simulator playing every device with two scripted
incidents early on, so that live values and an alarm show within a minute, and a hidden leak
in the modelled pipe network after a minute and a half, which the network watch localises.
"""

from __future__ import annotations

import csv
import errno
import os
import shutil
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from sqlalchemy.engine import make_url

from gaswarden.cli.common import console, err_console, load_settings, transaction
from gaswarden.db import migrate
from gaswarden.settings import Settings
from gaswarden.sim.demo_credentials import (
    DEVICES_CSV,
    device_logins,
    mosquitto_pub_line,
    write_devices_csv,
)

if TYPE_CHECKING:
    from gaswarden.sim.runner import SimulatorHandle

USERS_CSV = "demo-users.csv"
DEFAULT_MQTT_PORT = 1883
# x20: pressure monitors report every 15 s and detectors every 30 s, so live values show at
# once. Faster compresses the sensor noise into apparent pressure drops of more than 10 % a
# minute between reports 5 s apart (x60), which the sudden-drop rule rightly alarms on.
DEMO_SPEED = 20.0
# A camera at a station sees smoke 10 s in (an orange alarm at once); methane builds up in a
# valve well from 5 s and passes the 25 %LEL alarm point about 40 s in.
# A smoke event and a valve-well leak early on; later a hidden leak in the modelled network
# GL-NET, which no single device sees: the network watch finds and localises it.
DEMO_INCIDENTS = ("smoke@10", "leak@5", "network_leak@90")
DEMO_NETWORK_WATCH_S = 60.0  # the demo's leak watch looks every minute (unless configured)
CSV_FIELDS = (
    "username",
    "password",
    "role",
    "role_zh",
    "role_en",
    "organisation",
    "organisation_short",
    "display_name",
    "scope_zh",
    "scope_en",
)


def demo(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="SQLite file and uploads (default ./gaswarden-data)"),
    ] = None,
    reset: Annotated[
        bool, typer.Option("--reset", help="delete the demo database and uploads first")
    ] = False,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="serve the web UI and API afterwards")
    ] = True,
    simulate: Annotated[
        bool,
        typer.Option(
            "--simulate/--no-simulate",
            help="simulated devices publish live readings, with scripted incidents",
        ),
    ] = True,
    speed: Annotated[
        float, typer.Option(min=0.001, help="simulator time compression (20: an hour in 3 minutes)")
    ] = DEMO_SPEED,
    mqtt_port: Annotated[
        int, typer.Option("--mqtt-port", help="embedded MQTT broker port (or the next free one)")
    ] = DEFAULT_MQTT_PORT,
    history: Annotated[
        bool,
        typer.Option(
            "--history/--no-history",
            help="also a year of inspections, hazards and enforcement (about 20 s more)",
        ),
    ] = True,
) -> None:
    """Load the 东昌府区 demo district and serve it. 加载演示数据并启动服务"""
    # The loader and its domains (the pipe network's solver among them) are imported here,
    # not with the module: every other `gaswarden` command starts without them.
    from gaswarden.sim.demo_district import database_is_empty, demo_is_loaded, load_demo

    settings = load_settings(data_dir)
    if "GASWARDEN_NETWORK_WATCH_INTERVAL_S" not in os.environ:
        settings = settings.model_copy(update={"network_watch_interval_s": DEMO_NETWORK_WATCH_S})
    # The simulator's hours pass faster than the wall clock's: its metered wall-clock hours
    # would be no real hours of demand, so they stay out of the demand history.
    settings = settings.model_copy(update={"network_rollup": False})
    if serve:
        _check_port(host, port)  # fail before the work, not after it
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if reset:
        _reset(settings)
    migrate.upgrade(settings)
    where = _describe(settings)
    with transaction(settings) as session:
        if database_is_empty(session):
            console.print(f"loading the demo district 东昌府区 into {where} …")
            result = load_demo(session, history=history)
            loaded = True
        else:
            loaded = demo_is_loaded(session)
            result = None
    if result is not None:
        console.print(
            f"[green]demo district loaded in {result.seconds:.1f} s[/green] 演示数据已加载: "
            + ", ".join(f"{n} {k}" for k, n in result.counts.items())
        )
    elif loaded:
        console.print(
            f"[cyan]reusing the demo district already in {where}[/cyan] 沿用已有演示数据 "
            "(--reset starts afresh)"
        )
    else:
        err_console.print(
            f"[yellow]{where} already holds data that is not the demo district; "
            "leaving it as it is (use --reset or another --data-dir for the demo)[/yellow]"
        )
    if loaded:
        csv_path = _write_csv(settings.data_dir / USERS_CSV)
        _print_logins(csv_path)
    if not serve:
        if loaded:
            _write_device_logins(settings, "127.0.0.1", mqtt_port, running=False)
        return
    if loaded and host not in ("127.0.0.1", "localhost", "::1"):
        err_console.print(
            f"[yellow]warning: listening on {host}; anyone who can reach it can sign in "
            "with the published demo password[/yellow]"
        )
    from gaswarden.app import create_app
    from gaswarden.cli.serve import run_server, start_housekeeping, start_notification_sender

    stop_live = _start_live(settings, loaded=loaded, simulate=simulate, speed=speed, port=mqtt_port)
    notifier = housekeeping = None
    try:
        notifier = start_notification_sender(settings)
        housekeeping = start_housekeeping(settings)
        run_server(create_app(settings), host, port)
    finally:
        console.print("stopping 正在停止 …")
        if housekeeping is not None:
            housekeeping.stop()
        if notifier is not None:
            notifier.stop()
        stop_live()
        console.print("[green]stopped 已停止[/green]")


def _start_live(
    settings: Settings, *, loaded: bool, simulate: bool, speed: float, port: int
) -> Callable[[], None]:
    """The broker with an ingest worker (embedded unless GASWARDEN_MQTT_URL names one) and
    the simulator; returns what stops them, in order."""
    from gaswarden.cli.serve import start_embedded_broker
    from gaswarden.sim.publisher import BrokerAddress

    embedded = None
    if settings.mqtt_url:
        url = settings.mqtt_url
        address = BrokerAddress.parse(url)
        host, mqtt_port = address.host, address.port
        console.print(
            f"MQTT broker from GASWARDEN_MQTT_URL: {address} (run `gaswarden ingest` for it)"
        )
    else:
        embedded = start_embedded_broker(settings, port)
        url, host, mqtt_port = embedded.broker.url, "127.0.0.1", embedded.port
    handle: SimulatorHandle | None = None
    try:
        if loaded:
            _write_device_logins(settings, host, mqtt_port)
        if loaded and simulate:
            handle = _start_simulator(settings, url, speed)
    except BaseException:
        if embedded is not None:
            embedded.stop()
        raise
    done = threading.Event()
    if handle is not None:
        threading.Thread(
            target=_print_incidents, args=(handle, done), name="gaswarden-demo-notes", daemon=True
        ).start()

    def stop() -> None:
        done.set()
        if handle is not None:
            handle.stop()
        if embedded is not None:
            embedded.stop()

    return stop


def _start_simulator(settings: Settings, url: str, speed: float) -> SimulatorHandle | None:
    from gaswarden.sim.incidents import IncidentKind, IncidentSpec
    from gaswarden.sim.publisher import BrokerUnavailable
    from gaswarden.sim.runner import start_simulator

    specs = [IncidentSpec.parse(text) for text in DEMO_INCIDENTS]
    try:
        try:
            handle = start_simulator(settings, url, speed=speed, incidents=specs)
        except ValueError:  # a data directory from before the modelled network: without it
            specs = [s for s in specs if s.kind is not IncidentKind.NETWORK_LEAK]
            handle = start_simulator(settings, url, speed=speed, incidents=specs)
    except (BrokerUnavailable, ValueError) as exc:
        err_console.print(f"[yellow]simulator not started 模拟器未启动: {exc}[/yellow]")
        return None
    states = handle.simulator.states
    console.print(
        f"simulating {len(states)} devices at x{speed:g} 模拟设备实时上报 (--no-simulate: off)"
    )
    for run in handle.simulator.runs:
        kind = run.spec.kind
        console.print(
            f"incident 演示事件 {kind.value} ({kind.zh}) on {run.serial} at {run.start:g} s",
            soft_wrap=True,
        )
    return handle


def _print_incidents(handle: SimulatorHandle, done: threading.Event) -> None:
    shown = 0
    while not done.wait(0.5):
        notes = handle.stats.incidents
        for note in notes[shown:]:
            console.print(f"[bold]incident 事件[/bold] {note}", soft_wrap=True)
        shown = len(notes)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def _check_port(host: str, port: int) -> None:
    """Say plainly when the port is taken rather than failing deep inside uvicorn."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # As uvicorn does: a socket left in TIME_WAIT is no obstacle, a listener is.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                message = (
                    f"port {port} on {host} is already in use (is another GasWarden running?). "
                    f"端口 {port} 已被占用。Stop that program or choose another port: "
                    f"gaswarden demo --port {port + 1}"
                )
            else:
                message = f"cannot listen on {host}:{port}: {exc.strerror or exc}"
            err_console.print(f"[red]{message}[/red]")
            raise typer.Exit(1) from exc


def _reset(settings: Settings) -> None:
    """Start afresh: the SQLite file (with its WAL) and the uploads go; a server database is
    emptied by running the migrations down."""
    if settings.is_sqlite:
        database = make_url(settings.resolved_database_url).database or ""
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(database + suffix).unlink(missing_ok=True)
        what = "deleted the SQLite file"
    else:
        migrate.downgrade(settings, "base")
        what = f"emptied {_describe(settings)}"
    shutil.rmtree(settings.upload_dir, ignore_errors=True)
    (settings.data_dir / USERS_CSV).unlink(missing_ok=True)
    (settings.data_dir / DEVICES_CSV).unlink(missing_ok=True)
    console.print(f"[yellow]--reset: {what} and removed the uploads[/yellow] 已清空旧数据")


def _describe(settings: Settings) -> str:
    if settings.is_sqlite:
        return make_url(settings.resolved_database_url).database or "SQLite"
    return make_url(settings.resolved_database_url).render_as_string(hide_password=True)


def _write_csv(path: Path) -> Path:
    from gaswarden.sim import demo_district

    # utf-8-sig: Excel, which most users here open it with, then shows the Chinese right.
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(demo_district.login_rows())
    return path


def _print_logins(csv_path: Path) -> None:
    from gaswarden.sim import demo_district

    table = Table(title="演示账号 Demo log-ins", title_justify="left")
    for header in ("用户名 Username", "角色 Role", "单位 Organisation", "可见范围 Scope"):
        table.add_column(header)
    for row in demo_district.login_rows():
        table.add_row(
            row["username"],
            f"{row['role_zh']}\n{row['role_en']}",
            row["organisation_short"],
            f"{row['scope_zh']}\n{row['scope_en']}",
        )
    console.print(table)
    password = demo_district.DEMO_PASSWORD
    console.print(
        f"password for every demo user 所有演示账号的密码: [bold]{password}[/bold]  "
        f"(also in {csv_path})"
    )


def _write_device_logins(
    settings: Settings, host: str, mqtt_port: int, *, running: bool = True
) -> None:
    """demo-devices.csv (serial, kind, site, token; and broker, when one is `running`) and a
    ready mosquitto_pub line for that broker."""
    with transaction(settings) as session:
        logins = device_logins(session)
    broker = f"mqtt://{host}:{mqtt_port}" if running else None
    path = write_devices_csv(settings.data_dir / DEVICES_CSV, logins, broker=broker)
    console.print(f"device serials and tokens 设备序列号与令牌 ({len(logins)}): {path}")
    line = mosquitto_pub_line(logins, host=host, port=mqtt_port)
    if line:
        console.print("send a reading from a real MQTT client 用真实客户端发送一条数据:")
        console.print(line, markup=False, highlight=False, soft_wrap=True)
