"""gaswarden ingest: one MQTT ingest worker (run several processes to share the load)."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from gaswarden.cli.common import console, err_console, load_settings
from gaswarden.cli.serve import start_notification_sender
from gaswarden.ingestion import consumers
from gaswarden.ingestion.mqtt import MqttIngest, default_client_id
from gaswarden.ingestion.spool import Spool, spool_dir
from gaswarden.ingestion.worker import Worker


def ingest(
    client_id: Annotated[
        str | None,
        typer.Option(help="MQTT client id; stable per worker so that its session resumes"),
    ] = None,
    shared: Annotated[
        bool,
        typer.Option(
            "--shared/--no-shared",
            help="subscribe through $share/gaswarden/... so that several workers split the load",
        ),
    ] = False,
    batch_size: Annotated[int, typer.Option(help="messages per database transaction")] = 6000,
    data_dir: Annotated[Path | None, typer.Option("--data-dir")] = None,
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Store device messages from the broker at GASWARDEN_MQTT_URL. 接入设备数据"""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    settings = load_settings(data_dir, database_url)
    if not settings.mqtt_url:
        err_console.print(
            "[red]GASWARDEN_MQTT_URL is not set (e.g. mqtt://ingest:secret@127.0.0.1:1883). "
            "未设置 GASWARDEN_MQTT_URL。[/red]"
        )
        raise typer.Exit(2)
    client_id = client_id or default_client_id()
    # One spool per client id: workers sharing a data directory never replay each other's
    # batches, and a restarted worker (same id, same persistent session) finds its own.
    spool = Spool(spool_dir(settings, client_id), settings.spool_max_mb * 1024 * 1024)
    worker = Worker(
        settings, consumers=consumers.build(settings), batch_size=batch_size, spool=spool
    )
    transport = MqttIngest(settings.mqtt_url, worker, client_id=client_id, shared=shared)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    transport.start()
    console.print(
        f"ingesting from {transport.url.host}:{transport.url.port} as {transport.client_id}"
        f"{' (shared subscription)' if shared else ''}"
    )
    if transport.subscribed.wait(30):
        console.print("subscribed 已订阅")
    else:
        err_console.print("[yellow]not subscribed yet; retrying 尚未订阅，重试中[/yellow]")
    notifier = start_notification_sender(settings)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        transport.stop()
        if notifier is not None:
            notifier.stop()
    console.print(f"stopped; {worker.stored} messages stored")


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
