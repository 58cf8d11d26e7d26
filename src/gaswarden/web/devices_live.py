"""The live part of a device's page: current values with units, health, open alarms (an HTML
fragment the page loads and refreshes), and the history chart's choices. The generic device
page includes it (templates/detail.html); other resources' pages are untouched."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from gaswarden.core.i18n import local_time
from gaswarden.deps import SessionDep
from gaswarden.domains.alarm.enums import OPEN_STAGES
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.telemetry import service as telemetry
from gaswarden.domains.telemetry.models import DeviceHealth
from gaswarden.ingestion.contract import METRICS
from gaswarden.web.alarm_view import rule_label
from gaswarden.web.render import page_lang, render
from gaswarden.web.routing import WebPrincipal, WebRoute

router = APIRouter(route_class=WebRoute)


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:.4g}"


@router.get("/devices/{device_id}/live")
def live_panel(
    device_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    device = devices.get(session=session, principal=principal, id=device_id)  # scope: 404
    values = []
    for v in telemetry.latest(session=session, principal=principal, device_id=device_id):
        metric = METRICS.get(v["metric"])
        text = _number(v["value"])
        if metric is not None and metric.boolean:
            text = "是" if v["value"] else "否"
        values.append(
            {
                "metric": v["metric"],
                "label": v["zh"] if lang == "zh" else v["en"],
                "value": text,
                "unit": "" if metric is not None and metric.boolean else v["unit"],
                "at": local_time(v["ts"], tz, "%m-%d %H:%M:%S"),
            }
        )
    health = session.get(DeviceHealth, device_id)
    now = datetime.now(UTC)
    alarms = session.scalars(
        select(Alarm)
        .where(Alarm.device_id == device_id, Alarm.stage.in_(OPEN_STAGES))
        .order_by(Alarm.raised_at.desc())
    ).all()
    return render(
        request,
        "_device_live.html",
        principal=principal,
        values=values,
        online=telemetry.is_online(health, device.report_interval_s, now),
        health=health,
        last_seen=local_time(health.last_seen, tz, "%Y-%m-%d %H:%M:%S") if health else "",
        alarms=[
            {
                "id": a.id,
                "grade": a.grade,
                "grade_label": a.grade.label(lang),
                "rule": rule_label(a.rule, lang),
                "stage": a.stage.label(lang),
            }
            for a in alarms
        ],
    )
