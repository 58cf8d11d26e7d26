"""The emergency pages: the overview (/emergency), incidents (list with the response-time
statistics and the call form, an incident's page with its timeline, the nearest resources and
the distance method, the contacts to tell, and the steps), opening an incident from an alarm
or a hazard, plans (list with overdue reviews, a plan's versions and steps), resources (teams
with duty status, reserves with flags, the map), drills (list, counts per organiser per year,
a drill's evaluation and follow-ups). Thin: every read and write goes through the services."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
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
    drills,
    incidents,
    plans,
    ranking,
    reserves,
    response,
    roads,
    stats,
    teams,
)
from gaswarden.domains.emergency import web_view as view
from gaswarden.domains.emergency.clock import local_today
from gaswarden.domains.emergency.enums import (
    DrillKind,
    DrillRating,
    DrillStatus,
    IncidentGrade,
    IncidentSource,
    IncidentStatus,
    PlanLevel,
    PlanStatus,
    ReserveCategory,
    ReserveKind,
)
from gaswarden.domains.emergency.schemas import (
    DrillActionCreate,
    DrillCreate,
    DrillHeld,
    IncidentOpen,
    PlanApprove,
    PlanCreate,
    PlanVersionCreate,
)
from gaswarden.domains.hazard import web_view as hazard_view
from gaswarden.domains.hazard.web import store_photos
from gaswarden.domains.workforce.enums import DutyStatus
from gaswarden.web.alarm_view import duration_text
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.form_values import choice, day, integer, number
from gaswarden.web.form_values import text as ftext
from gaswarden.web.render import page_lang, render
from gaswarden.web.routing import WebPrincipal, WebRoute

router = APIRouter(route_class=WebRoute)


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    lang = page_lang(request)
    return render(request, template, status_code, t=lambda m: view.text(m, lang), **context)


def _message(exc: GasWardenError, lang: str) -> str:
    return f"{exc.title_zh if lang == 'zh' else exc.title}: {exc.detail}"


def _back(url: str, **query: str) -> RedirectResponse:
    q = "&".join(f"{k}={v}" for k, v in query.items())
    return RedirectResponse(f"{url}?{q}" if q else url, status_code=303)


def _lines(value: str | None) -> list[str]:
    if not value:
        return []
    return [s.strip() for s in value.replace("，", ",").replace("\n", ",").split(",") if s.strip()]


def _attempt(
    request: Request,
    session: Session,
    target: str,
    action: Callable[[], Any],
    failed: Callable[[str, int], Response],
) -> Response:
    """Run a write: on success back to `target` (303), on a refusal the page again with the
    error and the refusal's status."""
    try:
        action()
    except GasWardenError as exc:
        session.rollback()
        return failed(_message(exc, page_lang(request)), exc.status_code)
    return _back(target, done="1")


