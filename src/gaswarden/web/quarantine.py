"""/quarantine: messages the ingestion refused, for regulators — reason, serial, transport,
time, detail and the start of the payload; filters by reason, serial, transport and date."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response

from gaswarden.core.errors import Forbidden
from gaswarden.core.i18n import local_time
from gaswarden.deps import SessionDep
from gaswarden.domains.telemetry import service as telemetry
from gaswarden.ingestion.contract import RejectReason
from gaswarden.web.render import page_lang, render
from gaswarden.web.routing import WebPrincipal, WebRoute, with_query

router = APIRouter(route_class=WebRoute)

PAGE_SIZE = 50
EXCERPT = 160  # characters of the payload shown in the list
TRANSPORTS = ("mqtt", "http", "webhook")


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@router.get("/quarantine")
def quarantine_page(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    if not principal.is_regulator:
        raise Forbidden("the quarantine is for regulators")
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    qp = request.query_params
    reason = None
    try:
        reason = RejectReason(qp["reason"]) if qp.get("reason") else None
    except ValueError:
        reason = None
    serial = (qp.get("serial") or "").strip() or None
    transport = qp.get("transport") if qp.get("transport") in TRANSPORTS else None
    day_from, day_to = _day(qp.get("from")), _day(qp.get("to"))
    zone = ZoneInfo(tz)  # the dates are local days
    start = datetime.combine(day_from, time(), zone) if day_from else None
    end = datetime.combine(day_to + timedelta(days=1), time(), zone) if day_to else None
    try:
        page_no = max(1, int(qp.get("page", "1")))
    except ValueError:
        page_no = 1
    rows, total = telemetry.quarantine(
        session=session,
        principal=principal,
        reason=reason,
        serial=serial,
        transport=transport,
        start=start,
        end=end,
        page=page_no,
        size=PAGE_SIZE,
    )
    items = [
        {
            "id": r.id,
            "at": local_time(r.received_at, tz, "%Y-%m-%d %H:%M:%S"),
            "reason": r.reason.label(lang),
            "reason_other": r.reason.label("en" if lang == "zh" else "zh"),
            "colour": r.reason.colour,
            "serial": r.serial or "",
            "device_id": r.device_id,
            "transport": r.transport,
            "topic": r.topic or "",
            "detail": r.detail,
            "excerpt": r.payload[:EXCERPT] + ("…" if len(r.payload) > EXCERPT else ""),
            "payload": r.payload,
        }
        for r in rows
    ]
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request,
        "quarantine.html",
        principal=principal,
        items=items,
        total=total,
        page_no=page_no,
        pages=pages,
        prev_href=with_query(request, page=page_no - 1) if page_no > 1 else None,
        next_href=with_query(request, page=page_no + 1) if page_no < pages else None,
        reasons=RejectReason.choices(lang),
        transports=TRANSPORTS,
        current={
            "reason": reason.value if reason else "",
            "serial": serial or "",
            "transport": transport or "",
            "from": day_from.isoformat() if day_from else "",
            "to": day_to.isoformat() if day_to else "",
        },
    )
