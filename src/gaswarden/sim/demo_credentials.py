"""The demo devices' log-ins: demo-devices.csv and a ready mosquitto_pub line, so that a
newcomer can send a reading from a real MQTT client at once."""

from __future__ import annotations

import csv
import json
import shlex
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.device.enums import DeviceKind, DeviceStatus
from gaswarden.domains.device.models import Device
from gaswarden.ingestion.contract import MessageKind, topic_for
from gaswarden.sim.telemetry import format_ts, set_point_kpa

DEVICES_CSV = "demo-devices.csv"
DEVICE_FIELDS = ("serial", "kind", "site", "token")


@dataclass(frozen=True)
class DeviceLogin:
    serial: str
    kind: DeviceKind
    site: str
    token: str
    set_kpa: float | None  # pressure monitors


def device_logins(session: Session) -> list[DeviceLogin]:
    """Every device that has a token, by serial (tokens decrypted with the engine's key)."""
    rows = session.scalars(
        select(Device).where(Device.token_digest.is_not(None)).order_by(Device.serial)
    ).all()
    logins = []
    for d in rows:
        if not d.token:
            continue
        asset = d.asset
        # Where it is: its site, else the asset it sits on (wells and regulators along the
        # pipes belong to no site), else its address.
        site = d.site_name or (asset.site_name or asset.name if asset else None) or d.address or ""
        set_kpa = None
        if d.kind is DeviceKind.PRESSURE_MONITOR and d.status is DeviceStatus.ACTIVE:
            set_kpa = set_point_kpa(
                asset.outlet_set_kpa if asset else None,
                asset.outlet_design_mpa if asset else None,
                asset.design_pressure_mpa if asset else None,
            )
        logins.append(DeviceLogin(d.serial, d.kind, site, d.token, set_kpa))
    return logins


def write_devices_csv(path: Path, logins: list[DeviceLogin], broker: str | None = None) -> Path:
    """`broker` (mqtt://host:port), when given, adds a column saying where to connect."""
    # utf-8-sig: Excel, which most users here open it with, then shows the Chinese right.
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow((*DEVICE_FIELDS, "broker") if broker else DEVICE_FIELDS)
        for login in logins:
            row = (login.serial, login.kind.value, login.site, login.token)
            writer.writerow((*row, broker) if broker else row)
    path.chmod(0o600)  # the tokens are secrets, even in a demo
    return path


def mosquitto_pub_line(
    logins: list[DeviceLogin],
    *,
    host: str = "127.0.0.1",
    port: int = 1883,
    now: datetime | None = None,
) -> str | None:
    """A shell line that publishes one normal reading as an active pressure monitor (one on a
    low-pressure regulator if there is one: the familiar 2-3 kPa of a kitchen supply)."""
    monitors = [x for x in logins if x.set_kpa is not None]
    if not monitors:
        return None
    monitor = next((x for x in monitors if (x.set_kpa or 0) < 10), monitors[0])
    body = {
        "ts": format_ts(now or datetime.now(UTC), epoch_ms=False),
        "values": {"pressure_kpa": round(monitor.set_kpa or 2.0, 2)},
    }
    return shlex.join(
        [
            "mosquitto_pub",
            "-h",
            host,
            "-p",
            str(port),
            "-q",
            "1",
            "-u",
            monitor.serial,
            "-P",
            monitor.token,
            "-t",
            topic_for(monitor.serial, MessageKind.TELEMETRY),
            "-m",
            json.dumps(body, ensure_ascii=False),
        ]
    )
