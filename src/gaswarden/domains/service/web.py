"""The service pages. Public, no sign-in: the residents' form (/service/report, CSRF, a hidden
trap field and a per-address limit). Signed in: the request list (/service-requests), the
hotline operator's fast entry (/service-requests/new), a request's page with its steps
(/service-requests/{id}), the statistics (/service-requests/statistics) and the coverage of
pipe gas and clean heating with its chart (/service-requests/coverage), where a regulator
updates a village's figures. Thin: everything goes through the domain's services."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from gaswarden.core.auth import Principal
from gaswarden.core.errors import GasWardenError, Invalid
from gaswarden.core.pagination import PageParams
from gaswarden.deps import SessionDep
from gaswarden.domains.area.enums import AreaLevel
from gaswarden.domains.area.models import Area
from gaswarden.domains.hazard import web_view as hazard_view
from gaswarden.domains.service import coverage, requests, stats
from gaswarden.domains.service import web_view as view
from gaswarden.domains.service.enums import (
    RequestChannel,
    RequestKind,
    RequestPriority,
    RequestStatus,
)
from gaswarden.domains.service.scope import may_edit_coverage, may_receive
from gaswarden.domains.service.workflow import Step
from gaswarden.standards.service import all_targets
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.form_values import choice as _enum
from gaswarden.web.form_values import integer as _int
from gaswarden.web.form_values import number
from gaswarden.web.form_values import text as _text
from gaswarden.web.forms import FormField, refill
from gaswarden.web.pages import apply_errors
from gaswarden.web.render import error_message, page_lang, render
from gaswarden.web.routing import WebPrincipal, WebRoute, query_lists, with_query

router = APIRouter(route_class=WebRoute)

BASE = "/service-requests"
FILTER_NAMES = (
    "status",
    "kind",
    "channel",
    "priority",
    "owner_id",
    "area_id",
    "overdue",
    "received_from",
    "received_to",
)
OFFLINE = {"hotline": RequestChannel.HOTLINE, "counter": RequestChannel.COUNTER}
TRAP = "website"  # hidden from people; a bot that fills every field gives itself away


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    lang = page_lang(request)
    return render(request, template, status_code, t=lambda m: view.text(m, lang), **context)


def _towns(session: Session) -> list[tuple[str, str]]:
    """The towns and streets (public names: the residents' form lists them)."""
    stmt = select(Area.id, Area.name).where(Area.level == AreaLevel.TOWN).order_by(Area.code)
    return [(str(i), name) for i, name in session.execute(stmt)]


def _kind_options(lang: str) -> list[tuple[str, str]]:
    return RequestKind.choices(lang)


# ---- the public form ----------------------------------------------------------------------------
def _public_fields(session: Session, lang: str, form: FormData | None = None) -> list[FormField]:
    tx = view.text
    fields = [
        FormField("kind", tx("Kind", lang), "select", True, RequestKind.REPAIR.value),
        FormField("contact_name", tx("Contact", lang), "text", True),
        FormField("contact_phone", tx("Phone", lang), "text", True),
        FormField("area_id", tx("Town", lang), "select", True),
        FormField("address", tx("Address", lang), "text", True),
        FormField("description", tx("Description", lang), "textarea", True),
    ]
    fields[0].options = _kind_options(lang)
    fields[3].options = _towns(session)
    return refill(fields, form)


def _public_page(
    request: Request, fields: list[FormField], *, message: str | None = None, status: int = 200
) -> Response:
    return _page(
        request,
        "service/report.html",
        status_code=status,
        principal=None,
        fields=fields,
        trap=TRAP,
        message=message,
    )


@router.get("/service/report")
def public_form(request: Request, session: SessionDep) -> Response:
    return _public_page(request, _public_fields(session, page_lang(request)))


@router.post("/service/report")
def public_send(request: Request, session: SessionDep, form: CsrfForm) -> Response:
    lang = page_lang(request)
    settings = request.app.state.settings
    fields = _public_fields(session, lang, form)
    if _text(form, TRAP):
        return RedirectResponse("/service/report/done", status_code=303)  # say nothing to a bot
    ip = request.client.host if request.client else None
    try:
        address = _text(form, "address")
        if not address:
            raise Invalid(
                "address: required", errors=[{"loc": ["body", "address"], "msg": "required"}]
            )
        created = requests.receive(
            session=session,
            principal=replace(requests.PUBLIC, ip=ip),
            channel=RequestChannel.WEB,
            kind=_enum(form, "kind", RequestKind),
            contact_name=(_text(form, "contact_name") or "")[:50],
            contact_phone=_text(form, "contact_phone"),
            area_id=_int(form, "area_id"),
            address=address[:255],
            description=(_text(form, "description") or "")[:5000],
            tz=settings.timezone,
        )
    except GasWardenError as exc:
        session.rollback()
        message = apply_errors(fields, exc, lang)
        return _public_page(request, fields, message=message, status=exc.status_code)
    request.session["service_code"] = created.code
    return RedirectResponse("/service/report/done", status_code=303)


@router.get("/service/report/done")
def public_done(request: Request) -> Response:
    code = request.session.pop("service_code", None)
    return _page(request, "service/report_done.html", principal=None, code=code)


# ---- the list -----------------------------------------------------------------------------------
@router.get(BASE)
def request_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    settings = request.app.state.settings
    raw = query_lists(request)
    error = None
    try:
        filters = requests.FILTERS.parse({k: v for k, v in raw.items() if k in FILTER_NAMES})
    except Invalid as exc:
        filters, error = {}, exc.detail
    q = (request.query_params.get("q") or "").strip() or None
    try:
        page_no = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page_no = 1
    params = PageParams(page=page_no, size=settings.page_size_default, q=q)
    page = requests.get_all(session=session, principal=principal, params=params, filters=filters)
    yes_no = [("true", view.text("Yes", lang)), ("false", view.text("No", lang))]
    selects = {
        "status": RequestStatus.choices(lang),
        "kind": RequestKind.choices(lang),
        "channel": RequestChannel.choices(lang),
        "priority": RequestPriority.choices(lang),
        "owner_id": hazard_view.enterprise_options(session, principal),
        "area_id": hazard_view.area_options(session, principal),
        "overdue": yes_no,
    }
    labels = {f.name: f.label(lang) for f in requests.FILTERS.filters}
    return _page(
        request,
        "service/list.html",
        principal=principal,
        rows=[view.row(r, settings.timezone) for r in page.items],
        page=page,
        selects={k: v for k, v in selects.items() if v},
        labels=labels,
        current={k: (raw.get(k) or [""])[0] for k in (*FILTER_NAMES, "q")},
        prev_href=with_query(request, page=page.page - 1) if page.page > 1 else None,
        next_href=with_query(request, page=page.page + 1) if page.page < page.pages else None,
        may_receive=may_receive(principal),
        error=error,
    )


# ---- the hotline screen -------------------------------------------------------------------------
def _hotline_fields(
    session: Session, principal: Principal, lang: str, form: FormData | None = None
) -> list[FormField]:
    tx = view.text
    fields = [
        FormField("contact_phone", tx("Phone", lang), "text"),
        FormField("contact_name", tx("Caller", lang), "text", True),
        FormField("kind", tx("Kind", lang), "select", True, RequestKind.REPAIR.value),
        FormField("channel", tx("Channel", lang), "select", True, RequestChannel.HOTLINE.value),
        FormField("address", tx("Address", lang), "text"),
        FormField("description", tx("Description", lang), "textarea", True),
        FormField("area_id", tx("Area", lang), "select"),
        FormField("owner_id", tx("Enterprise", lang), "select"),
        FormField("lon", tx("Longitude", lang), "number"),
        FormField("lat", tx("Latitude", lang), "number"),
    ]
    by = {f.name: f for f in fields}
    by["kind"].options = _kind_options(lang)
    by["channel"].options = [
        (c.value, c.label(lang)) for c in (RequestChannel.HOTLINE, RequestChannel.COUNTER)
    ]
    by["area_id"].options = hazard_view.area_options(session, principal)
    by["owner_id"].options = hazard_view.enterprise_options(session, principal)
    return refill(fields, form)


def _hotline_page(
    request: Request,
    principal: Principal,
    fields: list[FormField],
    *,
    message: str | None = None,
    status: int = 200,
    saved: Any = None,
) -> Response:
    lang = page_lang(request)
    return _page(
        request,
        "service/hotline.html",
        status_code=status,
        principal=principal,
        fields=fields,
        message=message,
        saved=saved,
        targets=view.target_rows(all_targets(), lang),
    )


@router.get(f"{BASE}/new")
def hotline_form(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    saved = None
    code = (request.query_params.get("saved") or "").strip()
    if code:
        saved = session.scalars(
            requests.visible(principal).where(requests.ServiceRequest.code == code)
        ).first()
    return _hotline_page(request, principal, _hotline_fields(session, principal, lang), saved=saved)


@router.post(f"{BASE}/new")
def hotline_save(
    request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    lang = page_lang(request)
    settings = request.app.state.settings
    fields = _hotline_fields(session, principal, lang, form)
    try:
        created = requests.receive(
            session=session,
            principal=principal,
            channel=OFFLINE.get(_text(form, "channel") or "", RequestChannel.HOTLINE),
            kind=_enum(form, "kind", RequestKind),
            contact_name=(_text(form, "contact_name") or "")[:50],
            contact_phone=_text(form, "contact_phone"),
            description=(_text(form, "description") or "")[:5000],
            address=(_text(form, "address") or "")[:255] or None,
            area_id=_int(form, "area_id"),
            owner_id=_int(form, "owner_id"),
            lon=number(form, "lon"),
            lat=number(form, "lat"),
            tz=settings.timezone,
        )
    except GasWardenError as exc:
        session.rollback()
        message = apply_errors(fields, exc, lang)
        return _hotline_page(request, principal, fields, message=message, status=exc.status_code)
    return RedirectResponse(f"{BASE}/new?saved={created.code}", status_code=303)


# ---- statistics ---------------------------------------------------------------------------------
@router.get(f"{BASE}/statistics")
def statistics(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    settings = request.app.state.settings
    raw = query_lists(request)
    names = ("owner_id", "area_id", "kind", "channel", "received_from", "received_to")
    error = None
    try:
        filters = requests.FILTERS.parse({k: v for k, v in raw.items() if k in names})
    except Invalid as exc:
        filters, error = {}, exc.detail
    s = stats.statistics(
        session=session, principal=principal, filters=filters, tz=settings.timezone
    )
    return _page(
        request,
        "service/statistics.html",
        principal=principal,
        overall=view.figure_cells(s["overall"]),
        breakdowns=view.breakdowns(s["overall"], lang),
        enterprises=[(e["owner_name"], view.figure_cells(e)) for e in s["by_enterprise"]],
        months=[(m["month"], view.figure_cells(m)) for m in s["by_month"]],
        targets=view.target_rows(all_targets(), lang),
        owners=hazard_view.enterprise_options(session, principal),
        current={k: (raw.get(k) or [""])[0] for k in names},
        error=error,
    )


# ---- coverage -----------------------------------------------------------------------------------
@router.get(f"{BASE}/coverage")
def coverage_page(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    town = request.query_params.get("town", "")
    town_id = int(town) if town.isdigit() else None
    summary = coverage.towns(session=session, principal=principal)
    years = coverage.years(session=session, principal=principal, area_id=town_id)
    villages = (
        [
            coverage.village_row(v)
            for v in coverage.villages(session=session, principal=principal, area_id=town_id)
        ]
        if town_id is not None
        else []
    )
    return _page(
        request,
        "service/coverage.html",
        principal=principal,
        summary=summary,
        years=years,
        chart=json.dumps(view.chart_data(years, lang), ensure_ascii=False),
        town_id=town_id,
        town_name=next((t["town"] for t in summary["towns"] if t["area_id"] == town_id), ""),
        villages=villages,
        may_edit=may_edit_coverage(principal),
    )


def _village_page(
    request: Request,
    session: Session,
    principal: Principal,
    village_id: int,
    *,
    message: str | None = None,
    status: int = 200,
) -> Response:
    village = coverage.get_village(session=session, principal=principal, id=village_id)
    years = [
        {
            "year": y.year,
            "households_piped": y.households_piped,
            "households_clean_heating": y.households_clean_heating,
        }
        for y in village.years
    ]
    return _page(
        request,
        "service/village.html",
        status_code=status,
        principal=principal,
        v=coverage.village_row(village),
        years=years,
        may_edit=may_edit_coverage(principal),
        message=message,
        done=request.query_params.get("done"),
    )


@router.get(f"{BASE}/coverage/villages/{{village_id}}")
def village_page(
    village_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    return _village_page(request, session, principal, village_id)


@router.post(f"{BASE}/coverage/villages/{{village_id}}")
def village_update(
    village_id: int,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    settings = request.app.state.settings
    try:
        data = {k: _int(form, k) for k in coverage.FIGURES}
        coverage.update_village(
            session=session,
            principal=principal,
            id=village_id,
            data=data,
            reason=_text(form, "reason"),
            tz=settings.timezone,
        )
    except GasWardenError as exc:
        session.rollback()
        return _village_page(
            request,
            session,
            principal,
            village_id,
            message=error_message(exc, page_lang(request)),
            status=exc.status_code,
        )
    return RedirectResponse(f"{BASE}/coverage/villages/{village_id}?done=1", status_code=303)


# ---- a request's page ---------------------------------------------------------------------------
def detail_page(
    request: Request,
    session: Session,
    principal: Principal,
    request_id: int,
    *,
    error: str | None = None,
    failed_step: str | None = None,
    status: int = 200,
) -> Response:
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    found = requests.get(session=session, principal=principal, id=request_id)
    teams = []
    if found.owner_id is not None:
        from gaswarden.domains.workforce.models import Team

        teams = [
            (str(tm.id), tm.name)
            for tm in session.scalars(
                select(Team).where(Team.owner_id == found.owner_id).order_by(Team.name)
            )
        ]
    return _page(
        request,
        "service/detail.html",
        status_code=status,
        principal=principal,
        r=view.detail(found, tz),
        timeline=view.timeline_rows(requests.timeline(session=session, request=found), lang, tz),
        steps=view.steps_for(principal, found),
        teams=teams,
        error=error,
        failed_step=failed_step,
        done=request.query_params.get("done"),
    )


@router.get(f"{BASE}/{{request_id}}")
def detail(
    request_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    return detail_page(request, session, principal, request_id)


def run_step(
    session: Session, principal: Principal, request_id: int, step: str, form: FormData
) -> None:
    common: dict[str, Any] = {"session": session, "principal": principal, "id": request_id}
    note = _text(form, "note")
    if step == Step.ASSIGN:
        requests.assign(
            **common,
            team_id=_int(form, "team_id"),
            assignee_name=_text(form, "assignee_name"),
            note=note,
        )
    elif step == Step.RESPOND:
        requests.respond(**common, note=note)
    elif step == Step.RESOLVE:
        requests.resolve(**common, resolution=_text(form, "resolution") or "")
    elif step == Step.CLOSE:
        score = _int(form, "satisfaction")
        if score is None:
            raise Invalid(
                "satisfaction: required", errors=[{"loc": ["body", "satisfaction"], "msg": "1-5"}]
            )
        requests.close(**common, satisfaction=score, note=note)
    elif step == Step.NOTE:
        requests.add_note(**common, note=note or "")
    else:
        raise Invalid(f"unknown step {step}")


@router.post(f"{BASE}/{{request_id}}/{{step}}")
def step(
    request_id: int,
    step: str,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    try:
        run_step(session, principal, request_id, step, form)
    except GasWardenError as exc:
        session.rollback()
        return detail_page(
            request,
            session,
            principal,
            request_id,
            error=error_message(exc, page_lang(request)),
            failed_step=step,
            status=exc.status_code,
        )
    return RedirectResponse(f"{BASE}/{request_id}?done={step}#timeline", status_code=303)
