"""The incident pages: the list with response-time statistics and the call form, opening an
incident from an alarm or a hazard, an incident's page (timeline, nearest resources and the
distance method, contacts to tell) and its steps."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from gaswarden.core.auth import Principal
from gaswarden.core.errors import GasWardenError, Invalid
from gaswarden.core.i18n import local_time
from gaswarden.core.pagination import PageParams
from gaswarden.core.protect import mask_phone
from gaswarden.deps import SessionDep
from gaswarden.domains.emergency import (
    contacts,
    incidents,
    ranking,
    response,
    stats,
    teams,
)
from gaswarden.domains.emergency import web_view as view
from gaswarden.domains.emergency.enums import (
    IncidentGrade,
    IncidentSource,
    IncidentStatus,
)
from gaswarden.domains.emergency.schemas import (
    IncidentOpen,
)
from gaswarden.domains.emergency.web_pages import attempt, back_to, render_page
from gaswarden.domains.hazard import web_view as hazard_view
from gaswarden.web.alarm_view import duration_text
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.form_values import choice, integer, number
from gaswarden.web.form_values import text as ftext
from gaswarden.web.render import error_message, page_lang
from gaswarden.web.routing import WebPrincipal, WebRoute

router = APIRouter(route_class=WebRoute)


# ---- incidents ----------------------------------------------------------------------------------
def _incident_list(
    request: Request,
    session: Session,
    principal: Principal,
    error: str | None = None,
    posted: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    filters: dict[str, Any] = {}
    for name, enum in (("status", IncidentStatus), ("grade", IncidentGrade)):
        value = request.query_params.get(name)
        if value:
            with contextlib.suppress(ValueError):
                filters[name] = enum(value)
    try:
        page_no = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page_no = 1
    params = PageParams(page=page_no, size=request.app.state.settings.page_size_default)
    page = incidents.get_all(session=session, principal=principal, params=params, filters=filters)
    figures = stats.incident_stats(session=session, principal=principal, tz=tz, lang=lang)

    def fmt(seconds: float | None) -> str:
        return duration_text(int(seconds)) if seconds is not None else "—"

    return render_page(
        request,
        "emergency/incidents.html",
        status_code,
        principal=principal,
        rows=[view.incident_row(i, tz) for i in page.items],
        page=page,
        stats=figures,
        fmt=fmt,
        grades=IncidentGrade.choices(lang),
        statuses=IncidentStatus.choices(lang),
        current={k: request.query_params.get(k, "") for k in ("status", "grade")},
        may_report=view.may_report(principal),
        enterprises=hazard_view.enterprise_options(session, principal),
        sites=hazard_view.site_options(session, principal),
        error=error,
        posted=posted or {},
        done=request.query_params.get("done"),
    )


@router.get("/emergency/incidents")
def incident_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    return _incident_list(request, session, principal)


@router.post("/emergency/incidents")
def incident_new(
    request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    try:
        data = IncidentOpen(
            title=ftext(form, "title") or "",
            grade=choice(form, "grade", IncidentGrade),
            source=choice(form, "source", IncidentSource, required=False) or IncidentSource.CALL,
            description=ftext(form, "description"),
            address=ftext(form, "address"),
            lon=number(form, "lon"),
            lat=number(form, "lat"),
            site_id=integer(form, "site_id"),
            owner_id=integer(form, "owner_id"),
            caller_name=ftext(form, "caller_name"),
            caller_phone=ftext(form, "caller_phone"),
        )
        incident = incidents.open_incident(session=session, principal=principal, data=data)
    except GasWardenError as exc:
        session.rollback()
        posted = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"}
        return _incident_list(
            request,
            session,
            principal,
            error=error_message(exc, page_lang(request)),
            posted=posted,
            status_code=exc.status_code,
        )
    except ValueError as exc:  # pydantic: the title or the phone
        session.rollback()
        posted = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"}
        return _incident_list(
            request, session, principal, error=str(exc), posted=posted, status_code=422
        )
    return back_to(f"/emergency/incidents/{incident.id}")


def _from_origin(
    request: Request,
    session: Session,
    principal: Principal,
    form: FormData,
    back: str,
    **origin: Any,
) -> Response:
    grade = choice(form, "grade", IncidentGrade, required=False) or IncidentGrade.IV
    title = ftext(form, "title") or ""
    try:
        incident = incidents.open_incident(
            session=session,
            principal=principal,
            data=IncidentOpen(title=title[:200] or "—", grade=grade, **origin),
        )
    except GasWardenError as exc:
        session.rollback()
        return back_to(back, error=error_message(exc, page_lang(request))[:300])
    return back_to(f"/emergency/incidents/{incident.id}")


@router.post("/emergency/incidents/from-alarm/{alarm_id}")
def incident_from_alarm(
    alarm_id: int, request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    """启动应急 on an alarm's page."""
    return _from_origin(
        request,
        session,
        principal,
        form,
        f"/alarms/{alarm_id}",
        alarm_id=alarm_id,
        source=IncidentSource.ALARM,
        description=ftext(form, "note"),
    )


