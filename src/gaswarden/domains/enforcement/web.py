"""The enforcement pages: the case list with filters and the closures by kind at the top
(/enforcement), a case's page with every field (personal data masked), evidence, activity after
a closure, the timeline and the steps the caller may take (/enforcement/{id}), and opening a
case (/enforcement/new, regulators; from a hazard or an inspection, prefilled). Thin: every read
and every step goes through domains/enforcement/service and watch (scope, workflow, audit)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Forbidden, GasWardenError, Invalid, NotFound
from gaswarden.core.pagination import PageParams
from gaswarden.core.scope import located
from gaswarden.deps import SessionDep
from gaswarden.domains.enforcement import closures, service, watch
from gaswarden.domains.enforcement import web_view as view
from gaswarden.domains.enforcement.enums import (
    ActivitySource,
    CaseSource,
    CaseStatus,
    ClosureKind,
    Decision,
    PartyKind,
)
from gaswarden.domains.enforcement.models import SiteActivity
from gaswarden.domains.enforcement.workflow import Step
from gaswarden.domains.hazard import service as hazards
from gaswarden.domains.hazard import web_view as hazard_view
from gaswarden.domains.hazard.web import store_photos
from gaswarden.domains.inspection.models import Inspection
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.form_values import choice as _enum
from gaswarden.web.form_values import day as _date
from gaswarden.web.form_values import field_error as _field_error
from gaswarden.web.form_values import integer as _int
from gaswarden.web.form_values import number
from gaswarden.web.form_values import text as _text
from gaswarden.web.forms import FormField
from gaswarden.web.pages import apply_errors
from gaswarden.web.render import error_message, page_lang, render
from gaswarden.web.routing import WebPrincipal, WebRoute, query_lists, with_query

router = APIRouter(route_class=WebRoute)

FILTER_NAMES = (
    "status",
    "source",
    "decision",
    "closure_kind",
    "party_kind",
    "area_id",
    "watched",
    "activity_flagged",
    "opened_from",
    "opened_to",
)
STEPS = (*(s.value for s in Step), "activity", "review")


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    lang = page_lang(request)
    return render(request, template, status_code, t=lambda m: view.text(m, lang), **context)


def _require_writer(principal: Principal) -> None:
    if not view.may_write(principal):
        raise Forbidden(f"role {principal.role} may not open enforcement cases")


# ---- the list -----------------------------------------------------------------------------------
@router.get("/enforcement")
def case_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
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
    try:
        page_no = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page_no = 1
    params = PageParams(page=page_no, size=settings.page_size_default, q=q)
    page = service.get_all(session=session, principal=principal, params=params, filters=filters)
    yes_no = [("true", view.text("Yes", lang)), ("false", view.text("No", lang))]
    selects = {
        "status": CaseStatus.choices(lang),
        "decision": Decision.choices(lang),
        "closure_kind": ClosureKind.choices(lang),
        "party_kind": PartyKind.choices(lang),
        "source": CaseSource.choices(lang),
        "area_id": hazard_view.area_options(session, principal),
        "watched": yes_no,
        "activity_flagged": yes_no,
    }
    labels = {f.name: f.label(lang) for f in service.FILTERS.filters}
    return _page(
        request,
        "enforcement/list.html",
        principal=principal,
        rows=[view.row(c, lang, tz) for c in page.items],
        page=page,
        summary=closures.summary(session=session, principal=principal),
        selects={k: v for k, v in selects.items() if v},
        labels=labels,
        current={k: (raw.get(k) or [""])[0] for k in (*FILTER_NAMES, "q")},
        active=sum(1 for k in (*FILTER_NAMES, "q") if (raw.get(k) or [""])[0]),
        prev_href=with_query(request, page=page.page - 1) if page.page > 1 else None,
        next_href=with_query(request, page=page.page + 1) if page.page < page.pages else None,
        may_open=view.may_write(principal),
        error=error,
    )


# ---- opening a case -----------------------------------------------------------------------------


def _new_fields(
    session: Session, principal: Principal, lang: str, form: FormData | None = None
) -> list[FormField]:
    tx = view.text
    fields = [
        FormField("source", tx("Source", lang), "select", True, CaseSource.REPORT.value),
        FormField("party_kind", tx("Party kind", lang), "select", True, PartyKind.UNLICENSED.value),
        FormField("owner_id", tx("Enterprise", lang), "select"),
        FormField("party_name", tx("Party name", lang), "text"),
        FormField("party_contact", tx("Contact", lang), "text"),
        FormField("party_id_number", tx("ID number", lang), "text"),
        FormField("site_id", tx("Site", lang), "select"),
        FormField("area_id", tx("Area", lang), "select"),
        FormField("address", tx("Address", lang), "text"),
        FormField("lon", tx("Longitude", lang), "number"),
        FormField("lat", tx("Latitude", lang), "number"),
        FormField("facts", tx("Facts", lang), "textarea", True),
        FormField("rule_violated", tx("Rule violated", lang), "text"),
        FormField("note", tx("Note", lang), "text"),
    ]
    by = {f.name: f for f in fields}
    by["source"].options = CaseSource.choices(lang)
    by["party_kind"].options = PartyKind.choices(lang)
    by["owner_id"].options = hazard_view.enterprise_options(session, principal)
    by["site_id"].options = hazard_view.site_options(session, principal)
    by["area_id"].options = hazard_view.area_options(session, principal)
    if form is not None:
        for f in fields:
            value = form.get(f.name)
            if isinstance(value, str):
                f.value = value.strip()
    return fields


def _origin(
    session: Session, principal: Principal, hazard_id: int | None, inspection_id: int | None
) -> dict[str, Any]:
    """The hazard or inspection the case comes from, read in the caller's scope."""
    out: dict[str, Any] = {"hazard": None, "inspection": None}
    if hazard_id is not None:
        out["hazard"] = hazards.get(session=session, principal=principal, id=hazard_id)
    if inspection_id is not None:
        found = session.scalars(
            select(Inspection).where(
                Inspection.id == inspection_id,
                located(
                    principal,
                    owner=Inspection.owner_id,
                    area=Inspection.area_id,
                    site=Inspection.site_id,
                ),
            )
        ).first()
        if found is None:
            raise NotFound(f"inspection {inspection_id} not found")
        out["inspection"] = found
    return out


