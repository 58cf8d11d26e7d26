"""The progress statistics page, and the quota tables and packages the regulator manages."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from gaswarden.core.auth import Principal
from gaswarden.core.errors import GasWardenError, Invalid
from gaswarden.deps import SessionDep
from gaswarden.domains.conversion import applications, stats, tariff
from gaswarden.domains.conversion import web_view as view
from gaswarden.domains.conversion.enums import (
    ApplicationChannel,
    ConversionStatus,
    HouseholdKind,
    QuotaCategory,
    RefusalReason,
)
from gaswarden.domains.conversion.web_pages import (
    BASE,
    PRICE_ACTIONS,
    render_page,
)
from gaswarden.domains.conversion.workflow import may_write_tariff
from gaswarden.domains.hazard import web_view as hazard_view
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.form_values import day as _day
from gaswarden.web.form_values import field_error, number
from gaswarden.web.form_values import text as _text
from gaswarden.web.render import error_message, page_lang
from gaswarden.web.routing import WebPrincipal, WebRoute, query_lists

router = APIRouter(route_class=WebRoute)


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
    return render_page(
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
    return render_page(
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
