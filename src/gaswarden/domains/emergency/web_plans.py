"""The plan pages: the list with overdue reviews, a plan's versions and its steps (with the
plan document uploaded as a PDF, Word file or scan)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Invalid
from gaswarden.core.pagination import PageParams
from gaswarden.deps import SessionDep
from gaswarden.domains.emergency import (
    plans,
)
from gaswarden.domains.emergency import web_view as view
from gaswarden.domains.emergency.clock import local_today
from gaswarden.domains.emergency.enums import (
    PlanLevel,
    PlanStatus,
)
from gaswarden.domains.emergency.schemas import (
    PlanApprove,
    PlanCreate,
    PlanVersionCreate,
)
from gaswarden.domains.emergency.web_pages import attempt, back_to, render_page, split_lines
from gaswarden.domains.hazard import web_view as hazard_view
from gaswarden.domains.hazard.web import store_photos
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.form_values import choice, day, integer
from gaswarden.web.form_values import text as ftext
from gaswarden.web.render import page_lang
from gaswarden.web.routing import WebPrincipal, WebRoute

router = APIRouter(route_class=WebRoute)


# ---- plans --------------------------------------------------------------------------------------
def _plan_list(
    request: Request,
    session: Session,
    principal: Principal,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = page_lang(request)
    today = local_today()
    filters: dict[str, Any] = {}
    status = request.query_params.get("status")
    if status in {s.value for s in PlanStatus}:
        filters["status"] = PlanStatus(status)
    overdue = request.query_params.get("overdue") == "true"
    page = plans.get_all(
        session=session,
        principal=principal,
        params=PageParams(size=200),
        filters=filters,
        overdue=overdue,
        current=request.query_params.get("all") != "true",
    )
    return render_page(
        request,
        "emergency/plans.html",
        status_code,
        principal=principal,
        rows=[plans.read(p, today) for p in page.items],
        counts=plans.counts(session=session, principal=principal),
        levels=PlanLevel.choices(lang),
        statuses=PlanStatus.choices(lang),
        current={"status": status or "", "overdue": overdue},
        may_write=view.may_write(principal),
        regulator=principal.is_regulator,
        enterprises=hazard_view.enterprise_options(session, principal),
        error=error,
        done=request.query_params.get("done"),
    )


@router.get("/emergency/plans")
def plan_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    return _plan_list(request, session, principal)


@router.post("/emergency/plans")
def plan_new(
    request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    settings = request.app.state.settings
    created: dict[str, int] = {}

    def create() -> None:
        uploads = store_photos(session, principal, settings, form, documents=True)
        try:
            data = PlanCreate(
                code=ftext(form, "code") or "",
                title=ftext(form, "title") or "",
                level=choice(form, "level", PlanLevel),
                owner_id=integer(form, "owner_id"),
                scenarios=split_lines(ftext(form, "scenarios")),
                summary=ftext(form, "summary"),
                attachment_id=uploads[0] if uploads else integer(form, "attachment_id"),
                review_due_on=day(form, "review_due_on"),
                filed_with=ftext(form, "filed_with"),
            )
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
        created["id"] = plans.create(session=session, principal=principal, data=data).id

    response_ = attempt(
        request,
        session,
        "/emergency/plans",
        create,
        lambda msg, code: _plan_list(request, session, principal, msg, code),
    )
    if "id" in created and response_.status_code == 303:
        return back_to(f"/emergency/plans/{created['id']}", done="1")
    return response_


def _plan_page(
    request: Request,
    session: Session,
    principal: Principal,
    plan_id: int,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    today = local_today()
    plan = plans.get(session=session, principal=principal, id=plan_id)
    all_versions = plans.versions(session=session, principal=principal, plan=plan)
    steps: list[str] = []
    if view.may_write(principal):
        if plan.status is PlanStatus.DRAFT:
            steps.append("submit")
        if plan.status is PlanStatus.SUBMITTED and principal.is_regulator:
            steps += ["approve", "send_back"]
        if plan.id == all_versions[0].id and plan.status in (
            PlanStatus.APPROVED,
            PlanStatus.SUPERSEDED,
        ):
            steps.append("version")
    return render_page(
        request,
        "emergency/plan.html",
        status_code,
        principal=principal,
        p=plans.read(plan, today),
        versions=[plans.read(v, today) for v in all_versions],
        steps=steps,
        error=error,
        done=request.query_params.get("done"),
    )


@router.get("/emergency/plans/{plan_id}")
def plan_detail(
    plan_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    return _plan_page(request, session, principal, plan_id)


@router.post("/emergency/plans/{plan_id}/{step}")
def plan_step(
    plan_id: int,
    step: str,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    settings = request.app.state.settings
    target = {"id": plan_id}

    def run() -> None:
        common: dict[str, Any] = {"session": session, "principal": principal, "id": plan_id}
        if step == "submit":
            plans.submit(**common, note=ftext(form, "note"))
        elif step == "approve":
            plans.approve(
                **common,
                data=PlanApprove(
                    effective_on=day(form, "effective_on"),
                    review_due_on=day(form, "review_due_on"),
                    note=ftext(form, "note"),
                ),
            )
        elif step == "send_back":
            plans.send_back(**common, note=ftext(form, "note") or "")
        elif step == "version":
            uploads = store_photos(session, principal, settings, form, documents=True)
            plan = plans.new_version(
                **common,
                data=PlanVersionCreate(
                    summary=ftext(form, "summary"),
                    attachment_id=uploads[0] if uploads else None,
                    review_due_on=day(form, "review_due_on"),
                ),
            )
            target["id"] = plan.id
        else:
            raise Invalid(f"unknown step {step!r}")

    result = attempt(
        request,
        session,
        f"/emergency/plans/{plan_id}",
        run,
        lambda msg, code: _plan_page(request, session, principal, plan_id, msg, code),
    )
    if result.status_code == 303 and target["id"] != plan_id:
        return back_to(f"/emergency/plans/{target['id']}", done="1")
    return result
