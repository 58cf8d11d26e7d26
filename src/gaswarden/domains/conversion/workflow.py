"""The steps of a conversion as data: from which statuses each may be taken and where it leads,
and who takes them (the pipeline company doing the works). The service enforces it; the tests
walk the allowed and forbidden pairs from here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.enums import Role
from gaswarden.core.errors import Forbidden
from gaswarden.domains.conversion.enums import ConversionStatus

S = ConversionStatus

# The pipeline company's people: office staff at the counter, field workers surveying.
WRITERS = frozenset({Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF, Role.FIELD_WORKER})
# Quota tables and packages are the regulator's (the discount is district policy).
TARIFF_WRITERS = frozenset({Role.REGULATOR_ADMIN, Role.REGULATOR_STAFF})

OPEN = frozenset(s for s in S if s.in_progress)


class Step(StrEnum):
    SURVEY = "survey"
    QUOTE = "quote"
    CONTRACT = "contract"
    START = "start"  # works started
    CONNECT = "connect"
    REFUSE = "refuse"
    CANCEL = "cancel"
    NOTE = "note"


@dataclass(frozen=True)
class Move:
    sources: frozenset[ConversionStatus]
    target: ConversionStatus | None  # None: the status stays (or depends: survey)
    note_required: bool = False


MOVES: dict[Step, Move] = {
    # A survey ends surveyed, or refused when the household is not eligible; it may be redone
    # until a quote is made.
    Step.SURVEY: Move(frozenset({S.APPLIED, S.SURVEYED}), S.SURVEYED),
    # A quote may be remade (another package, other lines) until the contract is signed.
    Step.QUOTE: Move(frozenset({S.SURVEYED, S.QUOTED}), S.QUOTED),
    Step.CONTRACT: Move(frozenset({S.QUOTED}), S.CONTRACTED),
    Step.START: Move(frozenset({S.CONTRACTED}), S.CONSTRUCTING),
    Step.CONNECT: Move(frozenset({S.CONSTRUCTING}), S.CONNECTED),
    Step.REFUSE: Move(OPEN, S.REFUSED),
    Step.CANCEL: Move(OPEN, S.CANCELLED, note_required=True),
    Step.NOTE: Move(frozenset(S), None, note_required=True),
}


def may_write(principal: Principal, owner_id: int | None) -> bool:
    """The system, or the staff of the pipeline company that owns the application."""
    if principal.scope_kind is ScopeKind.ALL:
        return True
    return (
        principal.role in WRITERS and principal.org_id is not None and principal.org_id == owner_id
    )


def require_writer(principal: Principal, owner_id: int | None, what: str) -> None:
    if not may_write(principal, owner_id):
        raise Forbidden(f"only the pipeline company's staff may {what} a conversion")


def may_write_tariff(principal: Principal) -> bool:
    return principal.scope_kind is ScopeKind.ALL or principal.role in TARIFF_WRITERS


def require_tariff_writer(principal: Principal) -> None:
    if not may_write_tariff(principal):
        raise Forbidden("quota tables and packages are set by the regulator")
