"""The statistics page (/statistics: figures of a period, charts, tables with the daily safety
score, the self-inspection comparison, the monthly report's downloads) and the enterprise
systems page (/enterprise-systems: every required system per enterprise, set by who may).
Thin: the figures come from stats.py, score.py and comparison.py, the systems from systems.py,
all in the caller's scope."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.enums import Role
from gaswarden.core.errors import GasWardenError, Invalid
from gaswarden.core.i18n import local_time, t
from gaswarden.deps import SessionDep
from gaswarden.domains.hazard import comparison, score, stats, systems
from gaswarden.domains.hazard import web_view as hazard_view
from gaswarden.domains.hazard.enums import SystemKind, SystemStatus
from gaswarden.standards.hazards import SELF_INSPECTION_RATIO_FLAG
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.render import page_lang, render
from gaswarden.web.routing import WebPrincipal, WebRoute

router = APIRouter(route_class=WebRoute)

# The figure cards, in order: data-figure name, Chinese, English, kind of value.
FIGURES: tuple[tuple[str, str, str, str], ...] = (
    ("found", "发现隐患", "Hazards found", "count"),
    ("closed", "已销号", "Closed", "count"),
    ("open", "未销号", "Still open", "count"),
    ("overdue", "逾期未销号", "Overdue", "count"),
    ("rectification_rate", "整改率", "Rectification rate", "rate"),
    ("on_time_rate", "按期整改率", "On-time rate", "rate"),
    ("avg_days_to_close", "平均整改天数", "Average days to close", "days"),
    ("recurring", "重复出现", "Recurring", "count"),
    ("self_found", "企业自查发现", "Found by self-inspection", "count"),
    ("tasks_planned", "计划检查", "Inspections planned", "count"),
    ("tasks_done", "完成检查", "Inspections done", "count"),
    ("completion_rate", "检查完成率", "Completion rate", "rate"),
    ("systems_improved", "完善规章制度", "Systems improved", "count"),
)

# Page texts: id -> (中文, English).
TEXTS: dict[str, tuple[str, str]] = {
    "Statistics": ("隐患统计分析", "Hazard statistics"),
    "Period": ("统计期间", "Period"),
    "Month": ("月份", "Month"),
    "Since": ("起始日期", "Since"),
    "Until": ("截止日期", "Until"),
    "Area": ("区域(含下级)", "Area (and below)"),
    "Enterprise": ("企业", "Enterprise"),
    "All": ("全部", "All"),
    "Apply": ("统计", "Apply"),
    "Reset": ("重置", "Reset"),
    "Reference day": ("逾期判定日", "Reference day"),
    "Backlog at the end": ("期末未销号", "Open at the end"),
    "Closures in the period": ("本期销号", "Closures in the period"),
    "Major": ("重大", "Major"),
    "late": ("超期完成", "late"),
    "tasks overdue": ("逾期未检", "overdue"),
    "By month": ("按月趋势：发现与销号", "Per month: found and closed"),
    "By area": ("按区域：发现与销号", "Per area: found and closed"),
    "By category": ("按类别", "Per category"),
    "By source": ("按来源", "Per source"),
    "Found": ("发现", "Found"),
    "Closed": ("销号", "Closed"),
    "Open at month end": ("月末未销号", "Open at month end"),
    "Per enterprise": ("分企业统计与安全指数", "Per enterprise, with the safety score"),
    "Per area": ("分区域统计与安全指数", "Per area, with the safety score"),
    "Score": ("安全指数", "Safety score"),
    "Score day": ("安全指数日期", "Score of"),
    "Rect. rate": ("整改率", "Rect. rate"),
    "On time": ("按期率", "On time"),
    "Avg days": ("平均天数", "Avg days"),
    "Overdue": ("逾期", "Overdue"),
    "Open": ("未销号", "Open"),
    "Comparison": ("企业自查与检查发现对比", "Self-inspection against the inspectors"),
    "Comparison help": (
        "企业自查每次发现隐患数低于第三方/监管检查的{ratio}倍，或未自查而检查发现隐患的，标记为自查不实。",
        "Flagged where the enterprise finds fewer than {ratio}× the hazards per inspection that"
        " the agencies and regulators find, or did not inspect a site where they found some.",
    ),
    "Site": ("场站", "Site"),
    "Self inspections": ("自查次数", "Self-inspections"),
    "Self hazards": ("自查发现", "Found by self"),
    "Other inspections": ("检查次数", "Inspections"),
    "Other hazards": ("检查发现", "Found by inspectors"),
    "Ratio": ("比值", "Ratio"),
    "Flagged": ("自查不实", "Flagged"),
    "Enterprise total": ("企业合计", "Enterprise total"),
    "Nothing": ("无数据", "No data"),
    "Report": ("隐患排查治理月报", "Monthly hazard report"),
    "Download XLSX": ("下载 Excel", "Download XLSX"),
    "Download PDF": ("下载 PDF", "Download PDF"),
    "Score help": (
        "安全指数0–100：未销号重大隐患、一般隐患、逾期、重复出现及检查完成率扣分，算法见文档。",
        "Score 0–100: points off for open major and general hazards, overdue, recurring and"
        " undone inspections (docs/hazard-statistics.md).",
    ),
    "Enterprise systems": ("企业规章制度", "Enterprise rules and systems"),
    "Improved": ("已完善", "Improved"),
    "Improved total": ("已完善制度数", "Systems improved"),
    "System": ("制度", "System"),
    "Status": ("状态", "Status"),
    "Document": ("文件名称/文号", "Document"),
    "Adopted on": ("发布日期", "Adopted on"),
    "Improved on": ("完善日期", "Improved on"),
    "Note": ("备注", "Note"),
    "Not recorded": ("未登记", "Not recorded"),
    "Major criterion": ("重大隐患判定项", "Major-hazard criterion"),
    "Set": ("保存", "Save"),
    "Missing": ("缺失", "Missing"),
    "Saved": ("已保存", "Saved"),
    "No enterprises": ("无企业", "No enterprises"),
    "Filter": ("筛选", "Filter"),
}


def text(key: str, lang: str) -> str:
    pair = TEXTS.get(key)
    if pair is None:
        return t(key, lang)
    return pair[0] if lang == "zh" else pair[1]


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    lang = page_lang(request)
    return render(request, template, status_code, t=lambda m: text(m, lang), **context)


def _today(tz: str) -> date:
    return datetime.now(ZoneInfo(tz)).date()


# ---- formatting ---------------------------------------------------------------------------------
def fmt_rate(value: float | None) -> str:
    """0.875 -> "87.5%"; no base -> "—"."""
    return "—" if value is None else f"{value * 100:.1f}%"


def fmt_days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def figure_values(s: stats.Stats) -> dict[str, Any]:
    """The cards' raw values, by data-figure name."""
    c = s.totals
    return {
        "found": c.found,
        "closed": c.closed,
        "open": c.open,
        "overdue": c.overdue,
        "rectification_rate": c.rectification_rate,
        "on_time_rate": c.on_time_rate,
        "avg_days_to_close": c.avg_days_to_close,
        "recurring": c.recurring,
        "self_found": c.self_found,
        "tasks_planned": c.planned,
        "tasks_done": c.done,
        "completion_rate": c.completion_rate,
        "systems_improved": s.systems_improved,
    }


