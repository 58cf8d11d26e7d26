"""The case's steps as data: from which statuses each step may be taken, where it leads, and
who may take it (law enforcement is the regulator's). The service enforces it; the tests walk
every allowed and forbidden pair from here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gaswarden.core.enums import Role
from gaswarden.domains.enforcement.enums import CaseStatus

S = CaseStatus

WRITERS = frozenset({Role.REGULATOR_ADMIN, Role.REGULATOR_STAFF})


class Step(StrEnum):
    INVESTIGATE = "investigate"
    EVIDENCE = "evidence"  # facts and evidence added while the case is open
    DECIDE = "decide"
    EXECUTE = "execute"
    CLOSE = "close"
    COMMENT = "comment"


@dataclass(frozen=True)
class Move:
    sources: frozenset[CaseStatus]
    target: CaseStatus | None  # None: the status stays
    note_required: bool = False


MOVES: dict[Step, Move] = {
    Step.INVESTIGATE: Move(frozenset({S.OPENED}), S.INVESTIGATING),
    Step.EVIDENCE: Move(frozenset({S.OPENED, S.INVESTIGATING}), None),
    Step.DECIDE: Move(frozenset({S.INVESTIGATING}), S.DECIDED),
    Step.EXECUTE: Move(frozenset({S.DECIDED}), S.EXECUTED, note_required=True),
    # A "no penalty" decision has nothing to execute: it closes from decided (see service).
    Step.CLOSE: Move(frozenset({S.EXECUTED}), S.CLOSED),
    Step.COMMENT: Move(frozenset(S), None, note_required=True),
}
