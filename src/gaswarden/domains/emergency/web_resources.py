"""The resources page: teams with duty status, vehicles, reserves with their flags, contacts,
the map; adding reserve lines and contacts, setting a team's duty."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.pagination import PageParams
from gaswarden.core.protect import mask_phone
from gaswarden.deps import SessionDep
from gaswarden.domains.emergency import (
    contacts,
    reserves,
    roads,
    teams,
)
from gaswarden.domains.emergency import web_view as view
from gaswarden.domains.emergency.clock import local_today
from gaswarden.domains.emergency.enums import (
    IncidentGrade,
    ReserveCategory,
    ReserveKind,
)
from gaswarden.domains.emergency.web_pages import attempt, render_page
from gaswarden.domains.workforce.enums import DutyStatus
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.form_values import choice, day, integer, number
from gaswarden.web.form_values import text as ftext
from gaswarden.web.render import page_lang
from gaswarden.web.routing import WebPrincipal, WebRoute

router = APIRouter(route_class=WebRoute)


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
    return render_page(
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

    return attempt(
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

    return attempt(
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
    return attempt(
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
