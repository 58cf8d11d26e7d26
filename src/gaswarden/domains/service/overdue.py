"""Overdue service requests (超时): the periodic sweep.

`sweep` marks every request still open whose respond target passed without a response, or
whose resolve target passed without a resolution, as overdue: the flag and one OVERDUE event
with its audit row, once per request. A target missed at the step itself is marked there
(requests.respond / resolve). gaswarden/maintenance.py runs the sweep in the background of
`serve` and `demo`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.db.base import utcnow
from gaswarden.domains.service.enums import RequestEventKind, RequestStatus
from gaswarden.domains.service.models import ServiceRequest
from gaswarden.domains.service.timeline import record

OPEN = (RequestStatus.OPEN, RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS)


@dataclass
class SweepResult:
    overdue: list[int] = field(default_factory=list)  # requests marked in this sweep

    def __str__(self) -> str:
        return f"{len(self.overdue)} service requests newly overdue"


def missed(request: ServiceRequest, now: datetime) -> list[str]:
    """Which targets an open request has missed by `now`: "respond", "resolve"."""
    out = []
    if request.responded_at is None and request.respond_due_at < now:
        out.append("respond")
    if request.resolved_at is None and request.resolve_due_at < now:
        out.append("resolve")
    return out


def sweep(session: Session, now: datetime | None = None) -> SweepResult:
    """One pass; flushes, never commits. Rows another sweeper holds are skipped (PostgreSQL)."""
    now = now or utcnow()
    stmt = (
        select(ServiceRequest)
        .where(
            ServiceRequest.status.in_(OPEN),
            ServiceRequest.overdue.is_(False),
            or_(
                and_(ServiceRequest.responded_at.is_(None), ServiceRequest.respond_due_at < now),
                and_(ServiceRequest.resolved_at.is_(None), ServiceRequest.resolve_due_at < now),
            ),
        )
        .order_by(ServiceRequest.respond_due_at, ServiceRequest.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=ServiceRequest, skip_locked=True)
    result = SweepResult()
    for request in session.scalars(stmt).unique().all():
        which = missed(request, now)
        if not which:
            continue
        request.overdue = True
        session.flush()
        due = request.respond_due_at if which[0] == "respond" else request.resolve_due_at
        record(
            session,
            request,
            RequestEventKind.OVERDUE,
            at=now,
            principal=SYSTEM,
            note="超过服务时限 Past the time target (" + ", ".join(which) + ")",
            data={"missed": which, "due": due.isoformat()},
            changes={"overdue": [False, True]},
        )
        result.overdue.append(request.id)
    session.flush()
    return result
