"""A request's steps as data: from which statuses each may be taken and where it leads. The
service enforces it; the tests walk the allowed and the refused pairs from here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gaswarden.domains.service.enums import RequestStatus

S = RequestStatus


class Step(StrEnum):
    ASSIGN = "assign"  # to a team or a person (again: reassign)
    RESPOND = "respond"  # on site, or the resident called back
    RESOLVE = "resolve"  # with the resolution
    CLOSE = "close"  # the return visit with the satisfaction score
    NOTE = "note"


@dataclass(frozen=True)
class Move:
    sources: frozenset[RequestStatus]
    target: RequestStatus | None  # None: the status stays


MOVES: dict[Step, Move] = {
    Step.ASSIGN: Move(frozenset({S.OPEN, S.ASSIGNED}), S.ASSIGNED),
    Step.RESPOND: Move(frozenset({S.ASSIGNED}), S.IN_PROGRESS),
    Step.RESOLVE: Move(frozenset({S.IN_PROGRESS}), S.RESOLVED),
    Step.CLOSE: Move(frozenset({S.RESOLVED}), S.CLOSED),
    Step.NOTE: Move(frozenset(S), None),
}
