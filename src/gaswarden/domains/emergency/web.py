"""The emergency pages: the overview (/emergency), incidents (list with the response-time
statistics and the call form, an incident's page with its timeline, the nearest resources and
the distance method, the contacts to tell, and the steps), opening an incident from an alarm
or a hazard, plans (list with overdue reviews, a plan's versions and steps), resources (teams
with duty status, reserves with flags, the map), drills (list, counts per organiser per year,
a drill's evaluation and follow-ups). This module holds the overview and gathers the others'
routers (web_incidents, web_plans, web_resources, web_drills; their helpers in web_pages).
Thin: every read and write goes through the services."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from gaswarden.deps import SessionDep
from gaswarden.domains.emergency import (
    incidents,
    plans,
    reserves,
    roads,
    teams,
    web_drills,
    web_incidents,
    web_plans,
    web_resources,
)
from gaswarden.domains.emergency import web_view as view
from gaswarden.domains.emergency.web_pages import render_page
from gaswarden.web.render import page_lang
from gaswarden.web.routing import WebPrincipal, WebRoute

router = APIRouter(route_class=WebRoute)


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
    return render_page(
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


for _pages in (web_incidents, web_plans, web_resources, web_drills):
    router.include_router(_pages.router)
