"""Anomalies of the chain: the list (in the caller's scope) and the review of one, by a
regulator or by the admin of the enterprise that must explain it. The API and the web pages
call these same functions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.enums import Role
from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.core.pagination import Page
from gaswarden.domains.audit import service as audit
from gaswarden.domains.cylinder.enums import AnomalyKind
from gaswarden.domains.cylinder.models import CylinderAnomaly
from gaswarden.domains.cylinder.scope import anomaly_scope


def list_anomalies(
    *,
    session: Session,
    principal: Principal,
    kind: AnomalyKind | None = None,
    reviewed: bool | None = None,
    cylinder_id: int | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[CylinderAnomaly]:
    """Newest first."""
    stmt = select(CylinderAnomaly).where(anomaly_scope(principal))
    if kind is not None:
        stmt = stmt.where(CylinderAnomaly.kind == kind)
    if reviewed is not None:
        stmt = stmt.where(CylinderAnomaly.reviewed.is_(reviewed))
    if cylinder_id is not None:
        stmt = stmt.where(CylinderAnomaly.cylinder_id == cylinder_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = stmt.order_by(CylinderAnomaly.found_at.desc(), CylinderAnomaly.id.desc())
    items = list(session.scalars(stmt.offset((page - 1) * size).limit(size)).unique())
    return Page(items=items, total=total, page=page, size=size)


def get(*, session: Session, principal: Principal, id: int) -> CylinderAnomaly:
    found = session.scalars(
        select(CylinderAnomaly).where(CylinderAnomaly.id == id, anomaly_scope(principal))
    ).first()
    if found is None:
        raise NotFound(f"cylinder anomaly {id} not found")
    return found


def may_review(principal: Principal, anomaly: CylinderAnomaly) -> bool:
    if principal.scope_kind is ScopeKind.ALL or principal.is_regulator:
        return True
    return principal.role is Role.ENTERPRISE_ADMIN and principal.org_id == anomaly.owner_id


def review(*, session: Session, principal: Principal, id: int, note: str) -> CylinderAnomaly:
    """Mark an anomaly as looked at, with what was found (audited)."""
    anomaly = get(session=session, principal=principal, id=id)
    if not may_review(principal, anomaly):
        raise Forbidden("only a regulator or the enterprise's admin reviews an anomaly")
    if anomaly.reviewed:
        raise Conflict(f"cylinder anomaly {id} has been reviewed already")
    note = (note or "").strip()
    if not note:
        raise Invalid(
            "note: say what was found", errors=[{"loc": ["body", "note"], "msg": "required"}]
        )
    changes: dict[str, list[Any]] = {"reviewed": [False, True], "review_note": [None, note]}
    anomaly.reviewed, anomaly.review_note = True, note[:1000]
    anomaly.reviewed_by_name = principal.username
    session.flush()
    audit.record(
        session=session,
        principal=principal,
        action="review",
        entity_type="cylinder_anomaly",
        entity_id=anomaly.id,
        entity_label=f"{anomaly.kind.zh} {anomaly.tag_code or ''}",
        changes=changes,
        owner_id=anomaly.owner_id,
        area_id=anomaly.area_id,
    )
    session.flush()
    return anomaly
