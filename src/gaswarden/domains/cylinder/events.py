"""The chain of scans: refusal rules, idempotency, late events, anomalies (being written)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.domains.cylinder.enums import EventKind
from gaswarden.domains.cylinder.event_schemas import CylinderEventIn, EventOutcome, ScanPreview


def submit(
    *,
    session: Session,
    principal: Principal,
    events: Sequence[CylinderEventIn],
    org_id: int | None = None,
    now: datetime | None = None,
) -> list[EventOutcome]:
    """Store a batch of scans made by `org_id`'s staff (the caller's enterprise by default;
    the system principal names it) and return one outcome per scan, in order. Flushes only."""
    raise NotImplementedError


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
    raise NotImplementedError
