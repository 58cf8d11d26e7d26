"""How hazards look on the pages: a list row, the counts at the top, the detail's timeline,
rounds and photos, the filter and form choices, and the map's points. Reads go through the
hazard service (and so the caller's scope); nothing here changes a record."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.i18n import local_time, t
from gaswarden.core.pagination import PageParams
from gaswarden.domains.area.models import Area
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.attachment.links import attached
from gaswarden.domains.hazard import service
from gaswarden.domains.hazard.enums import (
    OPEN_STATUSES,
    HazardEventKind,
    HazardSource,
    HazardStatus,
)
from gaswarden.domains.hazard.models import Hazard, HazardEvent, Rectification
from gaswarden.domains.hazard.scope import hazard_scope
from gaswarden.domains.hazard.workflow import Step, allowed_steps
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.service import service as sites
from gaswarden.standards.hazards import HazardGrade
from gaswarden.web.forms import OPTION_LIMIT, ref_options

ENTERPRISE_KINDS = [k for k in OrgKind if k.is_enterprise]
MAP_LIMIT = 2000  # open hazards drawn on the map at most (in pages of 500, the service's maximum)

# Grade colours on the map (the same values as the badge CSS classes).
GRADE_COLOURS = {HazardGrade.MAJOR.value: "#d64545", HazardGrade.GENERAL.value: "#d9a21b"}
# Marker shape per status on the map: what is waiting on whom.
STATUS_SYMBOLS = {
    HazardStatus.REPORTED.value: "circle",
    HazardStatus.ASSIGNED.value: "square",
    HazardStatus.RECTIFYING.value: "diamond",
    HazardStatus.SUBMITTED.value: "triangle-up",
}


# English for the hazard pages' keyed messages ("hz:..." ids, whose Chinese is in core/i18n.ZH);
# any other "hz:" id reads as itself without the prefix in English.
EN: dict[str, str] = {
    "hz:step:assign": "Assign",
    "hz:step:plan": "Rectification plan",
    "hz:step:start": "Start rectifying",
    "hz:step:submit": "Submit rectification",
    "hz:step:verify": "Verify and close",
    "hz:step:return": "Send back",
    "hz:step:reopen": "Reopen",
    "hz:step:deadline": "Change the deadline",
    "hz:step:comment": "Comment",
    "hz:reason:return": "Why it is sent back",
    "hz:reason:reopen": "Why it is reopened",
    "hz:reason:deadline": "Why the deadline changes",
    "hz:reason:comment": "Comment",
    "hz:sort:-found_at": "Newest found first",
    "hz:sort:deadline": "Deadline, earliest first",
    "hz:sort:-deadline": "Deadline, latest first",
    "hz:sort:grade": "Grade",
    "hz:sort:status": "Status",
    "hz:data:source": "source",
    "hz:data:grade": "grade",
    "hz:data:org_id": "enterprise",
    "hz:data:round": "round",
    "hz:data:deadline": "deadline",
    "hz:data:funds_yuan": "funds (yuan)",
    "hz:data:on_time": "on time",
    "hz:data:recurring_of": "recurs",
    "hz:help:new": (
        "Name the site; for a place that is not registered (an unlicensed operator), name the"
        " area and the address."
    ),
}


def text(message: str, lang: str) -> str:
    """t() for the hazard pages: Chinese from core/i18n, English without the "hz:" prefix."""
    if lang == "zh" or not message.startswith("hz:"):
        return t(message, lang)
    return EN.get(message, message[3:])


def steps_for(principal: Principal, hazard: Hazard) -> list[Step]:
    """The steps the caller may take on the hazard now (the service checks again)."""
    if principal.scope_kind is ScopeKind.ALL:
        return allowed_steps(hazard.status, hazard.grade, None)
    if principal.role is None:
        return []
    return allowed_steps(hazard.status, hazard.grade, principal.role)


def is_late(hazard: Hazard, today: date) -> bool:
    """Overdue: flagged by the escalation, or open with its deadline passed."""
    return hazard.overdue or (hazard.is_open and hazard.deadline < today)


def row(hazard: Hazard, lang: str, tz: str, today: date) -> dict[str, Any]:
    return {
        "id": hazard.id,
        "code": hazard.code,
        "title": hazard.title,
        "grade": hazard.grade,
        "status": hazard.status,
        "source": hazard.source,
        "category": hazard.category,
        "site": hazard.site_name or "",
        "site_id": hazard.site_id,
        "address": hazard.address or "",
        "owner": hazard.owner_name or "",
        "owner_id": hazard.owner_id,
        "area": hazard.area.name if hazard.area else "",
        "found": local_time(hazard.found_at, tz, "%Y-%m-%d"),
        "deadline": hazard.deadline.isoformat(),
        "late": is_late(hazard, today),
        "recurring": hazard.recurring,
        "returns": hazard.returns,
        "open": hazard.is_open,
    }


def _total(session: Session, principal: Principal, filters: dict[str, Any]) -> int:
    page = service.get_all(
        session=session, principal=principal, params=PageParams(size=1), filters=filters
    )
    return page.total


def counts(session: Session, principal: Principal) -> dict[str, int]:
    """Open, overdue (open and flagged) and major open hazards in the caller's scope."""
    open_ = {"status": sorted(OPEN_STATUSES, key=list(HazardStatus).index)}
    return {
        "open": _total(session, principal, open_),
        "overdue": _total(session, principal, {**open_, "overdue": True}),
        "major": _total(session, principal, {**open_, "grade": [HazardGrade.MAJOR]}),
    }


