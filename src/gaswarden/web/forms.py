"""Form fields built from a domain's input schema, and the posted form parsed back into the
dict the service validates. The schema stays the one place that says what is valid."""

from __future__ import annotations

import json
import types
import typing
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from gaswarden.core.auth import Principal
from gaswarden.core.crud import CrudService
from gaswarden.core.enums import LabeledEnum
from gaswarden.core.i18n import field_label, t
from gaswarden.core.protect import mask_for
from gaswarden.db.types import ProtectedText
from gaswarden.domains.area.enums import AreaLevel
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.web.present import MULTI_REFS

OPTION_LIMIT = 500  # beyond this many records a reference is typed as an id
LANG_CHOICES = {"zh": "中文", "en": "English"}


@dataclass
class FormField:
    name: str
    label: str
    widget: str  # text textarea number date select multiselect password protected json
    required: bool = False
    value: Any = ""  # str, or list[str] for a multiselect
    options: list[tuple[str, str]] = field(default_factory=list)
    placeholder: str = ""
    error: str | None = None
    nullable: bool = True


def _unwrap(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _is_protected(service: CrudService[Any], name: str) -> bool:
    column = service.model.__table__.c.get(name)
    return column is not None and isinstance(column.type, ProtectedText)


def _nullable(service: CrudService[Any], name: str) -> bool:
    column = service.model.__table__.c.get(name)
    return column is None or bool(column.nullable)


def prefill(value: Any) -> Any:
    """A current value as the form shows it; comparing with this tells what the user changed."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value)


# Reference fields whose choices are narrower than every visible record of their kind.
REF_FILTERS: dict[str, dict[str, Any]] = {"agency_id": {"kind": [OrgKind.AGENCY]}}


def ref_options(
    session: Session, principal: Principal, service: CrudService[Any], **filters: Any
) -> list[tuple[str, str]] | None:
    """(id, name) of the records the caller can see, or None when there are too many."""
    stmt = service.filtered(principal, filters)
    count = session.scalar(
        select(func.count()).select_from(stmt.with_only_columns(service.model.id).subquery())
    )
    if (count or 0) > OPTION_LIMIT:
        return None  # counted first: never load thousands of records for one select box
    rows = session.scalars(service.filters.order(stmt, None, service.model.id)).unique()
    return [(str(r.id), service.label(r)) for r in rows]


def build_fields(
    schema: type[BaseModel],
    service: CrudService[Any],
    *,
    session: Session,
    principal: Principal,
    lang: str,
    current: Any = None,
) -> list[FormField]:
    references = service.references()
    fields: list[FormField] = []
    for name, info in schema.model_fields.items():
        base = _unwrap(info.annotation)
        f = FormField(
            name=name,
            label=field_label(name, lang),
            widget="text",
            required=info.is_required() and current is None,
            nullable=_nullable(service, name),
        )
        if current is not None and hasattr(current, name):
            f.value = prefill(getattr(current, name))
        elif current is None and not info.is_required() and info.default not in (None, ...):
            f.value = prefill(info.default) if not callable(info.default) else ""
        if name == "password":
            f.widget = "password"
            f.value = ""
            if current is not None:
                f.placeholder = t("Leave empty to keep the current value", lang)
        elif _is_protected(service, name):
            f.widget = "protected"
            if current is not None:
                masked = mask_for(name, getattr(current, name, None))
                f.placeholder = (
                    f"{masked or ''}  {t('Leave empty to keep the current value', lang)}"
                )
            f.value = ""
        elif name in MULTI_REFS:
            f.widget = "multiselect"
            extra = {"level": [AreaLevel.TOWN, AreaLevel.GRID]} if name == "grid_ids" else {}
            f.options = ref_options(session, principal, MULTI_REFS[name], **extra) or []
            f.value = f.value or []
        elif name in references:
            options = ref_options(session, principal, references[name], **REF_FILTERS.get(name, {}))
            if options is None:
                f.widget = "number"
            else:
                f.widget = "select"
                f.options = options
        elif isinstance(base, type) and issubclass(base, LabeledEnum):
            f.widget = "select"
            f.options = base.choices(lang)
        elif typing.get_origin(base) is typing.Literal:
            f.widget = "select"
            f.options = [(str(a), LANG_CHOICES.get(str(a), str(a))) for a in typing.get_args(base)]
        elif base is bool:
            f.widget = "select"
            f.options = [("true", t("Yes", lang)), ("false", t("No", lang))]
        elif base is date:
            f.widget = "date"
        elif base in (int, float):
            f.widget = "number"
        elif typing.get_origin(base) is dict or base is dict:
            f.widget = "json"
        elif any(getattr(m, "max_length", 0) and m.max_length >= 500 for m in info.metadata):
            f.widget = "textarea"
        fields.append(f)
    return fields


def parse_form(
    fields: list[FormField], form: FormData, *, editing: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """The submitted values as service input, and field errors found before the service.

    Creating: empty fields are left out (the schema's default applies). Editing: only the
    fields the user changed are sent, and an emptied field is sent as null (cleared).
    Passwords and protected personal data are never shown, so empty means "keep". A
    multiselect posts a hidden empty value too, so that choosing nothing still arrives.
    """
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in fields:
        if f.name not in form:
            continue  # not on the form that was posted: leave it alone
        if f.widget == "multiselect":
            values = [v for v in form.getlist(f.name) if isinstance(v, str) and v]
            if editing and sorted(values) == sorted(f.value):
                continue
            f.value = values
            if values or editing:
                data[f.name] = [int(v) for v in values if v.isdigit()]
            continue
        raw = form.get(f.name)
        text = raw.strip() if isinstance(raw, str) else ""
        if f.widget in ("password", "protected"):
            if text:
                data[f.name] = text
            continue
        if editing and text == (f.value if isinstance(f.value, str) else ""):
            continue
        f.value = text
        if text == "":
            if editing:
                if not f.nullable:
                    errors[f.name] = "required"
                    continue
                data[f.name] = None
            continue
        if f.widget == "json":
            try:
                data[f.name] = json.loads(text)
            except ValueError as exc:
                errors[f.name] = f"not valid JSON: {exc}"
            continue
        data[f.name] = text
    return data, errors


def refill(fields: list[FormField], form: FormData | None) -> list[FormField]:
    """The fields holding what was posted (stripped), to show a refused form again."""
    if form is not None:
        for f in fields:
            value = form.get(f.name)
            if isinstance(value, str):
                f.value = value.strip()
    return fields
