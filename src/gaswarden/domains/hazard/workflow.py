"""The hazard loop as data: which step moves a hazard from which statuses to which, and who
may take it. The service enforces it; tests walk every allowed and forbidden pair from here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gaswarden.core.enums import Role
from gaswarden.domains.hazard.enums import HazardStatus
from gaswarden.standards.hazards import HazardGrade

S = HazardStatus

REGULATORS = frozenset({Role.REGULATOR_ADMIN, Role.REGULATOR_STAFF})
ENTERPRISE = frozenset({Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF, Role.FIELD_WORKER})
# Who reports and assigns: regulators, agencies' inspectors and grid supervisors.
SUPERVISORS = REGULATORS | {Role.INSPECTOR, Role.GRID_SUPERVISOR}
REPORTERS = SUPERVISORS | ENTERPRISE


class Step(StrEnum):
    ASSIGN = "assign"
    PLAN = "plan"  # a major hazard's rectification plan
    START = "start"
    SUBMIT = "submit"
    VERIFY = "verify"
    RETURN = "return"  # send the rectification back
    REOPEN = "reopen"
    DEADLINE = "deadline"  # change the deadline, with a reason
    COMMENT = "comment"


@dataclass(frozen=True)
class Move:
    sources: frozenset[HazardStatus]
    target: HazardStatus | None  # None: the status stays
    roles: frozenset[Role]
    major_roles: frozenset[Role] | None = None  # who, when the hazard is major (None: same)
    note_required: bool = False

    def roles_for(self, grade: HazardGrade) -> frozenset[Role]:
        if grade is HazardGrade.MAJOR and self.major_roles is not None:
            return self.major_roles
        return self.roles


OPEN = frozenset({S.REPORTED, S.ASSIGNED, S.RECTIFYING, S.SUBMITTED})

MOVES: dict[Step, Move] = {
    Step.ASSIGN: Move(frozenset({S.REPORTED, S.ASSIGNED}), S.ASSIGNED, SUPERVISORS),
    Step.PLAN: Move(frozenset({S.ASSIGNED, S.RECTIFYING}), None, ENTERPRISE),
    Step.START: Move(frozenset({S.ASSIGNED}), S.RECTIFYING, ENTERPRISE),
    Step.SUBMIT: Move(frozenset({S.RECTIFYING}), S.SUBMITTED, ENTERPRISE),
    # General hazards: the inspector or a regulator verifies; major ones: a regulator only.
    Step.VERIFY: Move(
        frozenset({S.SUBMITTED}),
        S.CLOSED,
        REGULATORS | {Role.INSPECTOR},
        major_roles=REGULATORS,
    ),
    Step.RETURN: Move(
        frozenset({S.SUBMITTED}),
        S.RECTIFYING,
        REGULATORS | {Role.INSPECTOR},
        major_roles=REGULATORS,
        note_required=True,
    ),
    Step.REOPEN: Move(frozenset({S.CLOSED}), S.RECTIFYING, REGULATORS, note_required=True),
    Step.DEADLINE: Move(OPEN, None, REGULATORS, note_required=True),
    Step.COMMENT: Move(OPEN | {S.CLOSED}, None, REPORTERS, note_required=True),
}


def allowed_steps(status: HazardStatus, grade: HazardGrade, role: Role | None) -> list[Step]:
    """The steps a role may take on a hazard now (for buttons on the page). role None: system."""
    out = []
    for step, move in MOVES.items():
        if status not in move.sources:
            continue
        if step is Step.PLAN and grade is not HazardGrade.MAJOR:
            continue
        if role is None or role in move.roles_for(grade):
            out.append(step)
    return out
