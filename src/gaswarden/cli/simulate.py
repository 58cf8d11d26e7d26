"""gaswarden simulate: the registry's devices publish realistic telemetry over MQTT."""

from __future__ import annotations

import signal
import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from gaswarden.cli.common import console, err_console, load_settings
from gaswarden.sim.incidents import IncidentKind, IncidentSpec
from gaswarden.sim.publisher import BrokerUnavailable
from gaswarden.sim.runner import (
    DEFAULT_MQTT_URL,
    DEFAULT_RATE_LIMIT,
    DEFAULT_SEED,
    SimulatorHandle,
    start_simulator,
)

INCIDENT_HELP = (
    "scripted incident, repeatable: "
    + "|".join(k.value for k in IncidentKind)
    + "; NAME@SECONDS sets its start, NAME:SERIAL picks the device"
)


def simulate(
    mqtt_url: Annotated[
        str | None,
        typer.Option(
            "--mqtt-url", help=f"broker (default GASWARDEN_MQTT_URL or {DEFAULT_MQTT_URL})"
        ),
    ] = None,
    speed: Annotated[
        float, typer.Option(min=0.001, help="time compression: 60 = an hour of reports a minute")
    ] = 60.0,
    rate_limit: Annotated[
        float, typer.Option("--rate-limit", min=0, help="messages per second at most (0: none)")
    ] = DEFAULT_RATE_LIMIT,
    duration: Annotated[
        float | None, typer.Option(min=0, help="stop after this many seconds")
    ] = None,
    devices: Annotated[
        int | None, typer.Option("--devices", min=1, help="simulate only N devices (all kinds)")
    ] = None,
    kinds: Annotated[
        list[str] | None,
        typer.Option("--kinds", help="only these device kinds (repeat or comma-separate)"),
    ] = None,
    serials: Annotated[
        list[str] | None, typer.Option("--serial", help="only these devices (repeatable)")
    ] = None,
    incidents: Annotated[list[str] | None, typer.Option("--incident", help=INCIDENT_HELP)] = None,
    at: Annotated[
        float, typer.Option(min=0, help="seconds after start for incidents without @SECONDS")
    ] = 5.0,
    seed: Annotated[int, typer.Option(help="same seed, same signals")] = DEFAULT_SEED,
    per_device_auth: Annotated[
        bool,
        typer.Option(
            "--per-device-auth", help="one connection per device, logged in with its serial/token"
        ),
    ] = False,
    http_url: Annotated[
        str | None,
        typer.Option("--http-url", help="GasWarden base URL: also post camera events by webhook"),
    ] = None,
    incident_pace: Annotated[
        float, typer.Option(min=0.001, help="play incidents this many times faster")
    ] = 1.0,
    every: Annotated[float, typer.Option(min=0.1, help="seconds between summary lines")] = 5.0,
    data_dir: Annotated[Path | None, typer.Option("--data-dir")] = None,
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
) -> None:
    """Simulate the district's devices over MQTT. 模拟设备上报监测数据"""
    settings = load_settings(data_dir, database_url)
    kind_list = [k.strip() for item in kinds or [] for k in item.split(",") if k.strip()]
    try:
        specs = [IncidentSpec.parse(text, default_at=at) for text in incidents or []]
        handle = start_simulator(
            settings,
            mqtt_url,
            speed=speed,
            incidents=specs,
            devices=devices,
            kinds=kind_list or None,
            serials=serials or None,
            rate_limit=rate_limit or None,
            duration=duration,
            seed=seed,
            per_device_auth=per_device_auth,
            http_url=http_url,
            incident_pace=incident_pace,
        )
    except (BrokerUnavailable, ValueError) as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    sim = handle.simulator
    counts = Counter(s.device.kind.value for s in sim.states)
    console.print(
        f"simulating {len(sim.states)} devices 模拟设备 ("
        + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        + f") → {sim.publisher.address} at ×{speed:g}"
        + (f" for {duration:g} s" if duration is not None else "; Ctrl-C stops"),
        soft_wrap=True,
    )
    for spec in specs:
        console.print(f"incident 事件 {spec.kind.value} ({spec.kind.zh}) planned at {spec.at:g} s")
    _watch(handle, every)


def _watch(handle: SimulatorHandle, every: float) -> None:
    # Ctrl-C stops, even when started from a shell that had interrupts ignored (a background
    # job of a script): Python then leaves SIGINT ignored instead of raising KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    shown = 0
    start = time.monotonic()
    next_line = start + every
    try:
        while not handle.join(timeout=0.2):
            shown = _notes(handle, shown)
            if time.monotonic() >= next_line:
                next_line += every
                elapsed = time.monotonic() - start
                console.print(f"[{elapsed:5.0f} s] {handle.stats.line()}", soft_wrap=True)
    except KeyboardInterrupt:
        console.print("stopping 正在停止 …")
        handle.stop()
    _notes(handle, shown)
    stats = handle.stats
    for error in stats.errors:
        err_console.print(f"[yellow]{error}[/yellow]")
    console.print(f"[green]done 已停止[/green] {stats.line()}", soft_wrap=True)
    if handle.error is not None:
        raise typer.Exit(1)


def _notes(handle: SimulatorHandle, shown: int) -> int:
    notes = handle.stats.incidents
    for note in notes[shown:]:
        console.print(f"[bold]incident 事件[/bold] {note}", soft_wrap=True)
    return len(notes)


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