def _new_page(
    request: Request,
    principal: Principal,
    fields: list[FormField],
    origin: dict[str, Any],
    *,
    message: str | None = None,
    status: int = 200,
) -> Response:
    return _page(
        request,
        "enforcement/new.html",
        status_code=status,
        principal=principal,
        fields=fields,
        origin=origin,
        message=message,
    )


def _query_int(request: Request, name: str) -> int | None:
    raw = (request.query_params.get(name) or "").strip()
    return int(raw) if raw.isdigit() else None


@router.get("/enforcement/new")
def new_form(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    _require_writer(principal)
    lang = page_lang(request)
    fields = _new_fields(session, principal, lang)
    by = {f.name: f for f in fields}
    origin = _origin(
        session, principal, _query_int(request, "hazard_id"), _query_int(request, "inspection_id")
    )
    hazard, inspection = origin["hazard"], origin["inspection"]
    if hazard is not None:
        by["source"].value = CaseSource.HAZARD.value
        by["facts"].value = hazard.title + (f"：{hazard.description}" if hazard.description else "")
        if hazard.owner_id is not None:
            by["party_kind"].value = PartyKind.LICENSED.value
            by["owner_id"].value = str(hazard.owner_id)
        by["site_id"].value = str(hazard.site_id or "")
        by["area_id"].value = str(hazard.area_id or "")
        by["address"].value = hazard.address or ""
    elif inspection is not None:
        by["source"].value = CaseSource.INSPECTION.value
        if inspection.owner_id is not None:
            by["party_kind"].value = PartyKind.LICENSED.value
            by["owner_id"].value = str(inspection.owner_id)
        by["site_id"].value = str(inspection.site_id or "")
        by["area_id"].value = str(inspection.area_id or "")
    site = _query_int(request, "site_id")
    if site is not None:
        by["site_id"].value = str(site)
    return _new_page(request, principal, fields, origin)


@router.post("/enforcement/new")
def open_case(
    request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    _require_writer(principal)
    lang = page_lang(request)
    settings = request.app.state.settings
    fields = _new_fields(session, principal, lang, form)
    origin: dict[str, Any] = {"hazard": None, "inspection": None}
    try:
        hazard_id, inspection_id = _int(form, "hazard_id"), _int(form, "inspection_id")
        origin = _origin(session, principal, hazard_id, inspection_id)
        party_kind = _enum(form, "party_kind", PartyKind)
        licensed = party_kind is PartyKind.LICENSED
        case = service.open_case(
            session=session,
            principal=principal,
            party_kind=party_kind,
            facts=_text(form, "facts") or "",
            source=_enum(form, "source", CaseSource, required=False),
            party_name=_text(form, "party_name"),
            owner_id=_int(form, "owner_id") if licensed else None,
            party_contact=_text(form, "party_contact"),
            party_id_number=_text(form, "party_id_number"),
            site_id=_int(form, "site_id"),
            hazard_id=hazard_id,
            inspection_id=inspection_id,
            area_id=_int(form, "area_id"),
            address=_text(form, "address"),
            lon=number(form, "lon"),
            lat=number(form, "lat"),
            rule_violated=_text(form, "rule_violated"),
            photo_ids=store_photos(session, principal, settings, form),
            note=_text(form, "note"),
            tz=settings.timezone,
        )
    except GasWardenError as exc:
        session.rollback()
        message = apply_errors(fields, exc, lang)
        return _new_page(
            request, principal, fields, origin, message=message, status=exc.status_code
        )
    return RedirectResponse(f"/enforcement/{case.id}?done=open", status_code=303)


# ---- a case's page ------------------------------------------------------------------------------
def detail_page(
    request: Request,
    session: Session,
    principal: Principal,
    case_id: int,
    *,
    error: str | None = None,
    failed_step: str | None = None,
    posted: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    case = service.get(session=session, principal=principal, id=case_id)
    return _page(
        request,
        "enforcement/detail.html",
        status_code=status,
        principal=principal,
        c=view.detail(case, lang, tz),
        case=case,
        evidence=view.evidence(session, case),
        activities=view.activity_rows(service.activities(session=session, case=case), lang, tz),
        timeline=view.timeline_rows(service.timeline(session=session, case=case), lang, tz),
        steps=view.steps_for(principal, case),
        may_review=view.may_write(principal),
        decisions=Decision.choices(lang),
        closure_kinds=ClosureKind.choices(lang),
        activity_sources=ActivitySource.choices(lang),
        error=error,
        failed_step=failed_step,
        posted=posted or {},
        done=request.query_params.get("done"),
    )


@router.get("/enforcement/{case_id}")
def detail(
    case_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    return detail_page(request, session, principal, case_id)


def run_step(
    session: Session, principal: Principal, case_id: int, step: str, form: FormData, settings: Any
) -> None:
    """One step through the enforcement service (or watch, for activity); errors propagate."""
    if step not in STEPS:
        raise Invalid(f"unknown step {step}")
    note = _text(form, "note")
    common: dict[str, Any] = {"session": session, "principal": principal, "id": case_id}
    if step == Step.INVESTIGATE:
        service.investigate(**common, note=note)
    elif step == Step.EVIDENCE:
        service.get(session=session, principal=principal, id=case_id)  # 404 before any upload
        if not view.may_write(principal):
            raise Forbidden(f"role {principal.role} may not add evidence")
        service.add_evidence(
            **common,
            note=note,
            facts=_text(form, "facts"),
            rule_violated=_text(form, "rule_violated"),
            photo_ids=store_photos(session, principal, settings, form),
        )
    elif step == Step.DECIDE:
        decision = _enum(form, "decision", Decision)
        fine = number(form, "fine_yuan")
        service.decide(
            **common,
            decision=decision,
            decision_no=_text(form, "decision_no") or "",
            # the fields of other decisions, left filled in a form without script, are ignored
            fine_yuan=None if decision in (Decision.WARNING, Decision.NO_ACTION) else fine,
            rectify_by=_date(form, "rectify_by")
            if decision in (Decision.ORDER_RECTIFY, Decision.FINE, Decision.SUSPENSION)
            else None,
            closure_kind=_enum(form, "closure_kind", ClosureKind, required=False)
            if decision is Decision.CLOSURE
            else None,
            rule_violated=_text(form, "rule_violated"),
            note=note,
        )
    elif step == Step.EXECUTE:
        service.execute(**common, execution_note=_text(form, "execution_note") or "")
    elif step == Step.CLOSE:
        service.close(**common, note=note)
    elif step == Step.COMMENT:
        service.comment(**common, note=note or "")
    elif step == "activity":
        watch.report_activity(
            **common,
            detail=_text(form, "detail") or "",
            source=_enum(form, "source", ActivitySource),
        )
    elif step == "review":
        activity_id = _int(form, "activity_id")
        if activity_id is None:
            raise _field_error("activity_id", "required")
        service.get(session=session, principal=principal, id=case_id)
        belongs = session.scalar(
            select(SiteActivity.id).where(
                SiteActivity.id == activity_id, SiteActivity.case_id == case_id
            )
        )
        if belongs is None:
            raise NotFound(f"activity {activity_id} not found")
        watch.review(session=session, principal=principal, activity_id=activity_id, note=note or "")


@router.post("/enforcement/{case_id}/{step}")
def step(
    case_id: int,
    step: str,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    """A step posted from the case's page: on success back to the page (303), on a refusal the
    page again with the error next to the form and the refusal's status."""
    try:
        run_step(session, principal, case_id, step, form, request.app.state.settings)
    except GasWardenError as exc:
        session.rollback()
        posted = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"}
        return detail_page(
            request,
            session,
            principal,
            case_id,
            error=error_message(exc, page_lang(request)),
            failed_step=step,
            posted=posted,
            status=exc.status_code,
        )
    return RedirectResponse(f"/enforcement/{case_id}?done={step}#timeline", status_code=303)
