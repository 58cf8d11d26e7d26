"""gaswarden notify: deliver alarm notifications (the sender loop), and try a channel."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from gaswarden.cli.common import console, err_console, load_settings
from gaswarden.db.session import make_engine, make_session_factory
from gaswarden.domains.notification import sender
from gaswarden.domains.notification.channels import DeliveryError
from gaswarden.domains.notification.enums import Channel

app = typer.Typer(help="Alarm notifications: webhook, e-mail, SMS. 报警通知", no_args_is_help=True)

DataDir = Annotated[Path | None, typer.Option("--data-dir")]
DatabaseUrl = Annotated[str | None, typer.Option("--database-url")]


@app.command("run")
def run(
    once: Annotated[bool, typer.Option("--once", help="one round, then exit")] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Deliver due notifications until stopped (several senders may run). 发送报警通知"""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    settings = load_settings(data_dir, database_url)
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    try:
        if once:
            counts = sender.run_once(factory, settings)
            console.print(_summary(counts))
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        console.print(f"sending notifications every {settings.notify_poll_s:g} s; Ctrl-C stops")
        total = sender.run(factory, settings, stop, on_round=lambda c: console.print(_summary(c)))
        console.print(f"stopped; {_summary(total)}")
    finally:
        engine.dispose()


def _summary(counts: Any) -> str:
    parts = [f"{k} {v}" for k, v in sorted(counts.items())]
    return "nothing due 无待发通知" if not parts else ", ".join(parts)


@app.command("test")
def test(
    channel: Annotated[Channel, typer.Argument(help="webhook | email | sms")],
    target: Annotated[str, typer.Argument(help="URL, e-mail address or mobile number")],
    secret: Annotated[
        str | None, typer.Option(help="webhook HMAC key (default GASWARDEN_WEBHOOK_SECRET)")
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Send a test notice through the configured channel now. 发送测试通知"""
    from gaswarden.core.errors import Invalid
    from gaswarden.domains.notification.service import check_target

    settings = load_settings(data_dir, database_url)
    try:
        target = check_target(channel, target)
    except Invalid as exc:
        err_console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc
    now = datetime.now(UTC)
    job = sender.Job(
        id=0,
        channel=channel,
        target=target,
        payload=test_payload(now),
        secret=secret,
        attempts=1,
    )
    try:
        sender.deliver(job, settings, now=now)
    except (DeliveryError, ValueError) as exc:
        err_console.print(f"[red]not delivered 发送失败: {exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"[green]delivered 已发送[/green] {channel.value} → {target}")


def test_payload(now: datetime) -> dict[str, Any]:
    local = now.strftime("%Y-%m-%d %H:%M:%S")
    return {
        "alarm_id": 0,
        "reason": "test",
        "audience": "enterprise",
        "level": 0,
        "grade": "blue",
        "grade_zh": "测试",
        "rule": "test",
        "rule_zh": "通知测试",
        "rule_en": "Notification test",
        "serial": "TEST",
        "site": "",
        "metric": None,
        "values": {"first": None, "last": None, "peak": None},
        "raised_at": now.isoformat(),
        "raised_local": local,
        "link": "/alarms",
        "text_zh": f"这是一条GasWarden测试通知({local} UTC),无需处置。",
        "text_en": f"This is a GasWarden test notice ({local} UTC); no action needed.",
        "test": True,
    }


def register(main: typer.Typer) -> None:
    main.add_typer(app, name="notify")