@router.post("/emergency/incidents/from-hazard/{hazard_id}")
def incident_from_hazard(
    hazard_id: int, request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    """启动应急 on a hazard's page."""
    return _from_origin(
        request,
        session,
        principal,
        form,
        f"/hazards/{hazard_id}",
        hazard_id=hazard_id,
        source=IncidentSource.HAZARD,
        description=ftext(form, "note"),
    )


def _incident_page(
    request: Request,
    session: Session,
    principal: Principal,
    incident_id: int,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    tz = request.app.state.settings.timezone
    incident = incidents.get(session=session, principal=principal, id=incident_id)
    rank: dict[str, Any] | None = None
    if incident.lon is not None and incident.lat is not None and incident.status.is_open:
        method, team_rows = ranking.rank_teams(
            session=session, principal=principal, incident=incident
        )
        _, reserve_rows = ranking.rank_reserves(
            session=session, principal=principal, incident=incident
        )
        rank = {"method": method, "teams": team_rows, "reserves": reserve_rows}
    events = incidents.timeline(session=session, incident=incident)
    return render_page(
        request,
        "emergency/incident.html",
        status_code,
        principal=principal,
        i=incident,
        row=view.incident_row(incident, tz),
        rank=rank,
        km=view.km,
        told=[
            {
                "id": c.id,
                "name": c.name,
                "title": c.title,
                "unit": c.unit,
                "phone": mask_phone(c.phone),
            }
            for c in contacts.for_incident(session=session, incident=incident)
        ],
        caller_phone=mask_phone(incident.caller_phone) or "",
        events=[
            {
                "at": local_time(e.at, tz, "%Y-%m-%d %H:%M:%S"),
                "kind": e.kind,
                "actor": e.actor_name,
                "note": e.note or "",
                "data": e.data or {},
            }
            for e in events
        ],
        dispatches=[
            {
                "id": d.id,
                "team": d.team_name,
                "vehicle": d.vehicle_plate or "—",
                "distance": view.km(d.distance_m),
                "method": d.distance_method,
                "dispatched": local_time(d.dispatched_at, tz),
                "arrived": local_time(d.arrived_at, tz),
                "returned": local_time(d.returned_at, tz),
                "out": d.returned_at is None,
                "en_route": d.arrived_at is None and d.returned_at is None,
            }
            for d in incident.dispatches
        ],
        steps=view.steps_for(principal, incident),
        grades=[(g.value, g.label(page_lang(request))) for g in IncidentGrade],
        available=[
            v
            for v in teams.teams(session=session, principal=principal)
            if v.team.duty_status.available
        ],
        reported=local_time(incident.reported_at, tz),
        error=error or request.query_params.get("error"),
        done=request.query_params.get("done"),
    )


@router.get("/emergency/incidents/{incident_id}")
def incident_detail(
    incident_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    return _incident_page(request, session, principal, incident_id)


def run_incident_step(
    session: Session,
    principal: Principal,
    incident_id: int,
    step: str,
    form: FormData,
    timezone: str | None = None,
) -> None:
    common: dict[str, Any] = {"session": session, "principal": principal, "id": incident_id}
    if step == "dispatch":
        team_id = integer(form, "team_id")
        if team_id is None:
            raise Invalid(
                "team_id: choose a team", errors=[{"loc": ["body", "team_id"], "msg": "required"}]
            )
        response.dispatch(
            **common,
            team_id=team_id,
            vehicle_id=integer(form, "vehicle_id"),
            note=ftext(form, "note"),
        )
    elif step == "arrive":
        response.arrive(
            **common, dispatch_id=integer(form, "dispatch_id"), note=ftext(form, "note")
        )
    elif step == "action":
        response.add_action(**common, note=ftext(form, "note") or "")
    elif step == "control":
        response.control(**common, note=ftext(form, "note"))
    elif step == "return":
        dispatch_id = integer(form, "dispatch_id")
        if dispatch_id is None:
            raise Invalid(
                "dispatch_id: choose a team",
                errors=[{"loc": ["body", "dispatch_id"], "msg": "required"}],
            )
        response.return_team(**common, dispatch_id=dispatch_id, note=ftext(form, "note"))
    elif step == "grade":
        response.regrade(
            **common, grade=choice(form, "grade", IncidentGrade), note=ftext(form, "note")
        )
    elif step == "notify":
        response.notify(**common, note=ftext(form, "note"), timezone=timezone)
    elif step == "close":
        response.close(
            **common,
            cause=ftext(form, "cause") or "",
            summary=ftext(form, "summary") or "",
            injured=integer(form, "injured") or 0,
            deaths=integer(form, "deaths") or 0,
        )
    else:
        raise Invalid(f"unknown step {step!r}")


@router.post("/emergency/incidents/{incident_id}/{step}")
def incident_step(
    incident_id: int,
    step: str,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    return attempt(
        request,
        session,
        f"/emergency/incidents/{incident_id}",
        lambda: run_incident_step(
            session, principal, incident_id, step, form, request.app.state.settings.timezone
        ),
        lambda msg, code: _incident_page(request, session, principal, incident_id, msg, code),
    )
