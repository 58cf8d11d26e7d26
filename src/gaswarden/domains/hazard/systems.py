"""Enterprise rules and systems (规章制度): which of the required systems an enterprise has.

Every SystemKind is listed for every enterprise; one without a row reads as not recorded
(未登记). Regulators set the status for the enterprises in their area, an enterprise admin for
its own. "Improved" (已完善) means a missing system was put right: it needs the previous status
to be missing and records `improved_on`; the count of improved systems feeds the statistics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.enums import Role
from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.db.base import utcnow
from gaswarden.domains.audit import service as audit
from gaswarden.domains.hazard.enums import SystemKind, SystemStatus
from gaswarden.domains.hazard.models import EnterpriseSystem
from gaswarden.domains.hazard.service import DEFAULT_TZ, local_date
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.organization.service import service as organizations

ENTERPRISE_KINDS = tuple(k for k in OrgKind if k.is_enterprise)
_EDITORS = frozenset({Role.REGULATOR_ADMIN, Role.REGULATOR_STAFF, Role.ENTERPRISE_ADMIN})


@dataclass(frozen=True)
class SystemView:
    """One required system of one enterprise; `row` None: not recorded."""

    org_id: int
    kind: SystemKind
    row: EnterpriseSystem | None

    def as_dict(self) -> dict[str, Any]:
        r = self.row
        return {
            "id": r.id if r else None,
            "org_id": self.org_id,
            "kind": self.kind,
            "kind_zh": self.kind.zh,
            "kind_en": self.kind.en,
            "major": self.kind.major,
            "status": r.status if r else None,
            "document": r.document if r else None,
            "adopted_on": r.adopted_on if r else None,
            "improved_on": r.improved_on if r else None,
            "note": r.note if r else None,
            "updated_at": r.updated_at if r else None,
        }


def enterprises(
    *, session: Session, principal: Principal, org_id: int | None = None
) -> list[Organization]:
    """The gas enterprises in the caller's scope (one, when `org_id` is given)."""
    stmt = (
        select(Organization)
        .where(Organization.kind.in_(ENTERPRISE_KINDS), organizations.scope(principal))
        .order_by(Organization.name, Organization.id)
    )
    if org_id is not None:
        stmt = stmt.where(Organization.id == org_id)
    found = list(session.scalars(stmt).unique())
    if org_id is not None and not found:
        raise NotFound(f"enterprise {org_id} not found")
    return found


def for_enterprises(
    *, session: Session, principal: Principal, org_id: int | None = None
) -> list[tuple[Organization, list[SystemView]]]:
    """Every required system of each enterprise in scope, recorded or not."""
    orgs = enterprises(session=session, principal=principal, org_id=org_id)
    if not orgs:
        return []
    rows = session.scalars(
        select(EnterpriseSystem).where(EnterpriseSystem.org_id.in_([o.id for o in orgs]))
    ).unique()
    by_key = {(r.org_id, r.kind): r for r in rows}
    return [(o, [SystemView(o.id, k, by_key.get((o.id, k))) for k in SystemKind]) for o in orgs]


