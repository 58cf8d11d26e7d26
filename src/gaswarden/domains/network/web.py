"""The pipe-network pages: the networks in scope (/networks), a network's map with its state
and a "check now" button (/networks/{id}), its leaks (/networks/{id}/leaks) and one leak's
localisation (/network-leaks/{id}) with the buttons to confirm, mark repaired or dismiss it.

Thin: reads go through service, state and leaks, the check through watch.check, all in the
caller's scope (out of scope: a 404 page). The tab bar leaves room for the forecast and
sensor-placement pages (/networks/{id}/forecast, /networks/{id}/placement)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from gaswarden.core.auth import Action, Principal
from gaswarden.core.errors import GasWardenError, Invalid
from gaswarden.core.pagination import PageParams
from gaswarden.deps import SessionDep
from gaswarden.domains.network import leaks, service, state, watch, web_demand, web_map
from gaswarden.domains.network import web_view as view
from gaswarden.domains.network.enums import LeakStatus
from gaswarden.domains.network.models import NetworkLeak, PipeNetwork
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.render import page_lang, render
from gaswarden.web.routing import WebPrincipal, WebRoute, with_query

router = APIRouter(route_class=WebRoute)
router.include_router(web_demand.router)  # forecast, supply plan, placement, users' pressure


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    lang = page_lang(request)
    return render(request, template, status_code, t=lambda m: view.text(m, lang), **context)


def _tz(request: Request) -> str:
    return str(request.app.state.settings.timezone)


def _form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _error(request: Request, exc: GasWardenError) -> str:
    title = exc.title_zh if page_lang(request) == "zh" else exc.title
    return f"{title}: {exc.detail}"


# ---- the list ----------------------------------------------------------------------------------
@router.get("/networks")
def network_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    q = (request.query_params.get("q") or "").strip() or None
    raw_page = request.query_params.get("page") or ""
    page_no = int(raw_page) if raw_page.isdigit() and int(raw_page) > 0 else 1
    size = request.app.state.settings.page_size_default
    page = service.list_networks(
        session=session, principal=principal, params=PageParams(page=page_no, size=size, q=q)
    )
    return _page(
        request,
        "network/list.html",
        principal=principal,
        page=page,
        counts=view.counts(session, [n.id for n in page.items]),
        q=q or "",
        prev_href=with_query(request, page=page.page - 1) if page.page > 1 else None,
        next_href=with_query(request, page=page.page + 1) if page.page < page.pages else None,
    )


# ---- a network's map ---------------------------------------------------------------------------
def _network_page(
    request: Request,
    session: Session,
    principal: Principal,
    network_id: int,
    *,
    check: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    lang, tz = page_lang(request), _tz(request)
    network = service.get_network(session=session, principal=principal, id=network_id)
    st = state.current(session=session, principal=principal, id=network.id, now=datetime.now(UTC))
    found = leaks.list_leaks(session=session, principal=principal, network_id=network.id)
    return _page(
        request,
        "network/detail.html",
        status_code=status,
        principal=principal,
        n=network,
        tab="map",
        card=view.state_card(session, st, lang, tz),
        sensors=view.sensor_rows(st),
        feeds=service.feeds(session=session, principal=principal, id=network.id),
        flow_serials=view.flow_serials(session, network.id),
        open_leaks=[lk for lk in found if view.is_open(lk)],
        may_check=principal.can(Action.REGISTRY_WRITE),
        map=web_map.map_data(session, network, st, lang),
        source=st.source,
        check=check,
        error=error,
    )


@router.get("/networks/{network_id:int}")
def network_page(
    network_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    return _network_page(request, session, principal, network_id)


@router.post("/networks/{network_id:int}/check")
def network_check(
    network_id: int,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    """Run the watch on this network now and show what it found."""
    principal.require(Action.REGISTRY_WRITE)
    network = service.get_network(session=session, principal=principal, id=network_id)
    try:
        result = watch.check(session, network, now=datetime.now(UTC), principal=principal)
    except GasWardenError as exc:
        session.rollback()
        return _network_page(
            request,
            session,
            principal,
            network_id,
            error=_error(request, exc),
            status=exc.status_code,
        )
    return _network_page(request, session, principal, network_id, check=result.to_json())


# ---- leaks -------------------------------------------------------------------------------------
def _leak_page(
    request: Request,
    session: Session,
    principal: Principal,
    network: PipeNetwork,
    leak: NetworkLeak | None,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    lang, tz = page_lang(request), _tz(request)
    found = leaks.list_leaks(session=session, principal=principal, network_id=network.id)
    return _page(
        request,
        "network/leak.html",
        status_code=status,
        principal=principal,
        n=network,
        tab="leaks",
        leaks=found,
        leak=leak,
        facts=view.leak_facts(leak, lang, tz) if leak else [],
        segments=view.segment_rows(leak) if leak else [],
        next_statuses=view.next_statuses(leak, lang) if leak else [],
        may_write=principal.can(Action.REGISTRY_WRITE),
        zone_pipes=[int(p) for p in (leak.zone or {}).get("pipes", [])] if leak else [],
        zone_junctions=web_map.zone_junctions(session, leak) if leak else [],
        map=web_map.leak_map(session, network, leak, lang) if leak else None,
        error=error,
        done=request.query_params.get("done"),
    )


@router.get("/networks/{network_id:int}/leaks")
def network_leaks(
    network_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """The network's leaks, the newest (an open one first) shown in full."""
    network = service.get_network(session=session, principal=principal, id=network_id)
    found = leaks.list_leaks(session=session, principal=principal, network_id=network.id)
    shown = next((lk for lk in found if view.is_open(lk)), found[0] if found else None)
    return _leak_page(request, session, principal, network, shown)


@router.get("/network-leaks/{leak_id:int}")
def leak_page(
    leak_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    leak = leaks.get_leak(session=session, principal=principal, id=leak_id)
    return _leak_page(request, session, principal, leak.network, leak)


@router.post("/network-leaks/{leak_id:int}/status")
def leak_status(
    leak_id: int,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    raw = _form_text(form, "status")
    try:
        if raw not in view.LEAK_STATUSES:
            raise Invalid(f"status: one of {', '.join(view.LEAK_STATUSES)}")
        leaks.set_status(
            session=session,
            principal=principal,
            id=leak_id,
            status=LeakStatus(raw),
            note=_form_text(form, "note") or None,
        )
    except GasWardenError as exc:
        session.rollback()
        leak = leaks.get_leak(session=session, principal=principal, id=leak_id)
        return _leak_page(
            request,
            session,
            principal,
            leak.network,
            leak,
            error=_error(request, exc),
            status=exc.status_code,
        )
    return RedirectResponse(f"/network-leaks/{leak_id}?done=status", status_code=303)