def shown(kind: str, value: Any) -> str:
    if kind == "rate":
        return fmt_rate(value)
    if kind == "days":
        return fmt_days(value)
    return str(value)


def score_class(value: float | None) -> str:
    if value is None:
        return ""
    return "good" if value >= 90 else "fair" if value >= 75 else "poor"


# ---- the period and the filters -----------------------------------------------------------------
def _int_param(request: Request, name: str) -> int | None:
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid(
            f"{name}: not a number", errors=[{"loc": ["query", name], "msg": "not a number"}]
        ) from None


def _date_param(request: Request, name: str) -> date | None:
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(
            f"{name}: not a date (YYYY-MM-DD)",
            errors=[{"loc": ["query", name], "msg": "YYYY-MM-DD"}],
        ) from None


def period_of(request: Request, tz: str) -> tuple[stats.Period, str | None]:
    """The month picked, or since/until, or this month; and the month for the report."""
    month = (request.query_params.get("month") or "").strip()
    since, until = _date_param(request, "since"), _date_param(request, "until")
    if month:
        return stats.Period.month(month, tz=tz), month
    if since is not None or until is not None:
        until = until or _today(tz)
        since = since or until.replace(day=1)
        period = stats.Period.of(since, until, tz=tz)
        same_month = since.replace(day=1) == until.replace(day=1)
        return period, until.strftime("%Y-%m") if same_month else None
    today = _today(tz)
    return stats.Period.month(today.strftime("%Y-%m"), tz=tz), today.strftime("%Y-%m")


def _leaf_rows(rows: list[stats.Row]) -> list[stats.Row]:
    """The areas with no child listed (usually the grids): the per-area chart's bars."""
    parents = {r.parent_id for r in rows}
    return [r for r in rows if r.key not in parents]


