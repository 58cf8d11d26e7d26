"""The conversion pages. Public, no sign-in: the residents' application form
(/apply/conversion: CSRF, a hidden trap field, a per-address limit in the service) and its
receipt. Signed in: the list (/conversions), counter entry (/conversions/new, the pipeline
company's staff), an application's page with the survey, the quote and the other steps
(/conversions/{id}), the progress statistics with a chart (/conversions/statistics) and the
quota tables and packages (/conversions/prices, the regulator edits). Thin: everything goes
through the domain's services."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from gaswarden.core.auth import Principal
from gaswarden.core.errors import GasWardenError, Invalid
from gaswarden.core.pagination import PageParams
from gaswarden.deps import SessionDep
from gaswarden.domains.conversion import (
    applications,
    lpg,
    quote,
    stats,
    survey,
    tariff,
    web_prices,
    web_public,
)
from gaswarden.domains.conversion import web_view as view
from gaswarden.domains.conversion.enums import (
    ApplicationChannel,
    ConversionStatus,
    HouseholdKind,
    RefusalReason,
)
from gaswarden.domains.conversion.web_pages import (
    BASE,
    FILTER_NAMES,
    applicant_fields,
    apply_kwargs,
    may_enter,
    render_page,
    require_enter,
)
from gaswarden.domains.conversion.workflow import Step
from gaswarden.domains.hazard import web_view as hazard_view
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.form_values import choice as _enum
from gaswarden.web.form_values import field_error, number
from gaswarden.web.form_values import integer as _int
from gaswarden.web.form_values import text as _text
from gaswarden.web.forms import FormField, refill
from gaswarden.web.pages import apply_errors
from gaswarden.web.render import error_message, page_lang
from gaswarden.web.routing import WebPrincipal, WebRoute, query_lists, with_query

router = APIRouter(route_class=WebRoute)
# Fixed paths (/conversions/statistics, /prices, the public form) before /conversions/{id}.
router.include_router(web_public.router)
router.include_router(web_prices.router)


# ---- the list -----------------------------------------------------------------------------------
@router.get(BASE)
def application_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    settings = request.app.state.settings
    raw = query_lists(request)
    error = None
    try:
        filters = applications.FILTERS.parse({k: v for k, v in raw.items() if k in FILTER_NAMES})
    except Invalid as exc:
        filters, error = {}, exc.detail
    q = (request.query_params.get("q") or "").strip() or None
    try:
        page_no = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page_no = 1
    params = PageParams(page=page_no, size=settings.page_size_default, q=q)
    page = applications.get_all(
        session=session, principal=principal, params=params, filters=filters
    )
    progress = stats.progress(session=session, principal=principal, tz=settings.timezone)
    selects = {
        "status": ConversionStatus.choices(lang),
        "channel": ApplicationChannel.choices(lang),
        "household_kind": HouseholdKind.choices(lang),
        "refusal_reason": RefusalReason.choices(lang),
        "area_id": hazard_view.area_options(session, principal),
    }
    labels = {f.name: f.label(lang) for f in applications.FILTERS.filters}
    return render_page(
        request,
        "conversion/list.html",
        principal=principal,
        rows=[view.row(a, settings.timezone) for a in page.items],
        page=page,
        progress=progress,
        selects={k: v for k, v in selects.items() if v},
        labels=labels,
        current={k: (raw.get(k) or [""])[0] for k in (*FILTER_NAMES, "q")},
        prev_href=with_query(request, page=page.page - 1) if page.page > 1 else None,
        next_href=with_query(request, page=page.page + 1) if page.page < page.pages else None,
        may_enter=may_enter(session, principal),
        error=error,
    )


# ---- counter entry ------------------------------------------------------------------------------
def _counter_fields(session: Session, lang: str, form: FormData | None = None) -> list[FormField]:
    tx = view.text
    fields = [
        FormField("channel", tx("Channel", lang), "select", True, ApplicationChannel.COUNTER.value),
        *applicant_fields(session, lang),
        FormField("lon", tx("Longitude", lang), "number"),
        FormField("lat", tx("Latitude", lang), "number"),
        FormField("customer_code", tx("LPG card", lang), "text"),
        FormField("entered_by_name", tx("Clerk", lang), "text"),
        FormField("note", tx("Note", lang), "text"),
    ]
    fields[0].options = ApplicationChannel.choices(lang)
    return refill(fields, form)


def _counter_page(
    request: Request,
    principal: Principal,
    fields: list[FormField],
    *,
    message: str | None = None,
    status: int = 200,
) -> Response:
    return render_page(
        request,
        "conversion/new.html",
        status_code=status,
        principal=principal,
        fields=fields,
        message=message,
    )


@router.get(f"{BASE}/new")
def counter_form(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    require_enter(session, principal)
    lang = page_lang(request)
    fields = _counter_fields(session, lang)
    by = {f.name: f for f in fields}
    if principal.org_id is not None and any(
        v == str(principal.org_id) for v, _ in by["owner_id"].options
    ):
        by["owner_id"].value = str(principal.org_id)
    by["entered_by_name"].value = principal.display_name
    return _counter_page(request, principal, fields)


@router.post(f"{BASE}/new")
def counter_save(
    request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    require_enter(session, principal)
    lang = page_lang(request)
    fields = _counter_fields(session, lang, form)
    try:
        app = applications.apply(
            session=session,
            principal=principal,
            channel=_enum(form, "channel", ApplicationChannel),
            lon=number(form, "lon"),
            lat=number(form, "lat"),
            customer_code=_text(form, "customer_code"),
            entered_by_name=_text(form, "entered_by_name"),
            tz=request.app.state.settings.timezone,
            **apply_kwargs(form),
        )
    except GasWardenError as exc:
        session.rollback()
        message = apply_errors(fields, exc, lang)
        return _counter_page(request, principal, fields, message=message, status=exc.status_code)
    return RedirectResponse(f"{BASE}/{app.id}?done=apply", status_code=303)


# ---- an application's page ----------------------------------------------------------------------
def detail_page(
    request: Request,
    session: Session,
    principal: Principal,
    app_id: int,
    *,
    error: str | None = None,
    failed_step: str | None = None,
    posted: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    app = applications.get(session=session, principal=principal, id=app_id)
    table = tariff.active_table(session)
    plan = (
        "\n".join(
            f"{line.code} {line.quantity:g}"
            for line in quote.standard_plan(table, app.main_distance_m)
        )
        if table is not None
        else ""
    )
    return render_page(
        request,
        "conversion/detail.html",
        status_code=status,
        principal=principal,
        a=view.detail(app, lang, tz),
        app=app,
        timeline=view.timeline_rows(applications.timeline(session=session, app=app), lang, tz),
        steps=view.steps_for(principal, app),
        reasons=RefusalReason.choices(lang),
        packages=[
            p
            for p in tariff.list_packages(session=session, active_only=True)
            if p.for_kind is None or p.for_kind is app.household_kind
        ],
        table=table,
        plan=plan,
        held=lpg.held_cylinders(session, app.customer.id)
        if app.customer is not None and app.customer.active and app.status.in_progress
        else [],
        max_distance=view.MAX_DISTANCE_M,
        error=error,
        failed_step=failed_step,
        posted=posted or {},
        done=request.query_params.get("done"),
    )


@router.get(f"{BASE}/{{app_id}}")
def detail(app_id: int, request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    return detail_page(request, session, principal, app_id)


def parse_plan(raw: str | None) -> list[quote.PlanLine] | None:
    """Lines "code quantity"; None when empty (the standard plan)."""
    lines: list[quote.PlanLine] = []
    for n, line in enumerate((raw or "").splitlines(), start=1):
        parts = line.replace(",", " ").replace("，", " ").split()
        if not parts:
            continue
        try:
            if len(parts) != 2:
                raise ValueError
            lines.append(quote.PlanLine(parts[0], float(parts[1])))
        except ValueError:
            raise field_error("plan", f"line {n}: a quota code and a quantity") from None
    return lines or None


def run_step(
    session: Session, principal: Principal, app_id: int, step: str, form: FormData
) -> None:
    """One step through the services; errors propagate."""
    if step not in Step._value2member_map_:
        raise Invalid(f"unknown step {step}")
    note = _text(form, "note")
    common: dict[str, Any] = {"session": session, "principal": principal, "id": app_id}
    if step == Step.SURVEY:
        reason = _text(form, "refusal_reason")
        survey.survey(
            **common,
            surveyor_name=_text(form, "surveyor_name"),
            lon=number(form, "lon"),
            lat=number(form, "lat"),
            main_distance_m=number(form, "main_distance_m", minimum=0),
            refusal_reason=RefusalReason(reason)
            if reason is not None and reason in RefusalReason._value2member_map_
            else None,
            survey_note=_text(form, "survey_note"),
        )
    elif step == Step.QUOTE:
        quote.make_quote(
            **common,
            package_id=_int(form, "package_id"),
            lines=parse_plan(_text(form, "plan")),
            note=note,
        )
    elif step == Step.CONTRACT:
        applications.contract(**common, note=note)
    elif step == Step.START:
        applications.start_works(**common, note=note)
    elif step == Step.CONNECT:
        applications.connect(**common, note=note)
    elif step == Step.REFUSE:
        applications.refuse(**common, reason=_enum(form, "reason", RefusalReason), note=note)
    elif step == Step.CANCEL:
        applications.cancel(**common, note=note)
    else:
        applications.add_note(**common, note=note)


@router.post(f"{BASE}/{{app_id}}/{{step}}")
def step(
    app_id: int,
    step: str,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    """A step posted from the application's page: on success back to it (303); refused, the
    page again with the error by the form and the refusal's status."""
    try:
        run_step(session, principal, app_id, step, form)
    except GasWardenError as exc:
        session.rollback()
        posted = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"}
        return detail_page(
            request,
            session,
            principal,
            app_id,
            error=error_message(exc, page_lang(request)),
            failed_step=step,
            posted=posted,
            status=exc.status_code,
        )
    return RedirectResponse(f"{BASE}/{app_id}?done={step}#timeline", status_code=303)
