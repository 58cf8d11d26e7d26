"""/notifications: the outbox as a page — every delivery in the caller's scope with its status,
attempts and last error, so that an admin sees what was sent and what failed; failed and dead
deliveries can be sent again (admins). Subscriptions have the generic registry pages
(/notification-subscriptions, web.resources), and here a new webhook signing key, shown once
(the API shows a generated one in its answer to the creation; a page cannot)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from gaswarden.core.auth import Action, Principal
from gaswarden.core.errors import Invalid
from gaswarden.core.i18n import local_time
from gaswarden.core.pagination import PageParams
from gaswarden.deps import SessionDep
from gaswarden.domains.notification import messages, service
from gaswarden.domains.notification.enums import DeliveryStatus
from gaswarden.domains.notification.models import Notification
from gaswarden.domains.notification.schemas import mask_target
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.forms import FormField
from gaswarden.web.render import page_lang, render
from gaswarden.web.routing import WebPrincipal, WebRoute, query_lists, with_query

router = APIRouter(route_class=WebRoute)

_RETRYABLE = (DeliveryStatus.FAILED, DeliveryStatus.DEAD)
_WAITING = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


# Filters that work in the query string (links from other pages) but are not on the form.
_NOT_ON_FORM = frozenset({"subscription_id", "owner_id", "area_id", "site_id"})


def _filter_fields(raw: dict[str, list[str]], lang: str) -> list[FormField]:
    fields = []
    for flt in service.FILTERS.filters:
        if flt.name in _NOT_ON_FORM and not raw.get(flt.name):
            continue
        f = FormField(flt.name, flt.label(lang), "text", value=(raw.get(flt.name) or [""])[0])
        if flt.choices is not None:
            f.widget, f.options = "select", flt.choices.choices(lang)
        elif flt.type is date:
            f.widget = "date"
        elif flt.type is int:
            f.widget = "number"
        fields.append(f)
    return fields


def _row(n: Notification, principal: Principal, lang: str, tz: str) -> dict[str, Any]:
    p = n.payload or {}
    why = messages.REASONS.get(n.reason)
    return {
        "id": n.id,
        "created": local_time(n.created_at, tz, "%Y-%m-%d %H:%M:%S"),
        "alarm_id": n.alarm_id,
        "hazard_id": n.hazard_id,
        "incident_id": p.get("incident_id"),
        "hazard_code": p.get("code") or "",
        "serial": p.get("serial") or "",
        "site": p.get("site") or "",
        "grade": n.grade,
        "reason": (why[0] if lang == "zh" else why[1]) if why else n.reason,
        "channel": n.channel,
        "target": mask_target(n.channel, n.target) or "",
        "audience": n.audience,
        "subscription_id": n.subscription_id,
        "status": n.status,
        "attempts": n.attempts,
        "next_attempt": local_time(n.next_attempt_at, tz, "%m-%d %H:%M:%S")
        if n.status in _WAITING
        else "",
        "sent": local_time(n.sent_at, tz, "%Y-%m-%d %H:%M:%S") if n.sent_at else "",
        "last_error": n.last_error or "",
        "can_retry": n.status in _RETRYABLE and principal.can(Action.USER_WRITE),
    }


@router.get("/notifications")
def outbox_page(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    settings = request.app.state.settings
    raw = query_lists(request)
    error = None
    try:
        filters = service.FILTERS.parse(raw)
    except Invalid as exc:
        filters, error = {}, exc.detail
    q = (request.query_params.get("q") or "").strip() or None
    try:
        page_no = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page_no = 1
    params = PageParams(page=page_no, size=settings.page_size_default, q=q)
    page = service.list_notifications(
        session=session, principal=principal, params=params, filters=filters
    )
    counts = service.counts(session=session, principal=principal, filters=filters)
    return render(
        request,
        "notifications.html",
        principal=principal,
        rows=[_row(n, principal, lang, settings.timezone) for n in page.items],
        page=page,
        prev_href=with_query(request, page=page.page - 1) if page.page > 1 else None,
        next_href=with_query(request, page=page.page + 1) if page.page < page.pages else None,
        filters=_filter_fields(raw, lang),
        q=q or "",
        statuses=[(s, counts["by_status"].get(s.value, 0)) for s in DeliveryStatus],
        error=error,
        back=with_query(request),
    )


@router.post("/notifications/{notification_id}/retry")
def retry(
    notification_id: int,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    service.retry(session=session, principal=principal, id=notification_id)
    back = str(form.get("next") or "/notifications")
    if not back.startswith("/notifications") or back.startswith("//"):
        back = "/notifications"
    return RedirectResponse(back, status_code=303)


@router.post("/notification-subscriptions/{sub_id}/secret")
def new_secret(
    sub_id: int,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    """Replace a webhook's signing key and show the new one this once (audited)."""
    sub, key = service.new_secret(session=session, principal=principal, id=sub_id)
    return render(
        request,
        "notification_secret.html",
        principal=principal,
        sub_id=sub_id,
        sub_label=service.subscriptions.label(sub),
        secret=key,
    )
