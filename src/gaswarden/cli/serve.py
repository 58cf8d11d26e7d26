"""gaswarden serve: the web UI and API."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import uvicorn

from gaswarden.app import create_app
from gaswarden.cli.common import console, err_console, load_settings
from gaswarden.db import migrate
from gaswarden.settings import INSECURE_DEV_KEY, Settings

if TYPE_CHECKING:
    from gaswarden.domains.notification.background import BackgroundSender
    from gaswarden.ingestion.broker import EmbeddedIngest
    from gaswarden.maintenance import Running


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    data_dir: Annotated[Path | None, typer.Option("--data-dir")] = None,
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
    broker: Annotated[
        bool,
        typer.Option(
            "--broker/--no-broker",
            help="without GASWARDEN_MQTT_URL, run the embedded MQTT broker and an ingest worker",
        ),
    ] = True,
) -> None:
    """Serve the web UI and the REST API. 启动Web界面与接口服务"""
    settings = load_settings(data_dir, database_url)
    if settings.secret_key == INSECURE_DEV_KEY:
        err_console.print(
            "[yellow]GASWARDEN_SECRET_KEY is not set: the development key signs cookies and "
            "encrypts personal data. Set your own before real data goes in. "
            "未设置密钥，请在录入真实数据前设置 GASWARDEN_SECRET_KEY。[/yellow]"
        )
    if migrate_first:
        migrate.upgrade(settings)
        seed_reference_data(settings)
    embedded = start_embedded_broker(settings) if broker and not settings.mqtt_url else None
    notifier = housekeeping = None
    try:
        notifier = start_notification_sender(settings)
        housekeeping = start_housekeeping(settings)
        run_server(create_app(settings), host, port)
    finally:
        if housekeeping is not None:
            housekeeping.stop()
        if notifier is not None:
            notifier.stop()
        if embedded is not None:
            embedded.stop()


def seed_reference_data(settings: Settings) -> None:
    """What a new deployment starts with: the built-in checklists (统一检查内容和标准), each
    created once; a regulator's later edits are new versions and are left alone."""
    from gaswarden.db.session import make_engine, make_session_factory, unit_of_work
    from gaswarden.domains.inspection.checklists import seed_builtin

    engine = make_engine(settings)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            created = seed_builtin(session)
    finally:
        engine.dispose()
    if created:
        console.print(f"{created} built-in checklist(s) created  已创建内置检查表")


def start_embedded_broker(settings: Settings, port: int | None = None) -> EmbeddedIngest:
    """The embedded broker (on `port`, default 1883, or the next free one) with an ingest
    worker; `gaswarden demo` calls it too."""
    from gaswarden.ingestion import consumers
    from gaswarden.ingestion.broker import DEFAULT_PORT, start_embedded

    embedded = start_embedded(
        settings, consumers=consumers.build(settings), port=port or DEFAULT_PORT
    )
    console.print(
        f"MQTT broker (embedded) on [bold]127.0.0.1:{embedded.port}[/bold]: devices log in "
        "with their serial and token  内置MQTT服务已启动"
    )
    return embedded


def start_notification_sender(settings: Settings) -> BackgroundSender | None:
    """Alarm notifications delivered from a background thread of this process, unless
    GASWARDEN_NOTIFY_SENDER_ENABLED=false; `gaswarden demo` and `gaswarden ingest` call it too."""
    from gaswarden.domains.notification import background

    notifier = background.start(settings)
    if notifier is None:
        console.print(
            "notification sender off (GASWARDEN_NOTIFY_SENDER_ENABLED=false): run "
            "`gaswarden notify run`  通知发送未启用"
        )
    else:
        console.print(
            f"sending alarm notifications every {settings.notify_poll_s:g} s  报警通知发送已启动"
        )
    return notifier


def start_housekeeping(settings: Settings) -> Running | None:
    """Inspection tasks on schedule, overdue hazards escalated, closed sites watched, in a
    background thread (gaswarden/maintenance.py), unless GASWARDEN_MAINTENANCE_ENABLED=false."""
    from gaswarden import maintenance

    housekeeping = maintenance.start(settings)
    if housekeeping is not None:
        console.print(
            f"housekeeping every {settings.maintenance_interval_s:g} s: inspection tasks, "
            "overdue hazards, closed sites; pipe networks' leak watch every "
            f"{settings.network_watch_interval_s:g} s  定期任务已启动"
        )
    return housekeeping


def run_server(app: object, host: str, port: int) -> None:
    """Serve until Ctrl-C or SIGTERM, then return, so that the caller stops what it started
    (broker, sender, simulator). uvicorn shuts down gracefully on SIGTERM and then raises it
    again under the handler it found; that handler is this no-op rather than the default
    one, which would end the process before the caller's clean-up."""
    console.print(f"GasWarden on [bold]http://{host}:{port}[/bold]  (API: /api/v1/docs)")
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        uvicorn.run(app, host=host, port=port, log_level="info")  # type: ignore[arg-type]
    finally:
        signal.signal(signal.SIGTERM, previous)
