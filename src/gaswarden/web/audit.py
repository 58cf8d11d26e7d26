"""The audit log page for regulators (and enterprise admins, for their own records)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response

from gaswarden.core.auth import Action
from gaswarden.core.errors import Invalid
from gaswarden.core.i18n import field_label, t
from gaswarden.core.pagination import PageParams
from gaswarden.deps import SessionDep
from gaswarden.domains.account.service import users
from gaswarden.domains.audit import service as audit
from gaswarden.web.forms import FormField, ref_options
from gaswarden.web.present import Refs
from gaswarden.web.render import page_lang, render
from gaswarden.web.resources import BY_ENTITY
from gaswarden.web.routing import WebPrincipal, WebRoute, query_lists, with_query

router = APIRouter(route_class=WebRoute)

ENTITY_TYPES: dict[str, tuple[str, str]] = {
    "site": ("场站与用户", "Site"),
    "asset": ("设施", "Asset"),
    "device": ("物联设备", "Device"),
    "organization": ("单位", "Organisation"),
    "area": ("区域与网格", "Area"),
    "user": ("用户", "User"),
    "person": ("从业人员", "Staff member"),
    "certificate": ("资格证书", "Certificate"),
    "team": ("队伍", "Team"),
    "vehicle": ("车辆", "Vehicle"),
    "site_assignment": ("第三方巡检委托", "Agency assignment"),
    "api_token": ("接口令牌", "API token"),
    "notification_subscription": ("报警通知订阅", "Notification subscription"),
    "notification": ("报警通知", "Notification"),
}
ACTIONS: dict[str, tuple[str, str]] = {
    "create": ("新建", "Create"),
    "update": ("修改", "Update"),
    "delete": ("删除", "Delete"),
    "login": ("登录", "Sign-in"),
    "login_failed": ("登录失败", "Failed sign-in"),
    "create_token": ("创建令牌", "Token created"),
    "revoke_token": ("吊销令牌", "Token revoked"),
    "rotate_token": ("更换设备密钥", "Device token rotated"),
    "reveal_token": ("查看设备密钥", "Device token revealed"),
    "notification_retry": ("重发通知", "Notification resent"),
    "notification_secret": ("更换Webhook签名密钥", "Webhook signing key replaced"),
}
ACTION_COLOURS = {"create": "green", "update": "blue", "delete": "red", "login_failed": "orange"}


def pick(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    zh, en = table.get(key, (key, key))
    return zh if lang == "zh" else en


def local_day_bounds(filters: dict[str, Any], tz: str) -> dict[str, Any]:
    """Date filters are whole local days: `to` includes the whole of its day."""
    zone = ZoneInfo(tz)
    out = dict(filters)
    if isinstance(out.get("at_from"), date):
        out["at_from"] = datetime.combine(out["at_from"], time.min, zone)
    if isinstance(out.get("at_to"), date):
        out["at_to"] = datetime.combine(out["at_to"] + timedelta(days=1), time.min, zone)
    return out


def _shown(value: Any, enum: Any, lang: str) -> str:
    """A recorded value as words: enum values by their label, booleans as 是/否."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return t("Yes" if value else "No", lang)
    if enum is not None:
        try:
            return str(enum(value).label(lang))
        except ValueError:
            pass
    return str(value)


HIDDEN_CHANGES = frozenset({"id", "path"})  # the record itself, and derived bookkeeping


def change_lines(
    changes: dict[str, Any], lang: str, entity_type: str = "", refs: Refs | None = None
) -> list[str]:
    """One line per changed field; references shown by the name of what they point at."""
    resource = BY_ENTITY.get(entity_type)
    columns = resource.service.model.__table__.c if resource else {}
    references = resource.service.references() if resource else {}
    lines = []
    for name, pair in changes.items():
        if name in HIDDEN_CHANGES:
            continue
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        column = columns.get(name) if resource else None
        enum = getattr(column.type, "enum_class", None) if column is not None else None
        target = references.get(name)
        if target is not None and refs is not None:
            shown = [
                (refs.name(target, v) or f"#{v}") if isinstance(v, int) else _shown(v, None, lang)
                for v in (before, after)
            ]
        else:
            shown = [_shown(v, enum, lang) for v in (before, after)]
        lines.append(f"{field_label(name, lang)}: {shown[0]} → {shown[1]}")
    return lines


def entries_view(
    items: list[Any], lang: str, tz: str, refs: Refs | None = None
) -> list[dict[str, Any]]:
    from gaswarden.core.i18n import local_time

    rows = []
    for e in items:
        resource = BY_ENTITY.get(e.entity_type)
        href = f"/{resource.path}/{e.entity_id}" if resource and e.entity_id else None
        rows.append(
            {
                "at": local_time(e.at, tz, "%Y-%m-%d %H:%M:%S"),
                "actor": e.actor_name,
                "action": pick(ACTIONS, e.action, lang),
                "colour": ACTION_COLOURS.get(e.action, "grey"),
                "entity": pick(ENTITY_TYPES, e.entity_type, lang),
                "label": e.entity_label or (f"#{e.entity_id}" if e.entity_id else ""),
                "href": href if e.action != "delete" else None,
                "changes": change_lines(e.changes or {}, lang, e.entity_type, refs),
                "reason": e.reason or "",
                "ip": e.ip or "",
            }
        )
    return rows


@router.get("/audit")
def audit_page(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    principal.require(Action.AUDIT_READ)
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    raw = query_lists(request)
    error = None
    try:
        filters = audit.FILTERS.parse(raw)
    except Invalid as exc:
        filters, error = {}, exc.detail
    try:
        page_no = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page_no = 1
    q = (request.query_params.get("q") or "").strip() or None
    params = PageParams(page=page_no, size=50, q=q)
    page = audit.get_all(
        session=session,
        principal=principal,
        params=params,
        filters=local_day_bounds(filters, tz),
    )

    def value(name: str) -> str:
        return (raw.get(name) or [""])[0]

    actors = ref_options(session, principal, users) or []
    form = [
        FormField(
            "entity_type",
            t("Record type", lang),
            "select",
            value=value("entity_type"),
            options=[(k, pick(ENTITY_TYPES, k, lang)) for k in ENTITY_TYPES],
        ),
        FormField(
            "action",
            t("Action", lang),
            "select",
            value=value("action"),
            options=[(k, pick(ACTIONS, k, lang)) for k in ACTIONS],
        ),
        FormField("actor_id", t("Actor", lang), "select", value=value("actor_id"), options=actors),
        FormField("at_from", t("From", lang), "date", value=value("at_from")),
        FormField("at_to", t("To", lang), "date", value=value("at_to")),
    ]
    return render(
        request,
        "audit.html",
        principal=principal,
        filters=form,
        q=q or "",
        rows=entries_view(page.items, lang, tz, Refs(session, principal)),
        page=page,
        prev_href=with_query(request, page=page.page - 1) if page.page > 1 else None,
        next_href=with_query(request, page=page.page + 1) if page.page < page.pages else None,
        error=error,
    )
