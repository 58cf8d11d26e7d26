"""The live map's colours: a point takes its worst open alarm's grade colour, a device that
stopped reporting is grey, everything else green. Scoped like the alarms and devices."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.domains.alarm.enums import OPEN_STAGES
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.alarm.scope import alarm_scope
from gaswarden.domains.device.enums import DeviceStatus
from gaswarden.domains.device.models import Device
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.telemetry.models import DeviceHealth
from gaswarden.domains.telemetry.service import is_online
from gaswarden.rules.grades import Grade

STATE_COLOURS = {
    Grade.RED.value: "#d64545",
    Grade.ORANGE.value: "#e8772e",
    Grade.YELLOW.value: "#e0c01a",
    Grade.BLUE.value: "#2f6fde",
    "offline": "#9aa1ab",
    "normal": "#2e9e4f",
}


def _worst(grades: dict[int, Grade], key: int | None, grade: Grade) -> None:
    if key is None:
        return
    current = grades.get(key)
    if current is None or grade.more_severe_than(current):
        grades[key] = grade


def states(session: Session, principal: Principal) -> dict[str, dict[int, str]]:
    """{"sites": {id: state}, "devices": {id: state}} for the points that are not normal
    (a state is a grade value or "offline")."""
    by_device: dict[int, Grade] = {}
    by_site: dict[int, Grade] = {}
    open_alarms = select(Alarm.device_id, Alarm.site_id, Alarm.grade).where(
        alarm_scope(principal), Alarm.stage.in_(OPEN_STAGES)
    )
    for device_id, site_id, grade in session.execute(open_alarms):
        _worst(by_device, device_id, grade)
        _worst(by_site, site_id, grade)
    out_devices = {k: g.value for k, g in by_device.items()}
    now = datetime.now(UTC)
    rows = session.execute(
        devices.visible(principal)
        .with_only_columns(Device.id, Device.report_interval_s, DeviceHealth)
        .outerjoin(DeviceHealth, DeviceHealth.device_id == Device.id)
        .where(Device.lon.is_not(None), Device.status == DeviceStatus.ACTIVE)
    )
    for device_id, interval, health in rows:
        if device_id not in out_devices and not is_online(health, interval, now):
            out_devices[device_id] = "offline"
    return {"sites": {k: g.value for k, g in by_site.items()}, "devices": out_devices}


def colour_points(layers: list[dict[str, Any]], state: dict[str, dict[int, str]]) -> None:
    """Give each point of the layers (built by web/map.py) its state and colour."""
    for layer in layers:
        path = "sites" if layer["url"] and layer["url"][0].startswith("/sites/") else "devices"
        known = state[path]
        layer["state"] = [known.get(int(url.rsplit("/", 1)[1]), "normal") for url in layer["url"]]
        layer["colours"] = [STATE_COLOURS[s] for s in layer["state"]]
