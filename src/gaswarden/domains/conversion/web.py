"""The conversion pages. Public, no sign-in: the residents' application form
(/apply/conversion: CSRF, a hidden trap field, a per-address limit in the service) and its
receipt. Signed in: the list (/conversions), counter entry (/conversions/new, the pipeline
company's staff), an application's page with the survey, the quote and the other steps
(/conversions/{id}), the progress statistics with a chart (/conversions/statistics) and the
quota tables and packages (/conversions/prices, the regulator edits). Thin: everything goes
through the domain's services."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Forbidden, GasWardenError, Invalid
from gaswarden.core.pagination import PageParams
from gaswarden.core.protect import mask_phone
from gaswarden.deps import SessionDep
from gaswarden.domains.area.enums import AreaLevel
from gaswarden.domains.area.models import Area
from gaswarden.domains.conversion import applications, lpg, quote, stats, survey, tariff
from gaswarden.domains.conversion import web_view as view
from gaswarden.domains.conversion.enums import (
    ApplicationChannel,
    ConversionStatus,
    HouseholdKind,
    QuotaCategory,
    RefusalReason,
)
from gaswarden.domains.conversion.workflow import Step, may_write, may_write_tariff
from gaswarden.domains.hazard import web_view as hazard_view
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.form_values import choice as _enum
from gaswarden.web.form_values import day as _day
from gaswarden.web.form_values import field_error, number
from gaswarden.web.form_values import integer as _int
from gaswarden.web.form_values import text as _text
from gaswarden.web.forms import FormField, refill
from gaswarden.web.pages import apply_errors
from gaswarden.web.render import error_message, page_lang, render
from gaswarden.web.routing import WebPrincipal, WebRoute, query_lists, with_query

router = APIRouter(route_class=WebRoute)

BASE = "/conversions"
PUBLIC = "/apply/conversion"
PRICE_ACTIONS = ("table", "activate", "package", "toggle")
TRAP = "website"  # hidden from people; a bot that fills every field gives itself away
FILTER_NAMES = (
    "status",
    "channel",
    "household_kind",
    "refusal_reason",
    "area_id",
    "applied_from",
    "applied_to",
)


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    lang = page_lang(request)
    return render(request, template, status_code, t=lambda m: view.text(m, lang), **context)


def _grids(session: Session) -> list[tuple[str, str]]:
    """Every grid as "town · grid" (public names: the residents' form lists them)."""
    town = {a.id: a.name for a in session.scalars(select(Area).where(Area.level == AreaLevel.TOWN))}
    grids = session.scalars(
        select(Area).where(Area.level == AreaLevel.GRID).order_by(Area.code)
    ).all()
    return [(str(g.id), f"{town.get(g.parent_id or 0, '')} · {g.name}") for g in grids]


def _companies(session: Session) -> list[tuple[str, str]]:
    return [(str(o.id), o.name) for o in applications.pipeline_companies(session)]


def may_enter(session: Session, principal: Principal) -> bool:
    """Counter entry is the pipeline company's: its staff, for their own company."""
    if principal.org_id is None or not may_write(principal, principal.org_id):
        return False
    kind = session.scalar(select(Organization.kind).where(Organization.id == principal.org_id))
    return kind is OrgKind.PIPELINE


def _require_enter(session: Session, principal: Principal) -> None:
    if not may_enter(session, principal):
        raise Forbidden("counter entry is for the pipeline company's staff 仅限管道燃气企业受理")


def _applicant_fields(session: Session, lang: str) -> list[FormField]:
    tx = view.text
    fields = [
        FormField("applicant_name", tx("Applicant", lang), "text", True),
        FormField("applicant_phone", tx("Phone", lang), "text", True),
        FormField("applicant_id_number", tx("ID number", lang), "text"),
        FormField(
            "household_kind",
            tx("Household kind", lang),
            "select",
            True,
            HouseholdKind.RESIDENTIAL.value,
        ),
        FormField("owner_id", tx("Company", lang), "select", True),
        FormField("area_id", tx("Grid", lang), "select", True),
        FormField("village", tx("Village", lang), "text"),
        FormField("address", tx("Address", lang), "text", True),
    ]
    by = {f.name: f for f in fields}
    by["household_kind"].options = HouseholdKind.choices(lang)
    by["owner_id"].options = _companies(session)
    if len(by["owner_id"].options) == 1:
        by["owner_id"].value = by["owner_id"].options[0][0]
    by["area_id"].options = _grids(session)
    return fields


def _apply_kwargs(form: FormData) -> dict[str, Any]:
    return {
        "applicant_name": _text(form, "applicant_name") or "",
        "applicant_phone": _text(form, "applicant_phone"),
        "applicant_id_number": _text(form, "applicant_id_number"),
        "household_kind": _enum(form, "household_kind", HouseholdKind),
        "owner_id": _int(form, "owner_id"),
        "area_id": _int(form, "area_id"),
        "village": _text(form, "village"),
        "address": _text(form, "address"),
        "note": _text(form, "note"),
    }


# ---- the public form ----------------------------------------------------------------------------
def _public_fields(session: Session, lang: str, form: FormData | None = None) -> list[FormField]:
    fields = _applicant_fields(session, lang)
    by = {f.name: f for f in fields}
    by["applicant_id_number"].label = view.text("ID number (households)", lang)
    company = by["owner_id"]
    if len(company.options) > 1:  # not sure which: by the village chosen, unless the resident knows
        company.required = False
        company.label = view.text("Company (optional)", lang)
    fields.append(FormField("note", view.text("Note", lang), "textarea"))
    return refill(fields, form)


def _public_page(
    request: Request, fields: list[FormField], *, message: str | None = None, status: int = 200
) -> Response:
    return _page(
        request,
        "conversion/apply.html",
        status_code=status,
        principal=None,
        fields=fields,
        trap=TRAP,
        message=message,
    )


@router.get(PUBLIC)
def public_form(request: Request, session: SessionDep) -> Response:
    return _public_page(request, _public_fields(session, page_lang(request)))


@router.post(PUBLIC)
def public_send(request: Request, session: SessionDep, form: CsrfForm) -> Response:
    lang = page_lang(request)
    fields = _public_fields(session, lang, form)
    if _text(form, TRAP):
        return RedirectResponse(f"{PUBLIC}/done", status_code=303)  # say nothing to a bot
    ip = request.client.host if request.client else None
    try:
        app = applications.apply(
            session=session,
            principal=applications.online_principal(ip),
            channel=ApplicationChannel.ONLINE,
            tz=request.app.state.settings.timezone,
            **_apply_kwargs(form),
        )
    except GasWardenError as exc:
        session.rollback()
        message = apply_errors(fields, exc, lang)
        return _public_page(request, fields, message=message, status=exc.status_code)
    request.session["conversion_receipt"] = {
        "code": app.code,
        "phone": mask_phone(app.applicant_phone),
    }
    return RedirectResponse(f"{PUBLIC}/done", status_code=303)


@router.get(f"{PUBLIC}/done")
def public_done(request: Request) -> Response:
    receipt = request.session.pop("conversion_receipt", None) or {}
    return _page(
        request,
        "conversion/applied.html",
        principal=None,
        code=receipt.get("code"),
        phone=receipt.get("phone"),
    )


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
    return _page(
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
        *_applicant_fields(session, lang),
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
    return _page(
        request,
        "conversion/new.html",
        status_code=status,
        principal=principal,
        fields=fields,
        message=message,
    )


@router.get(f"{BASE}/new")
def counter_form(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    _require_enter(session, principal)
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
    _require_enter(session, principal)
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
            **_apply_kwargs(form),
        )
    except GasWardenError as exc:
        session.rollback()
        message = apply_errors(fields, exc, lang)
        return _counter_page(request, principal, fields, message=message, status=exc.status_code)
    return RedirectResponse(f"{BASE}/{app.id}?done=apply", status_code=303)


# ---- statistics ---------------------------------------------------------------------------------
@router.get(f"{BASE}/statistics")
def statistics(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    settings = request.app.state.settings
    raw = query_lists(request)
    names = ("area_id", "applied_from", "applied_to")
    error = None
    try:
        filters = applications.FILTERS.parse({k: v for k, v in raw.items() if k in names})
    except Invalid as exc:
        filters, error = {}, exc.detail
    s = stats.progress(session=session, principal=principal, filters=filters, tz=settings.timezone)
    return _page(
        request,
        "conversion/statistics.html",
        principal=principal,
        s=s,
        by_state=view.labelled(
            s["in_progress_by_status"], [x for x in ConversionStatus if x.in_progress], lang
        ),
        by_reason=view.labelled(s["refused_by_reason"], RefusalReason, lang),
        by_channel=view.labelled(s["by_channel"], ApplicationChannel, lang),
        chart=json.dumps(view.chart_data(s, lang), ensure_ascii=False),
        areas=hazard_view.area_options(session, principal),
        current={k: (raw.get(k) or [""])[0] for k in names},
        paid=view.money(s["connected_payable_yuan"]),
        error=error,
    )


# ---- quota tables and packages ------------------------------------------------------------------
def _prices_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    error: str | None = None,
    failed: str | None = None,
    posted: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    lang = page_lang(request)
    tables = tariff.list_tables(session=session)
    return _page(
        request,
        "conversion/prices.html",
        status_code=status,
        principal=principal,
        tables=tables,
        used={t.id: tariff.used(session, t) for t in tables},
        packages=tariff.list_packages(session=session),
        categories=view.category_names(lang),
        kinds=HouseholdKind.choices(lang),
        may_edit=may_write_tariff(principal),
        error=error,
        failed=failed,
        posted=posted or {},
        done=request.query_params.get("done"),
        money=view.money,
        percent=view.percent,
    )


@router.get(f"{BASE}/prices")
def prices(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    return _prices_page(request, session, principal)


def parse_items(raw: str | None) -> list[dict[str, Any]]:
    """Lines "code, name, unit, unit price[, category]" (commas, Chinese commas or tabs)."""
    items: list[dict[str, Any]] = []
    for n, line in enumerate((raw or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.replace("，", ",").replace("\t", ",").split(",")]
        if len(parts) not in (4, 5) or not all(parts[:4]):
            raise field_error("items", f"line {n}: code, name, unit, unit price[, category]")
        try:
            price = Decimal(parts[3])
        except InvalidOperation:
            raise field_error("items", f"line {n}: the unit price is not a number") from None
        if price < 0 or price != price.quantize(Decimal("0.01")):
            raise field_error("items", f"line {n}: a price in yuan with at most two decimals")
        category = parts[4] if len(parts) == 5 and parts[4] else None
        if category is not None and category not in QuotaCategory._value2member_map_:
            raise field_error("items", f"line {n}: unknown category {category}")
        items.append(
            {
                "code": parts[0][:32],
                "name": parts[1][:150],
                "unit": parts[2][:16],
                "unit_price_yuan": price,
                "category": category,
            }
        )
    return items


def run_price_action(
    session: Session, principal: Principal, action: str, form: FormData, target: int | None
) -> None:
    if action == "table":
        rate = number(form, "discount_rate", minimum=0)
        if rate is None:
            raise field_error("discount_rate", "required")
        tariff.create_table(
            session=session,
            principal=principal,
            name=_text(form, "name") or "",
            version=_text(form, "version") or "",
            discount_rate=rate,
            effective_on=_day(form, "effective_on", required=True),  # type: ignore[arg-type]
            items=parse_items(_text(form, "items")),
            active=_text(form, "active") == "true",
        )
    elif action == "activate" and target is not None:
        tariff.activate(session=session, principal=principal, id=target)
    elif action == "package":
        price = number(form, "price_yuan", minimum=0)
        if price is None:
            raise field_error("price_yuan", "required")
        kind = _text(form, "for_kind")
        tariff.create_package(
            session=session,
            principal=principal,
            name=_text(form, "name") or "",
            price_yuan=price,
            includes=(_text(form, "includes") or "").replace("，", ",").split(","),
            for_kind=HouseholdKind(kind)
            if kind is not None and kind in HouseholdKind._value2member_map_
            else None,
        )
    elif action == "toggle" and target is not None:
        package = tariff.get_package(session=session, id=target)
        tariff.update_package(
            session=session, principal=principal, id=target, data={"active": not package.active}
        )
    else:
        raise Invalid(f"unknown action {action}")


@router.post(f"{BASE}/prices/{{action}}")
@router.post(f"{BASE}/prices/{{action}}/{{target}}")
def price_action(
    action: str,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
    target: int | None = None,
) -> Response:
    try:
        if action not in PRICE_ACTIONS:
            raise Invalid(f"unknown action {action[:20]}")
        run_price_action(session, principal, action, form, target)
    except GasWardenError as exc:
        session.rollback()
        posted = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"}
        return _prices_page(
            request,
            session,
            principal,
            error=error_message(exc, page_lang(request)),
            failed=action,
            posted=posted,
            status=exc.status_code,
        )
    return RedirectResponse(f"{BASE}/prices?done={action}", status_code=303)


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
    return _page(
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
