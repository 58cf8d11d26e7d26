"""Writing and reading the audit log. Services call `record` for every write."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, inspect, select, true
from sqlalchemy.orm import Session

from gaswarden.core.auth import Action, Principal, ScopeKind
from gaswarden.core.filters import Filter, FilterSet, date_range
from gaswarden.core.pagination import Page, PageParams
from gaswarden.core.protect import mask_for
from gaswarden.core.scope import areas_under
from gaswarden.db.types import ProtectedText
from gaswarden.domains.audit.models import AuditEntry

SECRET_COLUMNS = frozenset({"password_hash", "token_digest", "digest", "id_number_digest"})


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(obj: Any) -> dict[str, Any]:
    """Column values of an ORM object, JSON-safe; protected values masked, secrets dropped."""
    out: dict[str, Any] = {}
    mapper = inspect(type(obj))
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        if attr.key in SECRET_COLUMNS or attr.key in ("created_at", "updated_at"):
            continue
        value = getattr(obj, attr.key)
        if isinstance(column.type, ProtectedText) and value:
            value = mask_for(attr.key, str(value))
        out[attr.key] = _jsonable(value)
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def record(
    *,
    session: Session,
    principal: Principal,
    action: str,
    entity_type: str,
    entity_id: int | None,
    entity_label: str | None = None,
    changes: dict[str, list[Any]] | None = None,
    reason: str | None = None,
    owner_id: int | None = None,
    area_id: int | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=principal.user_id,
        actor_name=principal.username,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        entity_label=(entity_label or "")[:200] or None,
        owner_id=owner_id,
        area_id=area_id,
        changes=changes or {},
        reason=reason,
        ip=principal.ip,
    )
    session.add(entry)
    return entry


FILTERS = FilterSet(
    filters=(
        Filter("entity_type", AuditEntry.entity_type, zh="对象类型", en="Record type"),
        Filter("entity_id", AuditEntry.entity_id, type=int, zh="对象编号", en="Record id"),
        Filter("action", AuditEntry.action, zh="操作", en="Action"),
        Filter("actor_id", AuditEntry.actor_id, type=int, zh="操作人", en="Actor"),
        *date_range("at", AuditEntry.at, "时间", "Time"),
    ),
    search=(AuditEntry.entity_label, AuditEntry.actor_name, AuditEntry.reason),
    sort={"at": AuditEntry.at},
    default_sort=("-at",),
)


def scope(principal: Principal) -> ColumnElement[bool]:
    """Regulators read the audit log of their area; an enterprise admin their own records."""
    if principal.scope_kind is ScopeKind.ALL:
        return true()
    if principal.scope_kind is ScopeKind.AREA:
        return AuditEntry.area_id.in_(areas_under(principal.area_paths)) | (
            AuditEntry.area_id.is_(None) & AuditEntry.owner_id.is_(None)
        )
    return AuditEntry.owner_id == principal.org_id


def get_all(
    *, session: Session, principal: Principal, params: PageParams, filters: dict[str, Any]
) -> Page[AuditEntry]:
    principal.require(Action.AUDIT_READ)
    stmt: Select[Any] = select(AuditEntry).where(scope(principal))
    stmt = FILTERS.apply(stmt, filters, params.q)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = FILTERS.order(stmt, params.sort, AuditEntry.id)
    items = list(session.scalars(stmt.offset(params.offset).limit(params.size)))
    return Page(items=items, total=total, page=params.page, size=params.size)
