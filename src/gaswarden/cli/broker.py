"""gaswarden broker export: Mosquitto password, ACL and configuration files from the registry."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import typer
from sqlalchemy import select

from gaswarden.cli.common import console, load_settings, transaction
from gaswarden.domains.device.enums import DeviceStatus
from gaswarden.domains.device.models import Device
from gaswarden.ingestion import broker_files
from gaswarden.ingestion.mqtt import BrokerUrl

app = typer.Typer(help="The MQTT broker. MQTT消息服务器", no_args_is_help=True)


@app.command("export")
def export(
    out: Annotated[
        Path, typer.Option("--out", help="directory to write passwd, acl, mosquitto.conf")
    ],
    ingest_user: Annotated[
        str, typer.Option(help="login of the ingest workers")
    ] = "gaswarden-ingest",
    ingest_password: Annotated[
        str | None,
        typer.Option(help="its password; default: from GASWARDEN_MQTT_URL, else generated"),
    ] = None,
    port: Annotated[int, typer.Option(help="listener port in mosquitto.conf")] = 1883,
    data_dir: Annotated[Path | None, typer.Option("--data-dir")] = None,
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
) -> None:
    """Write a Mosquitto password file (one login per active device), ACL and config.
    导出Mosquitto账号、权限与配置文件"""
    settings = load_settings(data_dir, database_url)
    if ingest_password is None and settings.mqtt_url:
        url = BrokerUrl.parse(settings.mqtt_url)
        if url.username == ingest_user:
            ingest_password = url.password
    generated = ingest_password is None
    password = ingest_password or broker_files.new_password()
    with transaction(settings) as session:
        rows = session.execute(
            select(Device.serial, Device.token)
            .where(Device.status == DeviceStatus.ACTIVE, Device.token.is_not(None))
            .order_by(Device.serial)
        ).all()
    logins = [(ingest_user, password)] + [(serial, token) for serial, token in rows if token]
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    passwd = out / "passwd"
    passwd.write_text(broker_files.password_file(logins))
    os.chmod(passwd, 0o600)  # mosquitto refuses world-readable password files in future versions
    (out / "acl").write_text(broker_files.acl_file(ingest_user))
    (out / "mosquitto.conf").write_text(broker_files.mosquitto_conf(out, port=port))
    console.print(
        f"wrote {passwd} ({len(logins) - 1} devices + {ingest_user}), acl, mosquitto.conf"
    )
    console.print(f"start: mosquitto -c {out / 'mosquitto.conf'}")
    if generated:
        console.print(
            "ingest login generated; set "
            f"GASWARDEN_MQTT_URL=mqtt://{ingest_user}:{quote(password, safe='')}@127.0.0.1:{port}"
        )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="broker")
