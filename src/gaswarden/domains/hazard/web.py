"""The hazard pages: the list with filters and counts (/hazards), a hazard's page with its
plan, rectification rounds, photos, timeline and the steps the caller may take, reporting a
hazard (/hazards/new) and a map of open hazards by grade (/hazards/map). Thin: every read and
every step goes through domains/hazard/service (scope, workflow, audit)."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.errors import Forbidden, GasWardenError, Invalid
from gaswarden.core.i18n import local_time, t
from gaswarden.core.pagination import PageParams
from gaswarden.deps import SessionDep
from gaswarden.domains.attachment import service as attachments
from gaswarden.domains.emergency.panel import origin_panel
from gaswarden.domains.hazard import service, web_stats
from gaswarden.domains.hazard import web_view as view
from gaswarden.domains.hazard.enums import HazardSource, HazardStatus
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.hazard.workflow import REPORTERS, Step
from gaswarden.settings import Settings
from gaswarden.standards.hazards import HazardGrade
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.form_values import choice as _enum
from gaswarden.web.form_values import day as _date
from gaswarden.web.form_values import field_error as _field_error
from gaswarden.web.form_values import integer as _int
from gaswarden.web.form_values import number
from gaswarden.web.form_values import text as _text
from gaswarden.web.forms import FormField
from gaswarden.web.map import area_shapes
from gaswarden.web.pages import apply_errors
from gaswarden.web.render import error_message, page_lang, render
from gaswarden.web.routing import WebPrincipal, WebRoute, query_lists, with_query

router = APIRouter(route_class=WebRoute)

FILTER_NAMES = (
    "status",
    "grade",
    "source",
    "category",
    "area_id",
    "owner_id",
    "site_id",
    "overdue",
    "recurring",
    "found_from",
    "found_to",
)
SORTS = ("-found_at", "deadline", "-deadline", "grade", "status")


def _today(tz: str) -> date:
    return datetime.now(ZoneInfo(tz)).date()


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """render() with the hazard pages' messages (see web_view.text)."""
    lang = page_lang(request)
    return render(request, template, status_code, t=lambda m: view.text(m, lang), **context)


def store_photos(
    session: Session,
    principal: Principal,
    settings: Settings,
    form: FormData,
    *,
    documents: bool = False,
) -> list[int]:
    """The photos posted with a form (field `photos`; with `documents`, PDF and .docx files
    too), checked and stored by the attachment service; their ids, for the record's service
    to link. An empty file input sends nothing."""
    files = [f for f in form.getlist("photos") if isinstance(f, UploadFile) and f.filename]
    return [
        attachments.store_upload(
            session=session,
            principal=principal,
            settings=settings,
            filename=f.filename,
            source=f.file,
            documents=documents,
        ).id
        for f in files
    ]


def _may_report(principal: Principal) -> bool:
    return principal.scope_kind is ScopeKind.ALL or principal.role in REPORTERS


# ---- the list -----------------------------------------------------------------------------------
@router.get("/hazards")
def hazard_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    settings = request.app.state.settings
    tz = settings.timezone
    raw = query_lists(request)
    error = None
    try:
        filters = service.FILTERS.parse({k: v for k, v in raw.items() if k in FILTER_NAMES})
    except Invalid as exc:
        filters, error = {}, exc.detail
    q = (request.query_params.get("q") or "").strip() or None
    sort = request.query_params.get("sort") or SORTS[0]
    sort = sort if sort in SORTS else SORTS[0]
    try:
        page_no = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page_no = 1
    params = PageParams(page=page_no, size=settings.page_size_default, sort=sort, q=q)
    page = service.get_all(session=session, principal=principal, params=params, filters=filters)
    today = _today(tz)
    selects = {
        "status": HazardStatus.choices(lang),
        "grade": HazardGrade.choices(lang),
        "source": HazardSource.choices(lang),
        "category": [(c, c) for c in view.categories(session, principal)],
        "area_id": view.area_options(session, principal),
        "owner_id": []
        if principal.scope_kind is ScopeKind.ORG
        else view.enterprise_options(session, principal),
        "site_id": view.site_options(session, principal),
        "overdue": [("true", t("Yes", lang)), ("false", t("No", lang))],
        "recurring": [("true", t("Yes", lang)), ("false", t("No", lang))],
    }
    labels = {f.name: f.label(lang) for f in service.FILTERS.filters}
    return _page(
        request,
        "hazard/list.html",
        principal=principal,
        rows=[view.row(h, lang, tz, today) for h in page.items],
        page=page,
        counts=view.counts(session, principal),
        selects={k: v for k, v in selects.items() if v},
        labels=labels,
        current={k: (raw.get(k) or [""])[0] for k in (*FILTER_NAMES, "q")},
        active=sum(1 for k in (*FILTER_NAMES, "q") if (raw.get(k) or [""])[0]),
        sort=sort,
        sorts=SORTS,
        prev_href=with_query(request, page=page.page - 1) if page.page > 1 else None,
        next_href=with_query(request, page=page.page + 1) if page.page < page.pages else None,
        may_report=_may_report(principal),
        error=error,
    )


