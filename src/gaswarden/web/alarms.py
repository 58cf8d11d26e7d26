"""The alarm board (/alarms), an alarm's page with its timeline and response times, and the
closed-loop steps posted from either page (through domains/alarm/service, CSRF-checked)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import GasWardenError, Invalid
from gaswarden.core.i18n import t
from gaswarden.deps import SessionDep
from gaswarden.domains.alarm import response, service
from gaswarden.domains.alarm.enums import OPEN_STAGES, AlarmCause, AlarmCondition, AlarmStage
from gaswarden.domains.alarm.live import cursor_now
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.alarm.scope import alarm_scope
from gaswarden.domains.area.models import Area
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.device.enums import DeviceKind
from gaswarden.domains.emergency.panel import origin_panel
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.workforce.models import Team
from gaswarden.rules.grades import Grade
from gaswarden.web import alarm_view
from gaswarden.web.csrf import CsrfForm, csrf_token
from gaswarden.web.forms import OPTION_LIMIT, ref_options
from gaswarden.web.render import error_message, page_lang, render
from gaswarden.web.routing import WebPrincipal, WebRoute, query_lists

router = APIRouter(route_class=WebRoute)

BOARD_LIMIT = 200
RECENT = timedelta(hours=24)  # "recent": resolved or closed within the last day
VIEWS = ("recent", "open", "all")
FILTER_NAMES = ("grade", "stage", "state", "area_id", "owner_id", "device_kind")


def board_filters(raw: dict[str, list[str]]) -> tuple[dict[str, Any], str, str | None]:
    """(parsed filters, view, error) from the board's query string (also the stream's)."""
    view = (raw.get("view") or ["recent"])[0]
    view = view if view in VIEWS else "recent"
    picked = {k: v for k, v in raw.items() if k in FILTER_NAMES}
    try:
        return service.FILTERS.parse(picked), view, None
    except Invalid as exc:
        return {}, view, exc.detail


def board_query(
    principal: Principal, filters: dict[str, Any], view: str, now: datetime
) -> Select[Any]:
    """The board's alarms, in the caller's scope: the stream reuses it to test membership."""
    stmt = service.FILTERS.apply(select(Alarm).where(alarm_scope(principal)), filters, None)
    if "stage" not in filters and view == "open":
        stmt = stmt.where(Alarm.stage.in_(OPEN_STAGES))
    elif "stage" not in filters and view == "recent":
        stmt = stmt.where(or_(Alarm.stage.in_(OPEN_STAGES), Alarm.resolved_at >= now - RECENT))
    return stmt


def _options(enum: Any, lang: str) -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in enum.choices(lang)]


def _area_options(session: Session, principal: Principal) -> list[tuple[str, str]]:
    """The areas in scope as a tree (districts, their towns, their grids): choosing one
    filters the board to everything under it."""
    stmt = areas.filtered(principal, {}).order_by(Area.path).limit(OPTION_LIMIT)
    return [
        (str(a.id), "\u3000" * max(0, a.path.count("/") - 2) + a.name)
        for a in session.scalars(stmt)
    ]


@router.get("/alarms")
def board(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    raw = query_lists(request)
    filters, view, error = board_filters(raw)
    # the stream resumes from the timeline as it stands before the rows are read: a change
    # committed in between is both shown and sent again, never lost
    cursor = cursor_now(session).encode()
    now = datetime.now(UTC)
    stmt = board_query(principal, filters, view, now)
    total = session.scalar(
        select(func.count()).select_from(stmt.with_only_columns(Alarm.id).subquery())
    )
    alarms = list(
        session.scalars(stmt.order_by(Alarm.raised_at.desc(), Alarm.id.desc()).limit(BOARD_LIMIT))
    )
    token = csrf_token(request)
    rows = [alarm_view.render_row(request, a, principal, token) for a in alarms]
    selects = {
        "grade": _options(Grade, lang),
        "stage": _options(AlarmStage, lang),
        "state": _options(AlarmCondition, lang),
        "device_kind": _options(DeviceKind, lang),
        "area_id": _area_options(session, principal),
        "owner_id": ref_options(session, principal, organizations) or [],
    }
    current = {k: (raw.get(k) or [""])[0] for k in FILTER_NAMES}
    stream_query = request.url.query
    return render(
        request,
        "alarms.html",
        principal=principal,
        rows=rows,
        total=total or 0,
        limit=BOARD_LIMIT,
        counts=alarm_view.grade_counts(session, principal),
        grades=[(g.value, g.label(lang)) for g in Grade],
        selects=selects,
        current=current,
        view=view,
        error=error,
        last_event=cursor,
        stream_url="/alarms/stream" + (f"?{stream_query}" if stream_query else ""),
    )


def _names(session: Session, events: list[Any]) -> dict[int, str]:
    ids = {v for e in events for k, v in (e.data or {}).items() if k.endswith("_id") and v}
    names: dict[int, str] = {}
    if ids:
        for oid, name in session.execute(
            select(Organization.id, Organization.name).where(Organization.id.in_(ids))
        ):
            names[oid] = name
    return names


@router.get("/alarms/{alarm_id}")
def detail(
    alarm_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    alarm = service.get(session=session, principal=principal, id=alarm_id)
    events = service.timeline(session=session, alarm=alarm)
    ack_target, on_site_target = response.targets(session).get(alarm.grade, (None, None))
    teams = []
    if alarm.owner_id is not None:
        teams = [
            (str(tid), name)
            for tid, name in session.execute(
                select(Team.id, Team.name).where(Team.owner_id == alarm.owner_id).order_by(Team.id)
            )
        ]
    assigned_team = session.get(Team, alarm.assigned_team_id) if alarm.assigned_team_id else None
    assigned_org = (
        session.get(Organization, alarm.assigned_org_id) if alarm.assigned_org_id else None
    )
    times = [
        (t("Acknowledged", lang), alarm.acked_at, alarm.ack_s, ack_target, alarm.ack_overdue),
        (t("On site", lang), alarm.on_site_at, alarm.on_site_s, on_site_target,
         alarm.on_site_overdue),
        (t("Resolved", lang), alarm.resolved_at, alarm.resolve_s, None, False),
    ]  # fmt: skip
    return render(
        request,
        "alarm_detail.html",
        principal=principal,
        a=alarm_view.row_context(alarm, principal, lang, tz),
        alarm=alarm,
        raised=alarm_view.since(alarm.raised_at, tz),
        opened=alarm_view.since(alarm.opened_at, tz),
        cleared=alarm_view.since(alarm.cleared_at, tz),
        closed=alarm_view.since(alarm.closed_at, tz),
        first_value=alarm.first_value,
        peak_value=alarm.peak_value,
        cause=alarm.cause.label(lang) if alarm.cause else "",
        assigned=" · ".join(x.name for x in (assigned_org, assigned_team) if x is not None),
        times=[
            {
                "label": label,
                "at": alarm_view.since(at, tz),
                "took": alarm_view.duration_text(took),
                "target": alarm_view.duration_text(target),
                "overdue": overdue,
            }
            for label, at, took, target, overdue in times
        ],
        timeline=alarm_view.timeline_rows(events, lang, tz, _names(session, events)),
        teams=teams,
        causes=AlarmCause.choices(lang),
        error=request.query_params.get("error"),
        done=request.query_params.get("done"),
        emergency=origin_panel(session, principal, alarm_id=alarm.id),
    )


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        raise Invalid(f"not a number: {value}") from None


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def run_step(session: Session, principal: Principal, alarm_id: int, step: str, form: Any) -> Alarm:
    """One closed-loop step through the alarm service; its errors propagate."""
    note = _text(form.get("note"))
    common: dict[str, Any] = {"session": session, "principal": principal, "id": alarm_id}
    if step == "acknowledge":
        return service.acknowledge(**common, note=note)
    if step == "assign":
        return service.assign(
            **common, org_id=_int(form.get("org_id")), team_id=_int(form.get("team_id")), note=note
        )
    if step == "on-site":
        return service.on_site(**common, note=note)
    if step == "resolve":
        raw = form.get("cause") or ""
        try:
            cause = AlarmCause(raw)
        except ValueError:
            raise Invalid(
                "choose a cause", errors=[{"loc": ["body", "cause"], "msg": "required"}]
            ) from None
        return service.resolve(**common, cause=cause, note=note)
    if step == "close":
        return service.close(**common, note=note)
    if step == "reopen":
        return service.reopen(**common, note=note)
    raise Invalid(f"unknown step {step}")


@router.post("/alarms/{alarm_id}/{step}")
def step(
    alarm_id: int,
    step: str,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    """From the board (fetch, JSON answer with the new row) or a plain form (redirect)."""
    lang = page_lang(request)
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        alarm = run_step(session, principal, alarm_id, step, form)
    except GasWardenError as exc:
        session.rollback()
        message = error_message(exc, lang)
        if wants_json:
            return JSONResponse({"ok": False, "error": message}, status_code=exc.status_code)
        return RedirectResponse(f"/alarms/{alarm_id}?error={quote(message)}", status_code=303)
    if wants_json:
        row = alarm_view.render_row(request, alarm, principal, csrf_token(request))
        return JSONResponse({"ok": True, "id": alarm.id, "stage": alarm.stage.value, "row": row})
    return RedirectResponse(f"/alarms/{alarm_id}?done={quote(step)}", status_code=303)
