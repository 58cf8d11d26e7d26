"""A request's due times from its kind's time targets (standards/service.py, the one table)."""

from __future__ import annotations

from datetime import datetime

from gaswarden.domains.service.enums import RequestKind, RequestPriority
from gaswarden.standards.service import target_for


def due_times(kind: RequestKind, received_at: datetime) -> tuple[datetime, datetime]:
    """(respond by, resolve by) for a request of `kind` received at `received_at`."""
    target = target_for(kind)
    return received_at + target.respond, received_at + target.resolve


def priority_of(kind: RequestKind) -> RequestPriority:
    return target_for(kind).priority