def chart_data(s: stats.Stats, lang: str) -> dict[str, Any]:
    def tx(key: str) -> str:
        return text(key, lang)

    def pairs(rows: list[stats.Row]) -> dict[str, Any]:
        return {
            "x": [r.label for r in rows],
            "found": [r.counts.found for r in rows],
            "closed": [r.counts.closed for r in rows],
        }

    return {
        "labels": {
            "found": tx("Found"),
            "closed": tx("Closed"),
            "open": tx("Open at month end"),
        },
        "months": {
            "x": [r.label for r in s.by_month],
            "found": [r.counts.found for r in s.by_month],
            "closed": [r.counts.closed_in_period for r in s.by_month],
            "open": [r.counts.open_total for r in s.by_month],
        },
        "areas": pairs(_leaf_rows(s.by_area)),
        "categories": pairs(s.by_category),
        "sources": {
            "labels": [r.label.split(" ")[0] if lang == "zh" else r.label for r in s.by_source],
            "values": [r.counts.found for r in s.by_source],
        },
    }


def _row_view(row: stats.Row, scored: score.Score | None) -> dict[str, Any]:
    c = row.counts
    return {
        "key": row.key,
        "label": row.label,
        "depth": row.depth,
        "level": row.level,
        "found": c.found,
        "closed": c.closed,
        "open_total": c.open_total,
        "overdue": c.overdue,
        "rectification_rate": fmt_rate(c.rectification_rate),
        "on_time_rate": fmt_rate(c.on_time_rate),
        "avg_days": fmt_days(c.avg_days_to_close),
        "score": scored.score if scored else None,
        "score_class": score_class(scored.score if scored else None),
    }


def _comparison_view(rows: list[comparison.Row]) -> list[dict[str, Any]]:
    def rate(v: float | None) -> str:
        return "—" if v is None else f"{v:.2f}"

    return [
        {
            "owner_id": r.owner_id,
            "owner": r.owner_name,
            "site_id": r.site_id,
            "site": r.site_name or "",
            "total": r.site_id is None,
            "self_inspections": r.self_inspections,
            "self_hazards": r.self_hazards,
            "self_rate": rate(r.self_rate),
            "other_inspections": r.other_inspections,
            "other_hazards": r.other_hazards,
            "other_rate": rate(r.other_rate),
            "ratio": "—" if r.ratio is None else f"{r.ratio:.2f}",
            "flagged": r.flagged,
        }
        for r in rows
    ]


