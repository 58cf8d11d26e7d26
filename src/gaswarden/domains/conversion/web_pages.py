"""What the conversion pages share: paths, the page texts, the choices of grids and companies,
the applicant's fields and who may enter an application at the counter."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Forbidden
from gaswarden.domains.area.enums import AreaLevel
from gaswarden.domains.area.models import Area
from gaswarden.domains.conversion import applications
from gaswarden.domains.conversion import web_view as view
from gaswarden.domains.conversion.enums import (
    HouseholdKind,
)
from gaswarden.domains.conversion.workflow import may_write
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.web.form_values import choice as _enum
from gaswarden.web.form_values import integer as _int
from gaswarden.web.form_values import text as _text
from gaswarden.web.forms import FormField
from gaswarden.web.render import page_lang, render

BASE = "/conversions"
PUBLIC = "/apply/conversion"
PRICE_ACTIONS = ("table", "activate", "package", "toggle")
TRAP = "website"  # hidden from people; a bot that fills every field gives itself away
FILTER_NAMES = (
    "status",
    "channel",
    "household_kind",
    "refusal_reason",
    "area_id",
    "applied_from",
    "applied_to",
)


def render_page(
    request: Request, template: str, status_code: int = 200, **context: Any
) -> Response:
    lang = page_lang(request)
    return render(request, template, status_code, t=lambda m: view.text(m, lang), **context)


def grid_options(session: Session) -> list[tuple[str, str]]:
    """Every grid as "town · grid" (public names: the residents' form lists them)."""
    town = {a.id: a.name for a in session.scalars(select(Area).where(Area.level == AreaLevel.TOWN))}
    grids = session.scalars(
        select(Area).where(Area.level == AreaLevel.GRID).order_by(Area.code)
    ).all()
    return [(str(g.id), f"{town.get(g.parent_id or 0, '')} · {g.name}") for g in grids]


def company_options(session: Session) -> list[tuple[str, str]]:
    return [(str(o.id), o.name) for o in applications.pipeline_companies(session)]


def may_enter(session: Session, principal: Principal) -> bool:
    """Counter entry is the pipeline company's: its staff, for their own company."""
    if principal.org_id is None or not may_write(principal, principal.org_id):
        return False
    kind = session.scalar(select(Organization.kind).where(Organization.id == principal.org_id))
    return kind is OrgKind.PIPELINE


def require_enter(session: Session, principal: Principal) -> None:
    if not may_enter(session, principal):
        raise Forbidden("counter entry is for the pipeline company's staff 仅限管道燃气企业受理")


def applicant_fields(session: Session, lang: str) -> list[FormField]:
    tx = view.text
    fields = [
        FormField("applicant_name", tx("Applicant", lang), "text", True),
        FormField("applicant_phone", tx("Phone", lang), "text", True),
        FormField("applicant_id_number", tx("ID number", lang), "text"),
        FormField(
            "household_kind",
            tx("Household kind", lang),
            "select",
            True,
            HouseholdKind.RESIDENTIAL.value,
        ),
        FormField("owner_id", tx("Company", lang), "select", True),
        FormField("area_id", tx("Grid", lang), "select", True),
        FormField("village", tx("Village", lang), "text"),
        FormField("address", tx("Address", lang), "text", True),
    ]
    by = {f.name: f for f in fields}
    by["household_kind"].options = HouseholdKind.choices(lang)
    by["owner_id"].options = company_options(session)
    if len(by["owner_id"].options) == 1:
        by["owner_id"].value = by["owner_id"].options[0][0]
    by["area_id"].options = grid_options(session)
    return fields


def apply_kwargs(form: FormData) -> dict[str, Any]:
    return {
        "applicant_name": _text(form, "applicant_name") or "",
        "applicant_phone": _text(form, "applicant_phone"),
        "applicant_id_number": _text(form, "applicant_id_number"),
        "household_kind": _enum(form, "household_kind", HouseholdKind),
        "owner_id": _int(form, "owner_id"),
        "area_id": _int(form, "area_id"),
        "village": _text(form, "village"),
        "address": _text(form, "address"),
        "note": _text(form, "note"),
    }
