"""The drill pages: the list with counts per organiser per year, a drill's evaluation and
follow-up actions, and its steps."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Invalid
from gaswarden.core.pagination import PageParams
from gaswarden.deps import SessionDep
from gaswarden.domains.emergency import (
    drills,
)
from gaswarden.domains.emergency import web_view as view
from gaswarden.domains.emergency.clock import local_today
from gaswarden.domains.emergency.enums import (
    DrillKind,
    DrillRating,
    DrillStatus,
)
from gaswarden.domains.emergency.schemas import (
    DrillActionCreate,
    DrillCreate,
    DrillHeld,
)
from gaswarden.domains.emergency.web_pages import attempt, render_page
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.form_values import choice, day, integer
from gaswarden.web.form_values import text as ftext
from gaswarden.web.render import page_lang
from gaswarden.web.routing import WebPrincipal, WebRoute

router = APIRouter(route_class=WebRoute)


# ---- drills -------------------------------------------------------------------------------------
def _drill_list(
    request: Request,
    session: Session,
    principal: Principal,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = page_lang(request)
    filters: dict[str, Any] = {}
    status = request.query_params.get("status")
    if status in {s.value for s in DrillStatus}:
        filters["status"] = DrillStatus(status)
    page = drills.get_all(
        session=session, principal=principal, params=PageParams(size=200), filters=filters
    )
    return render_page(
        request,
        "emergency/drills.html",
        status_code,
        principal=principal,
        rows=page.items,
        total=page.total,
        counts=drills.counts_by_year(session=session, principal=principal, lang=lang),
        kinds=DrillKind.choices(lang),
        statuses=DrillStatus.choices(lang),
        current={"status": status or ""},
        may_write=view.may_write(principal),
        error=error,
        done=request.query_params.get("done"),
    )


@router.get("/emergency/drills")
def drill_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    return _drill_list(request, session, principal)


@router.post("/emergency/drills")
def drill_new(
    request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    def create() -> None:
        planned = day(form, "planned_on", required=True)
        assert planned is not None
        try:
            data = DrillCreate(
                title=ftext(form, "title") or "",
                kind=choice(form, "kind", DrillKind),
                scenario=ftext(form, "scenario") or "",
                planned_on=planned,
                address=ftext(form, "address"),
                participant_units=ftext(form, "participant_units"),
            )
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
        drills.plan_drill(session=session, principal=principal, data=data)

    return attempt(
        request,
        session,
        "/emergency/drills",
        create,
        lambda msg, code: _drill_list(request, session, principal, msg, code),
    )


def _drill_page(
    request: Request,
    session: Session,
    principal: Principal,
    drill_id: int,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = page_lang(request)
    drill = drills.get(session=session, principal=principal, id=drill_id)
    return render_page(
        request,
        "emergency/drill.html",
        status_code,
        principal=principal,
        d=drill,
        ratings=DrillRating.choices(lang),
        may_write=view.may_write(principal),
        today=local_today(),
        error=error,
        done=request.query_params.get("done"),
    )


@router.get("/emergency/drills/{drill_id}")
def drill_detail(
    drill_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    return _drill_page(request, session, principal, drill_id)


@router.post("/emergency/drills/{drill_id}/{step}")
def drill_step(
    drill_id: int,
    step: str,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    def run() -> None:
        common: dict[str, Any] = {"session": session, "principal": principal, "id": drill_id}
        try:
            if step == "held":
                held_on = day(form, "held_on", required=True)
                assert held_on is not None
                drills.hold(
                    **common,
                    data=DrillHeld(
                        held_on=held_on,
                        participants=integer(form, "participants") or 0,
                        participant_units=ftext(form, "participant_units"),
                        rating=choice(form, "rating", DrillRating),
                        evaluation=ftext(form, "evaluation") or "",
                    ),
                )
            elif step == "cancel":
                drills.cancel(**common, note=ftext(form, "note") or "")
            elif step == "add_action":
                drills.add_action(
                    **common,
                    data=DrillActionCreate(
                        text=ftext(form, "text") or "",
                        responsible=ftext(form, "responsible"),
                        due_on=day(form, "due_on"),
                    ),
                )
            elif step == "action_done":
                action_id = integer(form, "action_id")
                drills.action_done(
                    **common,
                    action_id=action_id or 0,
                    done_on=day(form, "done_on") or local_today(),
                )
            else:
                raise Invalid(f"unknown step {step!r}")
        except ValueError as exc:
            raise Invalid(str(exc)) from exc

    return attempt(
        request,
        session,
        f"/emergency/drills/{drill_id}",
        run,
        lambda msg, code: _drill_page(request, session, principal, drill_id, msg, code),
    )
