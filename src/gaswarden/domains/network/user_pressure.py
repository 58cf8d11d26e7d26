"""Users' pressure fluctuations per area (the article: 用户压力波动), from the pressure monitors.

Each monitor's band is the one its alarm rules hold (the first under-pressure and the first
over-pressure level: the regulator's set point ±, see rules/setpoints.py), so the report and
the alarms agree on what "outside the band" means. Only monitors in the caller's scope count.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.domains.area.models import Area
from gaswarden.domains.device.enums import DeviceKind
from gaswarden.domains.device.models import Device
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.telemetry.models import Reading
from gaswarden.network.fluctuation import by_area
from gaswarden.rules import context

METRIC = "pressure_kpa"


def _first_level(params: dict[str, Any] | None) -> float | None:
    levels = (params or {}).get("levels") or []
    return float(levels[0][0]) if levels else None


def bands(session: Session, device_ids: list[int]) -> pd.DataFrame:
    rows = []
    for device_id, rules in context.load(session, device_ids).items():
        low = _first_level(rules.params.get("pressure_low"))
        high = _first_level(rules.params.get("pressure_high"))
        if low is not None and high is not None:
            rows.append({"device": device_id, "low_kpa": low, "high_kpa": high})
    return pd.DataFrame(rows, columns=["device", "low_kpa", "high_kpa"])


def report(
    *, session: Session, principal: Principal, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """Per area: monitors, readings, how often and how far outside the band, time outside."""
    monitors = session.execute(
        select(Device.id, Device.area_id).where(
            Device.kind == DeviceKind.PRESSURE_MONITOR,
            Device.area_id.is_not(None),
            devices.scope(principal),
        )
    ).all()
    area_of = {d: a for d, a in monitors}
    band = bands(session, sorted(area_of))
    if band.empty:
        return []
    ids = [int(d) for d in band["device"]]
    rows = session.execute(
        select(Reading.device_id, Reading.ts, Reading.value).where(
            Reading.device_id.in_(ids),
            Reading.metric == METRIC,
            Reading.ts >= since,
            Reading.ts < until,
        )
    ).all()
    if not rows:
        return []
    readings = pd.DataFrame(rows, columns=["device", "ts", "pressure_kpa"])
    readings["area"] = readings["device"].map(area_of)
    table = by_area(readings, band)
    names = {
        int(i): str(n)
        for i, n in session.execute(
            select(Area.id, Area.name).where(Area.id.in_(set(area_of.values())))
        )
    }
    out = []
    for record in table.to_dict(orient="records"):
        record["area_name"] = names.get(int(record["area"]), str(record["area"]))
        out.append({k: (round(v, 4) if isinstance(v, float) else v) for k, v in record.items()})
    return out
