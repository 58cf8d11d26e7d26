"""How an alarm looks on the pages: one row of the board (also sent over the live stream),
the counts per grade, and which closed-loop steps the caller may take now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.i18n import local_time
from gaswarden.domains.alarm.enums import OPEN_STAGES, AlarmCause, AlarmCondition, AlarmStage
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.alarm.scope import alarm_scope
from gaswarden.domains.alarm.service import HANDLERS, REVIEWERS
from gaswarden.ingestion.contract import METRICS
from gaswarden.rules.catalog import RULES
from gaswarden.rules.grades import Grade
from gaswarden.web.render import page_lang, templates

# Grades that sound and flash on the board when a new alarm arrives.
LOUD_GRADES = frozenset({Grade.RED, Grade.ORANGE})

# step -> (stages it may start from, roles allowed)
STEPS: dict[str, tuple[tuple[AlarmStage, ...], frozenset[Any]]] = {
    "acknowledge": ((AlarmStage.NEW,), HANDLERS),
    "assign": ((AlarmStage.NEW, AlarmStage.ACKNOWLEDGED, AlarmStage.ASSIGNED), HANDLERS),
    "on-site": ((AlarmStage.ACKNOWLEDGED, AlarmStage.ASSIGNED), HANDLERS),
    "resolve": ((AlarmStage.ACKNOWLEDGED, AlarmStage.ASSIGNED, AlarmStage.ON_SITE), HANDLERS),
    "close": ((AlarmStage.RESOLVED,), REVIEWERS),
    "reopen": ((AlarmStage.RESOLVED, AlarmStage.CLOSED), REVIEWERS),
}


def allowed_steps(principal: Principal, alarm: Alarm) -> list[str]:
    """The steps the service would accept from this caller now (it checks again)."""
    out = []
    for step, (stages, roles) in STEPS.items():
        if alarm.stage not in stages:
            continue
        if principal.scope_kind is ScopeKind.ALL or principal.role in roles:
            out.append(step)
    return out


def rule_label(rule: str, lang: str) -> str:
    definition = RULES.get(rule)
    return definition.label(lang) if definition is not None else rule


def value_text(alarm: Alarm) -> str:
    if alarm.last_value is None:
        return ""
    metric = METRICS.get(alarm.metric or "")
    unit = metric.unit if metric else ""
    return f"{alarm.last_value:g} {unit}".strip()


def duration_text(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    minutes, s = divmod(int(seconds), 60)
    hours, m = divmod(minutes, 60)
    return f"{hours}:{m:02d}:{s:02d}" if hours else f"{m}:{s:02d}"


def row_context(alarm: Alarm, principal: Principal, lang: str, tz: str) -> dict[str, Any]:
    device = alarm.device
    return {
        "id": alarm.id,
        "grade": alarm.grade,
        "grade_label": alarm.grade.label(lang),
        "stage": alarm.stage,
        "stage_label": alarm.stage.label(lang),
        "active": alarm.condition is AlarmCondition.ACTIVE,
        "condition_label": alarm.condition.label(lang),
        "open": alarm.stage in OPEN_STAGES,
        "rule": rule_label(alarm.rule, lang),
        "serial": device.serial,
        "device_id": device.id,
        "device_kind": alarm.device_kind.label(lang),
        "site": device.site_name or "",
        "site_id": alarm.site_id,
        "owner": device.owner_name or "",
        "value": value_text(alarm),
        "occurrences": alarm.occurrences,
        "raised": local_time(alarm.raised_at, tz),
        "steps": allowed_steps(principal, alarm),
        "overdue": alarm.ack_overdue or alarm.on_site_overdue,
    }


def render_row(
    request: Request, alarm: Alarm, principal: Principal, csrf: str, *, fresh: bool = False
) -> str:
    """One <tr> of the board, as the page renders it and as the stream sends it."""
    lang = page_lang(request)
    from gaswarden.core.i18n import t

    return templates.get_template("_alarm_row.html").render(
        a=row_context(alarm, principal, lang, request.app.state.settings.timezone),
        t=lambda m: t(m, lang),
        lang=lang,
        causes=AlarmCause.choices(lang),
        csrf_token=csrf,
        fresh=fresh,
    )


def grade_counts(session: Session, principal: Principal) -> dict[str, int]:
    """Open alarms (not yet resolved) per grade, in the caller's scope."""
    stmt = (
        select(Alarm.grade, func.count())
        .where(alarm_scope(principal), Alarm.stage.in_(OPEN_STAGES))
        .group_by(Alarm.grade)
    )
    counts = {g.value: 0 for g in Grade}
    for grade, n in session.execute(stmt):
        counts[grade.value] = n
    return counts


def timeline_rows(
    events: list[Any], lang: str, tz: str, names: dict[int, str]
) -> list[dict[str, Any]]:
    return [
        {
            "at": local_time(e.at, tz),
            "kind": e.kind.label(lang),
            "colour": e.kind.colour,
            "actor": e.actor_name,
            "grade": e.grade.label(lang) if e.grade else "",
            "stage": e.stage.label(lang) if e.stage else "",
            "value": "" if e.value is None else f"{e.value:g}",
            "note": e.note or "",
            "data": ", ".join(
                f"{k}: {names.get(v, v) if k.endswith('_id') else v}"
                for k, v in (e.data or {}).items()
                if v is not None
            ),
        }
        for e in events
    ]


def since(at: datetime | None, tz: str) -> str:
    return local_time(at, tz) if at else "—"