@router.get("/statistics")
def statistics(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    error = None
    try:
        period, month = period_of(request, tz)
        area_id = _int_param(request, "area_id")
        owner_id = _int_param(request, "owner_id")
    except Invalid as exc:
        error = exc.detail
        today = _today(tz)
        month = today.strftime("%Y-%m")
        period, area_id, owner_id = stats.Period.month(month, tz=tz), None, None
    if principal.scope_kind is ScopeKind.ORG:
        owner_id = None  # an enterprise sees only itself: its scope says so already
    try:
        figures = stats.compute(
            session=session,
            principal=principal,
            period=period,
            area_id=area_id,
            owner_id=owner_id,
        )
    except Invalid as exc:  # e.g. a period of more than MAX_MONTHS months
        error = exc.detail
        month = _today(tz).strftime("%Y-%m")
        period, area_id, owner_id = stats.Period.month(month, tz=tz), None, None
        figures = stats.compute(session=session, principal=principal, period=period)
    scores = score.daily(
        session=session,
        principal=principal,
        day=period.ref_day,
        tz=tz,
        area_id=area_id,
        owner_id=owner_id,
    )
    by_org = {s.id: s for s in scores.enterprises}
    by_area = {s.id: s for s in scores.areas}
    values = figure_values(figures)
    cards = [
        {"name": name, "label": zh if lang == "zh" else en, "text": shown(kind, values[name])}
        for name, zh, en, kind in FIGURES
    ]
    compared = comparison.compare(
        session=session,
        principal=principal,
        since=period.since,
        until=period.until,
        owner_id=owner_id,
        tz=tz,
    )
    downloads: dict[str, str] = {}
    if month is not None:
        for fmt in ("xlsx", "pdf"):
            query: dict[str, Any] = {"month": month, "format": fmt}
            if area_id is not None:
                query["area_id"] = area_id
            downloads[fmt] = f"/api/v1/reports/hazards?{urlencode(query)}"
    raw = request.query_params
    return _page(
        request,
        "statistics/index.html",
        principal=principal,
        period=period,
        month=month or "",
        current={k: (raw.get(k) or "") for k in ("month", "since", "until")},
        area_id=str(area_id or ""),
        owner_id=str(owner_id or ""),
        areas=hazard_view.area_options(session, principal),
        enterprises=[]
        if principal.scope_kind is ScopeKind.ORG
        else hazard_view.enterprise_options(session, principal),
        cards=cards,
        totals=figures.totals,
        charts=chart_data(figures, lang),
        enterprise_rows=[_row_view(r, by_org.get(r.key)) for r in figures.by_enterprise],
        area_rows=[_row_view(r, by_area.get(r.key)) for r in figures.by_area],
        comparison=_comparison_view(compared),
        ratio_flag=SELF_INSPECTION_RATIO_FLAG,
        downloads=downloads,
        score_day=scores.day.isoformat(),
        error=error,
    )


# ---- enterprise systems -------------------------------------------------------------------------
_EDITORS = frozenset({Role.REGULATOR_ADMIN, Role.REGULATOR_STAFF, Role.ENTERPRISE_ADMIN})


def may_set_systems(principal: Principal) -> bool:
    """Who may record a system's status (systems.put checks again)."""
    return principal.scope_kind is ScopeKind.ALL or principal.role in _EDITORS


def _systems_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    *,
    error: str | None = None,
    failed: str | None = None,
    status: int = 200,
) -> Response:
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    org_id: int | None = None
    raw = (request.query_params.get("org_id") or "").strip()
    if raw.isdigit():
        org_id = int(raw)
    listed = systems.for_enterprises(session=session, principal=principal, org_id=org_id)
    enterprises = []
    for org, views in listed:
        rows = []
        for v in views:
            r = v.row
            rows.append(
                {
                    "kind": v.kind.value,
                    "kind_label": v.kind.label(lang),
                    "major": v.kind.major,
                    "status": r.status if r else None,
                    "document": (r.document or "") if r else "",
                    "adopted_on": r.adopted_on.isoformat() if r and r.adopted_on else "",
                    "improved_on": r.improved_on.isoformat() if r and r.improved_on else "",
                    "note": (r.note or "") if r else "",
                    "updated": local_time(r.updated_at, tz) if r and r.updated_at else "",
                }
            )
        counts = {s.value: sum(1 for x in rows if x["status"] is s) for s in SystemStatus}
        enterprises.append(
            {
                "id": org.id,
                "name": org.name,
                "rows": rows,
                "counts": counts,
                "unrecorded": sum(1 for x in rows if x["status"] is None),
            }
        )
    improved = systems.improved_count(session=session, principal=principal, org_id=org_id)
    options = (
        []
        if principal.scope_kind is ScopeKind.ORG
        else [
            (str(o.id), o.name) for o in systems.enterprises(session=session, principal=principal)
        ]
    )
    return _page(
        request,
        "statistics/systems.html",
        status_code=status,
        principal=principal,
        enterprises=enterprises,
        options=options,
        org_id=str(org_id or ""),
        improved=improved,
        statuses=SystemStatus.choices(lang),
        may_edit=may_set_systems(principal),
        error=error,
        failed=failed,
        done=request.query_params.get("done"),
    )


@router.get("/enterprise-systems")
def systems_page(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    return _systems_page(request, session, principal)


def _opt_text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return (value.strip() or None) if isinstance(value, str) else None


def _opt_date(form: FormData, name: str) -> date | None:
    value = _opt_text(form, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(
            f"{name}: not a date", errors=[{"loc": ["body", name], "msg": "YYYY-MM-DD"}]
        ) from None


@router.post("/enterprise-systems/{org_id}/{kind}")
def set_system(
    org_id: int,
    kind: str,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    form: CsrfForm,
) -> Response:
    tz = request.app.state.settings.timezone
    try:
        try:
            which = SystemKind(kind)
        except ValueError:
            raise Invalid(f"unknown system {kind}") from None
        try:
            status = SystemStatus(_opt_text(form, "status") or "")
        except ValueError:
            raise Invalid(
                "status: required", errors=[{"loc": ["body", "status"], "msg": "required"}]
            ) from None
        systems.put(
            session=session,
            principal=principal,
            org_id=org_id,
            kind=which,
            status=status,
            document=_opt_text(form, "document"),
            adopted_on=_opt_date(form, "adopted_on"),
            note=_opt_text(form, "note"),
            tz=tz,
        )
    except GasWardenError as exc:
        session.rollback()
        lang = page_lang(request)
        title = exc.title_zh if lang == "zh" else exc.title
        return _systems_page(
            request,
            session,
            principal,
            error=f"{title}: {exc.detail}",
            failed=f"{org_id}:{kind}",
            status=exc.status_code,
        )
    back = (request.query_params.get("org_id") or "").strip()
    query = urlencode({"org_id": back, "done": "1"} if back else {"done": "1"})
    return RedirectResponse(f"/enterprise-systems?{query}#org-{org_id}", status_code=303)