# ---- reporting ----------------------------------------------------------------------------------
def _report_fields(
    session: Session, principal: Principal, lang: str, form: FormData | None = None
) -> list[FormField]:
    supervisor = principal.scope_kind is not ScopeKind.ORG
    default_source = HazardSource.INSPECTION if supervisor else HazardSource.SELF_INSPECTION
    tx = view.text
    yes_no = [("true", t("Yes", lang)), ("false", t("No", lang))]
    fields = [
        FormField("source", tx("hz:Source", lang), "select", True, default_source.value),
        FormField("grade", tx("hz:Grade", lang), "select", True, HazardGrade.GENERAL.value),
        FormField("category", tx("hz:Category", lang), "text", True),
        FormField("title", tx("hz:Title", lang), "text", True),
        FormField("description", tx("hz:Description", lang), "textarea"),
        FormField("site_id", tx("hz:Site", lang), "select"),
        FormField("area_id", tx("hz:Area (when no site)", lang), "select"),
        FormField("address", tx("hz:Address", lang), "text"),
    ]
    fields[0].options = HazardSource.choices(lang)
    fields[1].options = HazardGrade.choices(lang)
    fields[5].options = view.site_options(session, principal)
    fields[6].options = view.area_options(session, principal)
    if supervisor:
        owner = FormField(
            "owner_id", tx("hz:Responsible enterprise (when no site)", lang), "select"
        )
        owner.options = view.enterprise_options(session, principal)
        fields.append(owner)
    fields.append(FormField("deadline", tx("hz:Deadline (empty: by grade)", lang), "date"))
    assign = FormField("assign", tx("hz:Assign to the enterprise at once", lang), "select", True)
    assign.value, assign.options = "true", yes_no
    fields.append(assign)
    if form is not None:
        for f in fields:
            value = form.get(f.name)
            if isinstance(value, str):
                f.value = value.strip()
    return fields


def _new_page(
    request: Request,
    session: Session,
    principal: Principal,
    fields: list[FormField],
    *,
    message: str | None = None,
    status: int = 200,
) -> Response:
    return _page(
        request,
        "hazard/new.html",
        status_code=status,
        principal=principal,
        fields=fields,
        categories=view.categories(session, principal),
        message=message,
    )


