"""The network's demand pages: the forecast chart with the actuals and the band and the supply
plan (/networks/{id}/forecast), the sensor-placement suggestions (/networks/{id}/placement),
and users' pressure fluctuations per area (/networks/user-pressure).

Thin: the figures come from demand, placement_view and user_pressure, in the caller's scope
(a network out of scope: a 404 page). A network whose history is too short for a forecast
shows why on its page. Included from web.py (routes.py loads a domain's `web` module)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response

from gaswarden.core.errors import GasWardenError
from gaswarden.deps import SessionDep
from gaswarden.domains.network import demand, placement_view, service, user_pressure, web_map
from gaswarden.domains.network import web_demand_view as view
from gaswarden.web.render import page_lang, render
from gaswarden.web.routing import WebPrincipal, WebRoute

router = APIRouter(route_class=WebRoute)


def _page(request: Request, template: str, **context: Any) -> Response:
    lang = page_lang(request)
    return render(request, template, t=lambda m: view.text(m, lang), **context)


def _tz(request: Request) -> str:
    return str(request.app.state.settings.timezone)


def _int(request: Request, name: str, default: int | None, lo: int, hi: int) -> int | None:
    """A query parameter as an int within [lo, hi], else the default."""
    raw = (request.query_params.get(name) or "").strip()
    if not raw.isdigit():
        return default
    return min(max(int(raw), lo), hi)


def _error(request: Request, exc: GasWardenError) -> str:
    title = exc.title_zh if page_lang(request) == "zh" else exc.title
    return f"{title}: {exc.detail}"


@router.get("/networks/user-pressure")
def users_pressure(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    days = _int(request, "days", 7, 1, max(view.DAY_CHOICES)) or 7
    until = datetime.now(UTC)
    since = until - timedelta(days=days)
    rows = user_pressure.report(session=session, principal=principal, since=since, until=until)
    return _page(
        request,
        "network/user_pressure.html",
        principal=principal,
        days=days,
        day_choices=sorted({*view.DAY_CHOICES, days}),
        since=since,
        until=until,
        rows=view.pressure_rows(rows),
    )


@router.get("/networks/{network_id:int}/forecast")
def forecast_page(
    network_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    lang, tz = page_lang(request), _tz(request)
    network = service.get_network(session=session, principal=principal, id=network_id)
    feeds = service.feeds(session=session, principal=principal, id=network.id)
    feed = _int(request, "feed", None, 0, 10_000)
    days = _int(request, "days", 7, 1, max(view.FORECAST_DAYS)) or 7
    context: dict[str, Any] = {"error": None, "fc": None, "plan": None}
    try:
        fc = demand.forecast(
            session=session, principal=principal, id=network.id, feed=feed, days=days
        )
        plan = demand.plan(session=session, principal=principal, id=network.id, feed=fc["feed"])
        context.update(
            fc=fc,
            chart=view.chart(fc, lang, tz),
            daily=view.daily_rows(fc, lang, tz),
            plan=view.plan_rows(plan, lang, tz),
            issued_after=view.local(fc["issued_after"], tz),
        )
    except GasWardenError as exc:
        context["error"] = _error(request, exc)
    return _page(
        request,
        "network/forecast.html",
        principal=principal,
        n=network,
        tab="forecast",
        feeds=feeds,
        feed=feed,
        days=days,
        day_choices=sorted({*view.FORECAST_DAYS, days}),
        **context,
    )


@router.get("/networks/{network_id:int}/placement")
def placement_page(
    network_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    lang = page_lang(request)
    network = service.get_network(session=session, principal=principal, id=network_id)
    k = _int(request, "k", 20, 1, placement_view.MAX_K) or 20
    result = placement_view.suggest(session=session, principal=principal, id=network.id, k=k)
    shown = web_map.map_data(session, network, None, lang)
    shown["placement"] = view.placement_markers(result, lang)
    return _page(
        request,
        "network/placement.html",
        principal=principal,
        n=network,
        tab="placement",
        k=k,
        max_k=placement_view.MAX_K,
        result=result,
        map=shown,
    )