# ---- overview -----------------------------------------------------------------------------------
@router.get("/emergency")
def overview(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    open_rows = [
        view.incident_row(i, tz)
        for i in incidents.open_ones(session=session, principal=principal, limit=10)
    ]
    views = teams.teams(session=session, principal=principal)
    nodes, edges, km = roads.summary(session)
    return _page(
        request,
        "emergency/overview.html",
        principal=principal,
        plan_counts=plans.counts(session=session, principal=principal),
        reserve_totals=reserves.totals(session=session, principal=principal),
        teams_available=sum(1 for v in views if v.team.duty_status.available),
        teams_total=len(views),
        open_rows=open_rows,
        open_count=incidents.count_open(session=session, principal=principal),
        road={"nodes": nodes, "edges": edges, "km": km},
        lang=lang,
    )


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

    return _page(
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
            error=_message(exc, page_lang(request)),
            posted=posted,
            status_code=exc.status_code,
        )
    except ValueError as exc:  # pydantic: the title or the phone
        session.rollback()
        posted = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"}
        return _incident_list(
            request, session, principal, error=str(exc), posted=posted, status_code=422
        )
    return _back(f"/emergency/incidents/{incident.id}")


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
        return _back(back, error=_message(exc, page_lang(request))[:300])
    return _back(f"/emergency/incidents/{incident.id}")


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
    return _page(
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
    return _attempt(
        request,
        session,
        f"/emergency/incidents/{incident_id}",
        lambda: run_incident_step(
            session, principal, incident_id, step, form, request.app.state.settings.timezone
        ),
        lambda msg, code: _incident_page(request, session, principal, incident_id, msg, code),
    )


# ---- plans --------------------------------------------------------------------------------------
def _plan_list(
    request: Request,
    session: Session,
    principal: Principal,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = page_lang(request)
    today = local_today()
    filters: dict[str, Any] = {}
    status = request.query_params.get("status")
    if status in {s.value for s in PlanStatus}:
        filters["status"] = PlanStatus(status)
    overdue = request.query_params.get("overdue") == "true"
    page = plans.get_all(
        session=session,
        principal=principal,
        params=PageParams(size=200),
        filters=filters,
        overdue=overdue,
        current=request.query_params.get("all") != "true",
    )
    return _page(
        request,
        "emergency/plans.html",
        status_code,
        principal=principal,
        rows=[plans.read(p, today) for p in page.items],
        counts=plans.counts(session=session, principal=principal),
        levels=PlanLevel.choices(lang),
        statuses=PlanStatus.choices(lang),
        current={"status": status or "", "overdue": overdue},
        may_write=view.may_write(principal),
        regulator=principal.is_regulator,
        enterprises=hazard_view.enterprise_options(session, principal),
        error=error,
        done=request.query_params.get("done"),
    )


@router.get("/emergency/plans")
def plan_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    return _plan_list(request, session, principal)


@router.post("/emergency/plans")
def plan_new(
    request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    settings = request.app.state.settings
    created: dict[str, int] = {}

    def create() -> None:
        uploads = store_photos(session, principal, settings, form, documents=True)
        try:
            data = PlanCreate(
                code=ftext(form, "code") or "",
                title=ftext(form, "title") or "",
                level=choice(form, "level", PlanLevel),
                owner_id=integer(form, "owner_id"),
                scenarios=_lines(ftext(form, "scenarios")),
                summary=ftext(form, "summary"),
                attachment_id=uploads[0] if uploads else integer(form, "attachment_id"),
                review_due_on=day(form, "review_due_on"),
                filed_with=ftext(form, "filed_with"),
            )
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
        created["id"] = plans.create(session=session, principal=principal, data=data).id

    response_ = _attempt(
        request,
        session,
        "/emergency/plans",
        create,
        lambda msg, code: _plan_list(request, session, principal, msg, code),
    )
    if "id" in created and response_.status_code == 303:
        return _back(f"/emergency/plans/{created['id']}", done="1")
    return response_


def _plan_page(
    request: Request,
    session: Session,
    principal: Principal,
    plan_id: int,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    today = local_today()
    plan = plans.get(session=session, principal=principal, id=plan_id)
    all_versions = plans.versions(session=session, principal=principal, plan=plan)
    steps: list[str] = []
    if view.may_write(principal):
        if plan.status is PlanStatus.DRAFT:
            steps.append("submit")
        if plan.status is PlanStatus.SUBMITTED and principal.is_regulator:
            steps += ["approve", "send_back"]
        if plan.id == all_versions[0].id and plan.status in (
            PlanStatus.APPROVED,
            PlanStatus.SUPERSEDED,
        ):
            steps.append("version")
    return _page(
        request,
        "emergency/plan.html",
        status_code,
        principal=principal,
        p=plans.read(plan, today),
        versions=[plans.read(v, today) for v in all_versions],
        steps=steps,
        error=error,
        done=request.query_params.get("done"),
    )


@router.get("/emergency/plans/{plan_id}")
def plan_detail(
    plan_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    return _plan_page(request, session, principal, plan_id)


@router.post("/emergency/plans/{plan_id}/{step}")
def plan_step(
    plan_id: int,
    step: str,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    settings = request.app.state.settings
    target = {"id": plan_id}

    def run() -> None:
        common: dict[str, Any] = {"session": session, "principal": principal, "id": plan_id}
        if step == "submit":
            plans.submit(**common, note=ftext(form, "note"))
        elif step == "approve":
            plans.approve(
                **common,
                data=PlanApprove(
                    effective_on=day(form, "effective_on"),
                    review_due_on=day(form, "review_due_on"),
                    note=ftext(form, "note"),
                ),
            )
        elif step == "send_back":
            plans.send_back(**common, note=ftext(form, "note") or "")
        elif step == "version":
            uploads = store_photos(session, principal, settings, form, documents=True)
            plan = plans.new_version(
                **common,
                data=PlanVersionCreate(
                    summary=ftext(form, "summary"),
                    attachment_id=uploads[0] if uploads else None,
                    review_due_on=day(form, "review_due_on"),
                ),
            )
            target["id"] = plan.id
        else:
            raise Invalid(f"unknown step {step!r}")

    result = _attempt(
        request,
        session,
        f"/emergency/plans/{plan_id}",
        run,
        lambda msg, code: _plan_page(request, session, principal, plan_id, msg, code),
    )
    if result.status_code == 303 and target["id"] != plan_id:
        return _back(f"/emergency/plans/{target['id']}", done="1")
    return result


# ---- resources ----------------------------------------------------------------------------------
def _resources(
    request: Request,
    session: Session,
    principal: Principal,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = page_lang(request)
    today = local_today()
    views = teams.teams(session=session, principal=principal)
    flag = request.query_params.get("flag")
    stmt = reserves.service.visible(principal)
    if flag in ("expired", "maintenance"):
        stmt = stmt.where(reserves.flagged_clause(flag, today))
    items = list(session.scalars(stmt.order_by(reserves.ReserveItem.kind, reserves.ReserveItem.id)))
    nodes, edges, km = roads.summary(session)
    return _page(
        request,
        "emergency/resources.html",
        status_code,
        principal=principal,
        teams=[v.read() | {"view": v} for v in views],
        duty=DutyStatus.choices(lang),
        vehicles=teams.vehicle_rows(session=session, principal=principal),
        items=[
            {
                "item": r,
                "expired": reserves.expired(r, today),
                "expiring": reserves.expiring(r, today),
                "maintenance_due": reserves.maintenance_due(r, today),
                "holder": r.team.name if r.team else (r.site.name if r.site else r.address or "—"),
            }
            for r in items
        ],
        totals=reserves.totals(session=session, principal=principal),
        contacts=[
            {
                "name": c.name,
                "title": c.title,
                "unit": c.unit,
                "phone": mask_phone(c.phone),
                "grade": c.min_grade,
                "district": c.owner_id is None,
            }
            for c in contacts.service.get_all(
                session=session, principal=principal, params=PageParams(size=500)
            ).items
        ],
        flag=flag or "",
        road={"nodes": nodes, "edges": edges, "km": km},
        categories=ReserveCategory.choices(lang),
        kinds=ReserveKind.choices(lang),
        grades=IncidentGrade.choices(lang),
        map_json=json.dumps(view.map_data(session, principal, views, lang), ensure_ascii=False),
        may_write=view.may_write(principal),
        error=error,
        done=request.query_params.get("done"),
    )


@router.get("/emergency/resources")
def resources(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    return _resources(request, session, principal)


@router.post("/emergency/reserves")
def reserve_new(
    request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    """A reserve line from the resources page (held by a team, at its base)."""

    def create() -> None:
        data = {
            "name": ftext(form, "name") or "",
            "category": ftext(form, "category") or "",
            "kind": ftext(form, "kind") or "",
            "quantity": number(form, "quantity", minimum=0) or 0,
            "unit": ftext(form, "unit") or "套",
            "sets": integer(form, "sets") or 0,
            "team_id": integer(form, "team_id"),
            "address": ftext(form, "address"),
            "expires_on": day(form, "expires_on"),
            "next_maintenance_on": day(form, "next_maintenance_on"),
        }
        reserves.service.create(
            session=session,
            principal=principal,
            data={k: v for k, v in data.items() if v is not None},
        )

    return _attempt(
        request,
        session,
        "/emergency/resources",
        create,
        lambda msg, code: _resources(request, session, principal, msg, code),
    )


@router.post("/emergency/contacts")
def contact_new(
    request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    def create() -> None:
        data = {
            "name": ftext(form, "name") or "",
            "title": ftext(form, "title") or "",
            "unit": ftext(form, "unit") or "",
            "phone": ftext(form, "phone"),
            "min_grade": ftext(form, "min_grade") or "",
            "owner_id": principal.org_id if not principal.is_regulator else None,
        }
        contacts.service.create(session=session, principal=principal, data=data)

    return _attempt(
        request,
        session,
        "/emergency/resources",
        create,
        lambda msg, code: _resources(request, session, principal, msg, code),
    )


@router.post("/emergency/teams/{team_id}/duty")
def team_duty(
    team_id: int, request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    return _attempt(
        request,
        session,
        "/emergency/resources",
        lambda: teams.set_duty(
            session=session,
            principal=principal,
            id=team_id,
            duty_status=choice(form, "duty_status", DutyStatus),
            note=ftext(form, "note"),
        ),
        lambda msg, code: _resources(request, session, principal, msg, code),
    )


# ---- drills -------------------------------------------------------------------------------------
def _drill_list(
    request: Request,
    session: Session,
    principal: Principal,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = page_lang(request)
    filters: dict[str, Any] = {}
    status = request.query_params.get("status")
    if status in {s.value for s in DrillStatus}:
        filters["status"] = DrillStatus(status)
    page = drills.get_all(
        session=session, principal=principal, params=PageParams(size=200), filters=filters
    )
    return _page(
        request,
        "emergency/drills.html",
        status_code,
        principal=principal,
        rows=page.items,
        total=page.total,
        counts=drills.counts_by_year(session=session, principal=principal, lang=lang),
        kinds=DrillKind.choices(lang),
        statuses=DrillStatus.choices(lang),
        current={"status": status or ""},
        may_write=view.may_write(principal),
        error=error,
        done=request.query_params.get("done"),
    )


@router.get("/emergency/drills")
def drill_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    return _drill_list(request, session, principal)


@router.post("/emergency/drills")
def drill_new(
    request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    def create() -> None:
        planned = day(form, "planned_on", required=True)
        assert planned is not None
        try:
            data = DrillCreate(
                title=ftext(form, "title") or "",
                kind=choice(form, "kind", DrillKind),
                scenario=ftext(form, "scenario") or "",
                planned_on=planned,
                address=ftext(form, "address"),
                participant_units=ftext(form, "participant_units"),
            )
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
        drills.plan_drill(session=session, principal=principal, data=data)

    return _attempt(
        request,
        session,
        "/emergency/drills",
        create,
        lambda msg, code: _drill_list(request, session, principal, msg, code),
    )


def _drill_page(
    request: Request,
    session: Session,
    principal: Principal,
    drill_id: int,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = page_lang(request)
    drill = drills.get(session=session, principal=principal, id=drill_id)
    return _page(
        request,
        "emergency/drill.html",
        status_code,
        principal=principal,
        d=drill,
        ratings=DrillRating.choices(lang),
        may_write=view.may_write(principal),
        today=local_today(),
        error=error,
        done=request.query_params.get("done"),
    )


@router.get("/emergency/drills/{drill_id}")
def drill_detail(
    drill_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    return _drill_page(request, session, principal, drill_id)


@router.post("/emergency/drills/{drill_id}/{step}")
def drill_step(
    drill_id: int,
    step: str,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    def run() -> None:
        common: dict[str, Any] = {"session": session, "principal": principal, "id": drill_id}
        try:
            if step == "held":
                held_on = day(form, "held_on", required=True)
                assert held_on is not None
                drills.hold(
                    **common,
                    data=DrillHeld(
                        held_on=held_on,
                        participants=integer(form, "participants") or 0,
                        participant_units=ftext(form, "participant_units"),
                        rating=choice(form, "rating", DrillRating),
                        evaluation=ftext(form, "evaluation") or "",
                    ),
                )
            elif step == "cancel":
                drills.cancel(**common, note=ftext(form, "note") or "")
            elif step == "add_action":
                drills.add_action(
                    **common,
                    data=DrillActionCreate(
                        text=ftext(form, "text") or "",
                        responsible=ftext(form, "responsible"),
                        due_on=day(form, "due_on"),
                    ),
                )
            elif step == "action_done":
                action_id = integer(form, "action_id")
                drills.action_done(
                    **common,
                    action_id=action_id or 0,
                    done_on=day(form, "done_on") or local_today(),
                )
            else:
                raise Invalid(f"unknown step {step!r}")
        except ValueError as exc:
            raise Invalid(str(exc)) from exc

    return _attempt(
        request,
        session,
        f"/emergency/drills/{drill_id}",
        run,
        lambda msg, code: _drill_page(request, session, principal, drill_id, msg, code),
    )