@router.get("/hazards/new")
def new_form(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    if not _may_report(principal):
        raise Forbidden(f"role {principal.role} may not report hazards")
    fields = _report_fields(session, principal, page_lang(request))
    site = request.query_params.get("site_id")
    if site:
        next(f for f in fields if f.name == "site_id").value = site
    return _new_page(request, session, principal, fields)


@router.post("/hazards/new")
def report(
    request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    fields = _report_fields(session, principal, lang, form)
    try:
        if _text(form, "category") is None:
            raise _field_error("category", "required")
        site_id = _int(form, "site_id")
        owner_id = _int(form, "owner_id")
        if principal.scope_kind is ScopeKind.ORG and site_id is None:
            owner_id = principal.org_id  # an enterprise reports its own hazards
        hazard = service.report(
            session=session,
            principal=principal,
            source=_enum(form, "source", HazardSource),
            grade=_enum(form, "grade", HazardGrade),
            category=_text(form, "category") or "",
            title=_text(form, "title") or "",
            description=_text(form, "description"),
            site_id=site_id,
            owner_id=owner_id,
            area_id=_int(form, "area_id"),
            address=_text(form, "address"),
            deadline=_date(form, "deadline"),
            assign=_text(form, "assign") == "true",
            photo_ids=store_photos(session, principal, request.app.state.settings, form),
            tz=tz,
        )
    except GasWardenError as exc:
        session.rollback()
        message = apply_errors(fields, exc, lang)
        return _new_page(
            request, session, principal, fields, message=message, status=exc.status_code
        )
    return RedirectResponse(f"/hazards/{hazard.id}?done=report", status_code=303)


# ---- the map ------------------------------------------------------------------------------------
@router.get("/hazards/map")
def hazard_map(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    raw_grade = request.query_params.get("grade") or ""
    grade = HazardGrade(raw_grade) if raw_grade in set(HazardGrade) else None
    layers = view.map_points(session, principal, lang, tz, grade)
    areas = area_shapes(session, principal, lang)
    lats = [y for lay in layers for y in lay["y"]] or [
        y for a in areas for y in a["y"] if y is not None
    ]
    mid_lat = (min(lats) + max(lats)) / 2 if lats else 36.4
    data = {
        "areas": areas,
        "layers": layers,
        # a degree of latitude is 1/cos(lat) times a degree of longitude: true distances
        "scaleratio": 1 / math.cos(math.radians(mid_lat)),
        "labels": {"x": t("Longitude", lang), "y": t("Latitude", lang)},
        "points": sum(len(lay["x"]) for lay in layers),
    }
    return _page(
        request,
        "hazard/map.html",
        principal=principal,
        data=data,
        grade=grade.value if grade else "",
        grades=HazardGrade.choices(lang),
        grade_colours=view.GRADE_COLOURS,
        statuses=[(s, HazardStatus(s).label(lang), sym) for s, sym in view.STATUS_SYMBOLS.items()],
        counts=view.counts(session, principal),
    )


# ---- a hazard's page ----------------------------------------------------------------------------
def detail_page(
    request: Request,
    session: Session,
    principal: Principal,
    hazard_id: int,
    *,
    error: str | None = None,
    failed_step: str | None = None,
    posted: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    hazard = service.get(session=session, principal=principal, id=hazard_id)
    events = service.timeline(session=session, hazard=hazard)
    rounds = list(hazard.rectifications)
    steps = [s.value for s in view.steps_for(principal, hazard)]
    plan = hazard.plan
    return _page(
        request,
        "hazard/detail.html",
        status_code=status,
        principal=principal,
        h=view.row(hazard, lang, tz, _today(tz)),
        hazard=hazard,
        found_at=local_time(hazard.found_at, tz),
        found_by=hazard.found_by_name,
        found_by_org=hazard.found_by_org.name if hazard.found_by_org else "",
        closed_at=local_time(hazard.closed_at, tz) if hazard.closed_at else "",
        previous=_previous_visible(session, principal, hazard),
        plan=plan,
        rounds=view.round_rows(rounds, lang, tz),
        photos=view.photos(session, hazard, rounds),
        timeline=view.timeline_rows(session, events, lang, tz),
        steps=steps,
        enterprises=view.enterprise_options(session, principal) if "assign" in steps else [],
        error=error,
        failed_step=failed_step,
        posted=posted or {},
        done=request.query_params.get("done"),
        emergency=origin_panel(session, principal, hazard_id=hazard.id),
    )


def _previous_visible(session: Session, principal: Principal, hazard: Hazard) -> Any:
    """The earlier hazard this one recurs, when the caller may see it."""
    if hazard.previous_id is None:
        return None
    try:
        return service.get(session=session, principal=principal, id=hazard.previous_id)
    except GasWardenError:
        return None


@router.get("/hazards/{hazard_id}")
def detail(
    hazard_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    return detail_page(request, session, principal, hazard_id)


def run_step(
    session: Session,
    principal: Principal,
    hazard_id: int,
    step: str,
    form: FormData,
    settings: Settings,
) -> None:
    """One step of the loop through the hazard service; its errors propagate."""
    try:
        which = Step(step)
    except ValueError:
        raise Invalid(f"unknown step {step}") from None
    tz = settings.timezone
    note = _text(form, "note")
    common: dict[str, Any] = {"session": session, "principal": principal, "id": hazard_id}
    if which is Step.ASSIGN:
        service.assign(**common, org_id=_int(form, "org_id"), note=note)
    elif which is Step.PLAN:
        service.submit_plan(
            **common,
            measures=_text(form, "measures") or "",
            responsible_person=_text(form, "responsible_person") or "",
            deadline=_date(form, "plan_deadline", required=True),  # type: ignore[arg-type]
            interim_measures=_text(form, "interim_measures") or "",
            funds_yuan=number(form, "funds_yuan", minimum=0),
            note=note,
        )
    elif which is Step.START:
        service.start(**common, note=note)
    elif which is Step.SUBMIT:
        description = _text(form, "description")
        if description is None:  # said before any photo is stored
            raise _field_error("description", "describe what was done")
        photo_ids = store_photos(session, principal, settings, form)
        service.submit(**common, description=description, photo_ids=photo_ids)
    elif which is Step.VERIFY:
        service.verify(**common, note=note, tz=tz)
    elif which is Step.RETURN:
        service.send_back(**common, note=note or "")
    elif which is Step.REOPEN:
        service.reopen(**common, note=note or "", deadline=_date(form, "deadline"))
    elif which is Step.DEADLINE:
        service.change_deadline(
            **common,
            deadline=_date(form, "deadline", required=True),  # type: ignore[arg-type]
            note=note or "",
            tz=tz,
        )
    elif which is Step.COMMENT:
        service.comment(**common, note=note or "")


@router.post("/hazards/{hazard_id}/{step}")
def step(
    hazard_id: int,
    step: str,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    """A step posted from the hazard's page: on success back to the page (303), on a refusal
    the page again with the error next to the form and the status of the refusal."""
    try:
        run_step(session, principal, hazard_id, step, form, request.app.state.settings)
    except GasWardenError as exc:
        session.rollback()
        posted = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"}
        return detail_page(
            request,
            session,
            principal,
            hazard_id,
            error=error_message(exc, page_lang(request)),
            failed_step=step,
            posted=posted,
            status=exc.status_code,
        )
    return RedirectResponse(f"/hazards/{hazard_id}?done={step}#timeline", status_code=303)


router.include_router(web_stats.router)  # /statistics, /enterprise-systems
