"""What the scanning page shows before a step is sent: the cylinder behind a code and whether
each next step is allowed now, by the same refusal rules `events.submit` applies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.db.base import utcnow
from gaswarden.domains.customer.models import Customer
from gaswarden.domains.cylinder import chain, refusals
from gaswarden.domains.cylinder.enums import EventKind, RefusalReason
from gaswarden.domains.cylinder.event_schemas import NextStep, ScanPreview
from gaswarden.domains.cylinder.events import local_day
from gaswarden.domains.cylinder.models import Cylinder
from gaswarden.domains.cylinder.scope import cylinder_scope

K = EventKind


def preview(
    *,
    session: Session,
    principal: Principal,
    tag_code: str,
    kind: EventKind | None = None,
    customer_code: str | None = None,
    now: datetime | None = None,
) -> ScanPreview:
    """The cylinder behind a code and whether `kind` (or each next step) is allowed now."""
    now = now or utcnow()
    day = local_day(now)
    cyl = session.scalars(
        select(Cylinder).where(Cylinder.tag_code == tag_code, cylinder_scope(principal))
    ).first()
    if cyl is None:
        reason = RefusalReason.UNKNOWN_CODE
        steps = [
            NextStep(
                kind=kind or K.FILL,
                allowed=False,
                reason=reason,
                reason_text=refusals.text(reason),
            )
        ]
        return ScanPreview(tag_code=tag_code, known=False, steps=steps)
    org_id = principal.org_id if principal.scope_kind is ScopeKind.ORG else cyl.owner_id
    customer = None
    if customer_code:
        customer = session.scalars(select(Customer).where(Customer.code == customer_code)).first()
    kinds = [kind] if kind is not None else list(chain.NEXT_STEPS[cyl.status])
    steps = []
    for k in kinds:
        refusal = refusals.code_refusal(cyl, org_id or 0)
        if refusal is None and k is K.FILL:
            refusal = refusals.fill_refusal(cyl, day, None)
        if refusal is None and k is K.DELIVER and customer_code:
            refusal = refusals.deliver_refusal(customer, org_id or 0)
        steps.append(
            NextStep(
                kind=k,
                allowed=refusal is None,
                reason=refusal[0] if refusal else None,
                reason_text=refusal[1] if refusal else None,
            )
        )
    return ScanPreview(
        tag_code=tag_code,
        known=True,
        cylinder_id=cyl.id,
        status=cyl.status,
        owner_name=cyl.owner_name,
        capacity_kg=cyl.capacity_kg,
        next_inspection_on=cyl.next_inspection_on,
        life_ends_on=cyl.life_ends_on,
        last_event_at=cyl.last_event_at,
        steps=steps,
    )
