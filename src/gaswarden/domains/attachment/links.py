"""Linking uploaded files to the record that uses them (an inspection result, a hazard, a
rectification, a case). Uploads are checked and stored by attachment.service."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.errors import Invalid
from gaswarden.domains.attachment.models import Attachment


def link(
    session: Session,
    principal: Principal,
    ids: Sequence[int],
    *,
    entity_type: str,
    entity_id: int,
    role: str | None = None,
    owner_id: int | None = None,
    area_id: int | None = None,
    site_id: int | None = None,
) -> list[Attachment]:
    """Attach the caller's own unlinked uploads (or ones already linked to this very record:
    a submission sent twice) to a record, which they are then scoped like."""
    if not ids:
        return []
    found = list(session.scalars(select(Attachment).where(Attachment.id.in_(list(ids)))))
    by_id = {a.id: a for a in found}
    bad = [i for i in ids if i not in by_id]
    for a in found:
        same_record = a.entity_type == entity_type and a.entity_id == entity_id
        mine = a.uploaded_by_id == principal.user_id or principal.scope_kind is ScopeKind.ALL
        if not same_record and (a.entity_type is not None or not mine):
            bad.append(a.id)
    if bad:
        raise Invalid(
            f"unknown or already used attachments: {sorted(set(bad))}",
            errors=[{"loc": ["body", "photo_ids"], "msg": "unknown or already used"}],
        )
    for a in found:
        a.entity_type, a.entity_id, a.role = entity_type, entity_id, role
        a.owner_id, a.area_id, a.site_id = owner_id, area_id, site_id
    return found


def attached(session: Session, entity_type: str, entity_ids: Sequence[int]) -> list[Attachment]:
    if not entity_ids:
        return []
    stmt = (
        select(Attachment)
        .where(Attachment.entity_type == entity_type, Attachment.entity_id.in_(list(entity_ids)))
        .order_by(Attachment.id)
    )
    return list(session.scalars(stmt))
