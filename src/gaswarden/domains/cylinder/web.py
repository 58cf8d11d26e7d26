"""The cylinder pages: scanning on a phone (/cylinder-scan), a cylinder's whole life
(/cylinders/{id}), a customer's history (/customers/{id}), a batch's recall (/cylinder-recall),
statistics (/cylinder-statistics), where the cylinders are (/cylinder-whereabouts) and the chain
anomalies with their review (/cylinder-anomalies). Thin: reads go through tracing.py, stats.py
and anomalies.py, scans through scan_preview.preview and events.submit, all in the caller's scope.

Ids are matched as integers ({id:int}) so that the generic /cylinders/new and /customers/new
pages behind these routes stay reachable."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from gaswarden.core.auth import Principal
from gaswarden.core.errors import GasWardenError, Invalid
from gaswarden.deps import SessionDep
from gaswarden.domains.customer.service import customers
from gaswarden.domains.cylinder import (
    anomalies,
    events,
    fleet,
    recalls,
    refs,
    scan_preview,
    stats,
    tracing,
)
from gaswarden.domains.cylinder import web_view as view
from gaswarden.domains.cylinder.enums import AnomalyKind, EventKind
from gaswarden.domains.cylinder.event_schemas import CylinderEventIn, EventOutcome, ScanPreview
from gaswarden.domains.cylinder.service import cylinders
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.map import area_shapes
from gaswarden.web.render import page_lang, render
from gaswarden.web.routing import WebPrincipal, WebRoute, with_query

router = APIRouter(route_class=WebRoute)


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    lang = page_lang(request)
    return render(request, template, status_code, t=lambda m: view.text(m, lang), **context)


def _tz(request: Request) -> str:
    return str(request.app.state.settings.timezone)


def _int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else None


def _page_no(request: Request) -> int:
    return max(1, _int(request.query_params.get("page")) or 1)


# ---- scanning ----------------------------------------------------------------------------------
def _may_scan(principal: Principal) -> bool:
    return principal.role in events.SCANNING_ROLES and principal.org_id is not None


def _scan_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    code: str = "",
    kind: str = "",
    posted: dict[str, str] | None = None,
    outcome: EventOutcome | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    lang = page_lang(request)
    preview: ScanPreview | None = None
    if code:
        step = EventKind(kind) if kind in EventKind._value2member_map_ else None
        customer = (posted or {}).get("customer_code") or request.query_params.get("customer_code")
        preview = scan_preview.preview(
            session=session,
            principal=principal,
            tag_code=code,
            kind=step,
            customer_code=customer or None,
        )
    return _page(
        request,
        "cylinder/scan.html",
        status_code=status,
        principal=principal,
        code=code,
        kind=kind,
        kinds=EventKind.choices(lang),
        options=view.scan_options(session, principal),
        may_scan=_may_scan(principal),
        preview=preview,
        outcome=outcome,
        anomaly_labels=[AnomalyKind(a).label(lang) for a in outcome.anomalies] if outcome else [],
        posted=posted or {},
        key=uuid.uuid4().hex,
        error=error,
    )


@router.get("/cylinder-scan")
def scan_form(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    q = request.query_params
    return _scan_page(
        request,
        session,
        principal,
        code=(q.get("code") or "").strip(),
        kind=(q.get("kind") or "").strip(),
    )


def _form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _scan_in(form: FormData, now: datetime) -> CylinderEventIn:
    raw = {name: _form_text(form, name) for name in form}
    data: dict[str, Any] = {
        "key": raw.get("key") or uuid.uuid4().hex,
        "kind": raw.get("kind"),
        "tag_code": raw.get("code"),
        "occurred_at": now,
        "device": "web",
    }
    for name in ("site_code", "vehicle_plate", "customer_code", "batch_code", "note"):
        if raw.get(name):
            data[name] = raw[name]
    for name in ("worker_id", "gross_kg", "lon", "lat", "next_inspection_on"):
        if raw.get(name):
            data[name] = raw[name]
    if data["kind"] == EventKind.INSPECT:
        data["passed"] = raw.get("passed") == "true"
    return CylinderEventIn.model_validate(data)


@router.post("/cylinder-scan")
def scan_send(
    request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    posted = {name: _form_text(form, name) for name in form if name != "csrf_token"}
    code, kind = posted.get("code", ""), posted.get("kind", "")
    try:
        scan = _scan_in(form, datetime.now(UTC))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return _scan_page(
            request,
            session,
            principal,
            code=code,
            kind=kind,
            posted=posted,
            error=problems,
            status=422,
        )
    try:
        outcome = events.submit(session=session, principal=principal, events=[scan])[0]
    except GasWardenError as exc:
        session.rollback()
        lang = page_lang(request)
        title = exc.title_zh if lang == "zh" else exc.title
        return _scan_page(
            request,
            session,
            principal,
            code=code,
            kind=kind,
            posted=posted,
            error=f"{title}: {exc.detail}",
            status=exc.status_code,
        )
    return _scan_page(
        request, session, principal, code=code, kind=kind, posted=posted, outcome=outcome
    )


# ---- a cylinder's life -------------------------------------------------------------------------
@router.get("/cylinders/{cylinder_id:int}")
def cylinder_page(
    cylinder_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    lang, tz = page_lang(request), _tz(request)
    cyl = tracing.get_cylinder(session=session, principal=principal, cylinder_id=cylinder_id)
    life = tracing.life(session=session, principal=principal, cylinder_id=cyl.id)
    names = refs.load(
        session,
        principal,
        sites=[cyl.site_id],
        vehicles=[cyl.vehicle_id],
        customers=[cyl.customer_id],
        batches=[cyl.batch_id],
    )
    return _page(
        request,
        "cylinder/detail.html",
        principal=principal,
        c=cyl,
        life=life,
        now_site=names.site(cyl.site_id),
        now_vehicle=names.vehicle(cyl.vehicle_id),
        now_customer=names.customer(cyl.customer_id),
        now_batch=names.batch(cyl.batch_id),
        recallable=recalls.recallable(
            session,
            principal,
            [b for b in (cyl.batch_id, *(e.batch.id for e in life.timeline if e.batch)) if b],
        ),
        can_edit=principal.can(cylinders.write_action),
        map=view.map_data(life, area_shapes(session, principal, lang), lang, tz),
    )


# ---- a customer's history ----------------------------------------------------------------------
@router.get("/customers/{customer_id:int}")
def customer_page(
    customer_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    history = tracing.customer_history(
        session=session, principal=principal, customer_id=customer_id
    )
    return _page(
        request,
        "cylinder/customer.html",
        principal=principal,
        h=history,
        recallable=recalls.recallable(
            session, principal, [d.batch.id for d in history.deliveries if d.batch]
        ),
        can_edit=principal.can(customers.write_action),
    )


# ---- recall ------------------------------------------------------------------------------------
@router.get("/cylinder-recall")
def recall_page(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    batch_id = _int(request.query_params.get("batch_id"))
    result = (
        recalls.recall(session=session, principal=principal, batch_id=batch_id)
        if batch_id is not None
        else None
    )
    return _page(
        request,
        "cylinder/recall.html",
        principal=principal,
        batches=recalls.batches(session=session, principal=principal),
        batch_id=batch_id,
        r=result,
    )


# ---- statistics --------------------------------------------------------------------------------
def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@router.get("/cylinder-statistics")
def statistics_page(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang, tz = page_lang(request), _tz(request)
    s = stats.compute(session=session, principal=principal, today=tracing.local_today(tz), tz=tz)
    charts = {
        "days": {
            "x": [d.day.isoformat() for d in s.filled_per_day],
            "y": [d.count for d in s.filled_per_day],
            "name": view.text("Filled per day", lang),
        },
        "stations": {
            "x": [x.name for x in s.deliveries_per_station],
            "y": [x.deliveries for x in s.deliveries_per_station],
            "name": view.text("Per station", lang),
        },
    }
    return _page(
        request,
        "cylinder/statistics.html",
        principal=principal,
        s=s,
        charts=charts,
        delivery_share=_rate(s.coverage.delivery_share),
        verified_share=_rate(s.coverage.verified_share),
    )


# ---- whereabouts -------------------------------------------------------------------------------
@router.get("/cylinder-whereabouts")
def whereabouts_page(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang, tz = page_lang(request), _tz(request)
    where = fleet.whereabouts(session=session, principal=principal, lang=lang)
    overdue = fleet.overdue_with_users(
        session=session,
        principal=principal,
        today=tracing.local_today(tz),
        page=_page_no(request),
        size=request.app.state.settings.page_size_default,
    )
    pages = max(1, -(-overdue.total // overdue.size))
    return _page(
        request,
        "cylinder/whereabouts.html",
        principal=principal,
        w=where,
        overdue=overdue,
        pages=pages,
        prev_href=with_query(request, page=overdue.page - 1) if overdue.page > 1 else None,
        next_href=with_query(request, page=overdue.page + 1) if overdue.page < pages else None,
        unknown=fleet.unknown_codes(session=session, principal=principal, limit=100),
    )


# ---- anomalies ---------------------------------------------------------------------------------
def _anomaly_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    error: str | None = None,
    failed: int | None = None,
    status: int = 200,
) -> Response:
    lang = page_lang(request)
    q = request.query_params
    kind_raw = (q.get("kind") or "").strip()
    kind = AnomalyKind(kind_raw) if kind_raw in AnomalyKind._value2member_map_ else None
    reviewed_raw = (q.get("reviewed") or "").strip()
    reviewed = {"true": True, "false": False}.get(reviewed_raw)
    page = anomalies.list_anomalies(
        session=session,
        principal=principal,
        kind=kind,
        reviewed=reviewed,
        cylinder_id=_int(q.get("cylinder_id")),
        page=_page_no(request),
        size=request.app.state.settings.page_size_default,
    )
    return _page(
        request,
        "cylinder/anomalies.html",
        status_code=status,
        principal=principal,
        page=page,
        rows=[(a, anomalies.may_review(principal, a)) for a in page.items],
        kinds=AnomalyKind.choices(lang),
        kind=kind_raw,
        reviewed=reviewed_raw,
        prev_href=with_query(request, page=page.page - 1) if page.page > 1 else None,
        next_href=with_query(request, page=page.page + 1) if page.page < page.pages else None,
        error=error,
        failed=failed,
        done=request.query_params.get("done"),
    )


@router.get("/cylinder-anomalies")
def anomaly_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    return _anomaly_page(request, session, principal)


@router.post("/cylinder-anomalies/{anomaly_id:int}/review")
def anomaly_review(
    anomaly_id: int,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    try:
        note = _form_text(form, "note")
        if not note:
            raise Invalid("note: say what was found")
        anomalies.review(session=session, principal=principal, id=anomaly_id, note=note)
    except GasWardenError as exc:
        session.rollback()
        lang = page_lang(request)
        title = exc.title_zh if lang == "zh" else exc.title
        return _anomaly_page(
            request,
            session,
            principal,
            error=f"{title}: {exc.detail}",
            failed=anomaly_id,
            status=exc.status_code,
        )
    return RedirectResponse(f"/cylinder-anomalies?done=review#a-{anomaly_id}", status_code=303)