# ---- choices ------------------------------------------------------------------------------------
def area_options(session: Session, principal: Principal) -> list[tuple[str, str]]:
    """The areas in scope as an indented tree (choosing one takes in everything under it)."""
    stmt = areas.filtered(principal, {}).order_by(Area.path).limit(OPTION_LIMIT)
    return [
        (str(a.id), "\u3000" * max(0, a.path.count("/") - 2) + a.name)
        for a in session.scalars(stmt)
    ]


def enterprise_options(session: Session, principal: Principal) -> list[tuple[str, str]]:
    return ref_options(session, principal, organizations, kind=ENTERPRISE_KINDS) or []


def site_options(session: Session, principal: Principal) -> list[tuple[str, str]]:
    return ref_options(session, principal, sites) or []


def categories(session: Session, principal: Principal) -> list[str]:
    """The categories already used by hazards in scope (suggestions for the free-text field)."""
    stmt = (
        select(Hazard.category)
        .where(hazard_scope(principal))
        .distinct()
        .order_by(Hazard.category)
        .limit(OPTION_LIMIT)
    )
    return [c for c in session.scalars(stmt) if c]


# ---- the detail ---------------------------------------------------------------------------------
def _org_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    stmt = select(Organization.id, Organization.name).where(Organization.id.in_(ids))
    return {oid: name for oid, name in session.execute(stmt)}


DATA_KEYS = ("source", "grade", "org_id", "round", "deadline", "funds_yuan", "on_time")


def _data_text(data: dict[str, Any], lang: str, names: dict[int, str]) -> str:
    parts = []
    for key, value in data.items():
        if value is None:
            continue
        if key == "org_id":
            value = names.get(value, value)
        elif key == "grade":
            value = HazardGrade(value).label(lang) if value in set(HazardGrade) else value
        elif key == "source":
            value = HazardSource(value).label(lang) if value in set(HazardSource) else value
        elif key == "on_time":
            value = t("Yes", lang) if value else t("No", lang)
        label = text(f"hz:data:{key}", lang)
        parts.append(f"{label if not label.startswith('hz:') else key}: {value}")
    return ", ".join(parts)


def timeline_rows(
    session: Session, events: list[HazardEvent], lang: str, tz: str
) -> list[dict[str, Any]]:
    """Every step: who, when, from which status to which, and why."""
    ids = {v for e in events for k, v in (e.data or {}).items() if k == "org_id" and v}
    names = _org_names(session, {int(i) for i in ids})
    return [
        {
            "at": local_time(e.at, tz),
            "kind": e.kind.label(lang),
            "kind_value": e.kind.value,
            "colour": e.kind.colour,
            "actor": e.actor_name,
            "from": e.from_status.label(lang) if e.from_status else "",
            "to": e.to_status.label(lang) if e.to_status else "",
            "moved": e.from_status is not None and e.from_status is not e.to_status,
            "note": e.note or "",
            "data": _data_text(e.data or {}, lang, names),
            "returned": e.kind is HazardEventKind.RETURNED,
        }
        for e in events
    ]


def photos(session: Session, hazard: Hazard, rounds: list[Rectification]) -> dict[str, Any]:
    """The finding's photos and each rectification round's, as attachment ids and names."""
    finding = [(a.id, a.filename) for a in attached(session, "hazard", [hazard.id])]
    by_round: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for a in attached(session, "rectification", [r.id for r in rounds]):
        if a.entity_id is not None:
            by_round[a.entity_id].append((a.id, a.filename))
    return {"finding": finding, "rounds": dict(by_round)}


def round_rows(rounds: list[Rectification], lang: str, tz: str) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "round": r.round,
            "description": r.description,
            "submitted": local_time(r.submitted_at, tz),
            "by": r.submitted_by_name,
            "verdict": r.verdict,
            "verdict_label": r.verdict.label(lang)
            if r.verdict
            else text("hz:Awaiting verdict", lang),
            "verdict_colour": r.verdict.colour if r.verdict else "blue",
            "verdict_note": r.verdict_note or "",
            "verified": local_time(r.verified_at, tz) if r.verified_at else "",
            "verified_by": r.verified_by_name or "",
        }
        for r in rounds
    ]


# ---- the map ------------------------------------------------------------------------------------
def map_points(
    session: Session, principal: Principal, lang: str, tz: str, grade: HazardGrade | None
) -> list[dict[str, Any]]:
    """Open hazards with a position, one layer per grade (major first), in the caller's scope."""
    filters: dict[str, Any] = {"status": sorted(OPEN_STATUSES, key=list(HazardStatus).index)}
    if grade is not None:
        filters["grade"] = [grade]
    hazards: list[Hazard] = []
    page_no = 1
    while len(hazards) < MAP_LIMIT:
        page = service.get_all(
            session=session,
            principal=principal,
            params=PageParams(page=page_no, size=500, sort="-found_at"),
            filters=filters,
        )
        hazards += page.items
        if page_no >= page.pages:
            break
        page_no += 1
    layers: dict[HazardGrade, dict[str, Any]] = {}
    for h in hazards:
        if h.lon is None or h.lat is None:
            continue
        layer = layers.setdefault(
            h.grade,
            {
                "name": h.grade.label(lang),
                "grade": h.grade.value,
                "colour": GRADE_COLOURS[h.grade.value],
                "x": [],
                "y": [],
                "text": [],
                "url": [],
                "symbols": [],
            },
        )
        layer["x"].append(h.lon)
        layer["y"].append(h.lat)
        where = h.site_name or h.address or ""
        layer["text"].append(
            f"{h.code} {h.title}<br>{h.status.label(lang)} · {where}"
            f"<br>{text('hz:Deadline', lang)} {h.deadline.isoformat()}"
        )
        layer["url"].append(f"/hazards/{h.id}")
        layer["symbols"].append(STATUS_SYMBOLS.get(h.status.value, "circle"))
    return [layers[g] for g in HazardGrade if g in layers]