def put(
    *,
    session: Session,
    principal: Principal,
    org_id: int,
    kind: SystemKind,
    status: SystemStatus,
    document: str | None = None,
    adopted_on: date | None = None,
    improved_on: date | None = None,
    note: str | None = None,
    tz: str = DEFAULT_TZ,
) -> SystemView:
    """Record an enterprise's system as present, missing or improved (audited)."""
    (org,) = enterprises(session=session, principal=principal, org_id=org_id)
    if principal.scope_kind is not ScopeKind.ALL:
        if principal.role not in _EDITORS:
            raise Forbidden(f"role {principal.role} may not record enterprise systems")
        if principal.scope_kind is ScopeKind.ORG and org.id != principal.org_id:
            raise NotFound(f"enterprise {org_id} not found")
    row = session.scalars(
        select(EnterpriseSystem).where(
            EnterpriseSystem.org_id == org.id, EnterpriseSystem.kind == kind
        )
    ).first()
    before = row.status if row else None
    if status is SystemStatus.IMPROVED:
        if before is not SystemStatus.MISSING:
            was = before.value if before else "not recorded"
            raise Conflict(f"only a missing system can be improved (it is {was})")
        improved_on = improved_on or local_date(utcnow(), tz)
    elif improved_on is not None:
        raise Invalid(
            "improved_on: only for status improved",
            errors=[{"loc": ["body", "improved_on"], "msg": "only for status improved"}],
        )
    elif row is not None and row.improved_on is not None and status is SystemStatus.PRESENT:
        improved_on = row.improved_on  # an improved system confirmed present keeps its date
    changes: dict[str, list[Any]] = {}
    if row is None:
        row = EnterpriseSystem(org_id=org.id, kind=kind, org=org)
        session.add(row)
    new = {
        "status": status,
        "document": document if document is not None else row.document,
        "adopted_on": adopted_on if adopted_on is not None else row.adopted_on,
        "improved_on": improved_on,
        "note": note if note is not None else row.note,
    }
    for name, value in new.items():
        old = getattr(row, name, None)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
        setattr(row, name, value)
    session.flush()
    audit.record(
        session=session,
        principal=principal,
        action="enterprise_system_set",
        entity_type="enterprise_system",
        entity_id=row.id,
        entity_label=f"{org.name}: {kind.zh}",
        changes=changes,
        reason=note[:500] if note else None,
        owner_id=org.id,
        area_id=org.area_id,
    )
    return SystemView(org.id, kind, row)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, SystemStatus):
        return value.value
    return value


def improved_count(
    *,
    session: Session,
    principal: Principal,
    since: date | None = None,
    until: date | None = None,
    org_id: int | None = None,
) -> int:
    """Systems put right (已完善) at the enterprises in scope, optionally in a period."""
    stmt = (
        select(func.count())
        .select_from(EnterpriseSystem)
        .join(Organization, Organization.id == EnterpriseSystem.org_id)
        .where(EnterpriseSystem.status == SystemStatus.IMPROVED, organizations.scope(principal))
    )
    if since is not None:
        stmt = stmt.where(EnterpriseSystem.improved_on >= since)
    if until is not None:
        stmt = stmt.where(EnterpriseSystem.improved_on <= until)
    if org_id is not None:
        stmt = stmt.where(EnterpriseSystem.org_id == org_id)
    return session.scalar(stmt) or 0


# ---- fed by the management checklist ------------------------------------------------------------
def _set(
    session: Session, org_id: int, kind: SystemKind, status: SystemStatus, note: str, at: datetime
) -> None:
    from gaswarden.core.auth import SYSTEM

    put(
        session=session,
        principal=SYSTEM,
        org_id=org_id,
        kind=kind,
        status=status,
        improved_on=local_date(at) if status is SystemStatus.IMPROVED else None,
        note=note,
    )


def _status(session: Session, org_id: int, kind: SystemKind) -> SystemStatus | None:
    return session.scalar(
        select(EnterpriseSystem.status).where(
            EnterpriseSystem.org_id == org_id, EnterpriseSystem.kind == kind
        )
    )


def record_findings(
    session: Session,
    *,
    org_id: int | None,
    findings: list[tuple[str, bool]],
    ref: str,
    at: datetime,
) -> None:
    """An inspection of the enterprise's management: each item tied to a required system
    (`system_kind`, passed or failed) updates the register — a failure records the system
    missing, a pass records it present where nothing is recorded yet (a regulator's own entry
    is not overwritten by a pass)."""
    if org_id is None:
        return
    org = session.get(Organization, org_id)
    if org is None or not org.kind.is_enterprise:
        return
    for kind_value, passed in findings:
        kind = SystemKind(kind_value)
        now = _status(session, org_id, kind)
        if not passed and now is not SystemStatus.MISSING:
            _set(
                session,
                org_id,
                kind,
                SystemStatus.MISSING,
                f"检查发现缺失 Found missing: {ref}",
                at,
            )
        elif passed and now is None:
            _set(session, org_id, kind, SystemStatus.PRESENT, f"检查确认 Seen in place: {ref}", at)


def improved_by(
    session: Session, *, org_id: int | None, kind_value: str, ref: str, at: datetime
) -> None:
    """The hazard opened for a missing system is verified: the system is improved (已完善)."""
    if org_id is None:
        return
    kind = SystemKind(kind_value)
    if _status(session, org_id, kind) is SystemStatus.MISSING:
        _set(session, org_id, kind, SystemStatus.IMPROVED, f"隐患整改验收 Rectified: {ref}", at)
