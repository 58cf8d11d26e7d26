"""Templates and the few helpers every page uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from gaswarden.core.auth import Action, Principal
from gaswarden.core.enums import LabeledEnum
from gaswarden.core.errors import GasWardenError
from gaswarden.core.i18n import field_label, local_time, t
from gaswarden.web.csrf import CSRF_FIELD, csrf_token

TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES_DIR)

# (href, English message id, action needed to see the entry or None)
NAV: tuple[tuple[str, str, Action | None], ...] = (
    ("/", "Home", None),
    ("/cockpit", "Cockpit", None),
    ("/map", "Map", None),
    ("/networks", "Pipe networks", None),
    ("/alarms", "Alarms", None),
    ("/hazards", "Hazards", None),
    ("/inspection-tasks", "Inspections", None),
    ("/statistics", "Statistics", None),
    ("/enforcement", "Enforcement", None),
    ("/cylinders", "Cylinders", None),
    ("/customers", "LPG customers", None),
    ("/emergency", "Emergency", None),
    ("/conversions", "Bottle-to-pipe", None),
    ("/service-requests", "Service requests", None),
    ("/sites", "Sites", None),
    ("/site-assignments", "Agency assignments", None),
    ("/assets", "Assets", None),
    ("/devices", "Devices", None),
    ("/organizations", "Organisations", None),
    ("/areas", "Areas", None),
    ("/people", "Staff", None),
    ("/certificates", "Certificates", None),
    ("/teams", "Teams", None),
    ("/vehicles", "Vehicles", None),
    ("/users", "Users", None),
    ("/notification-subscriptions", "Notifications", None),
    ("/audit", "Audit log", Action.AUDIT_READ),
    ("/quarantine", "Quarantine", None),
)
REGULATORS_ONLY = frozenset({"/quarantine"})  # what tries to get in is the regulator's concern
# Pages under another path that belong to an entry: the outbox to the notification settings.
NAV_ALSO: dict[str, tuple[str, ...]] = {
    "/notification-subscriptions": ("/notifications",),
    "/statistics": ("/enterprise-systems",),
    "/inspection-tasks": ("/inspections", "/inspection-plans", "/checklists"),
    "/cylinders": (
        "/gas-batches",
        "/cylinder-scan",
        "/cylinder-recall",
        "/cylinder-statistics",
        "/cylinder-anomalies",
        "/cylinder-whereabouts",
    ),
    "/customers": ("/customer-safety-checks",),
    "/networks": ("/network-leaks",),
}


def page_lang(request: Request) -> str:
    lang = request.cookies.get("lang") or request.app.state.settings.language
    return lang if lang in ("zh", "en") else "zh"


def _label(value: Any, lang: str) -> str:
    if isinstance(value, LabeledEnum):
        return value.label(lang)
    return "" if value is None else str(value)


def nav_for(principal: Principal | None, path: str) -> list[dict[str, Any]]:
    if principal is None:
        return []
    items = []
    for href, message, action in NAV:
        if action is not None and not principal.can(action):
            continue
        if href in REGULATORS_ONLY and not principal.is_regulator:
            continue
        here = path == href if href == "/" else path == href or path.startswith(href + "/")
        here = here or any(path == p or path.startswith(p + "/") for p in NAV_ALSO.get(href, ()))
        items.append({"href": href, "message": message, "here": here})
    return items


def error_message(exc: GasWardenError, lang: str) -> str:
    """A refused action's title and detail, for a page to show beside its form."""
    title = exc.title_zh if lang == "zh" else exc.title
    return f"{title}: {exc.detail}"


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    principal = context.pop("principal", None) or getattr(request.state, "principal", None)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    base = {
        "lang": lang,
        "t": lambda m: t(m, lang),
        "label": lambda v: _label(v, lang),
        "field_label": lambda name: field_label(name, lang),
        "localtime": lambda v: local_time(v, tz),
        "tz": tz,
        "principal": principal,
        # The menu in the shell's own words: a page may bring its own `t` for its texts.
        "nav": [{**i, "text": t(i["message"], lang)} for i in nav_for(principal, request.url.path)],
        "here": quote(here),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
    }
    return templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )


def error_page(
    request: Request, status: int, title_zh: str, title_en: str, detail: str
) -> HTMLResponse:
    return render(
        request,
        "error.html",
        status_code=status,
        status=status,
        title_zh=title_zh,
        title_en=title_en,
        detail=detail,
    )
