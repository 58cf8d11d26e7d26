"""The values the pure rule functions take and give: per-rule state, parameters, transitions."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from gaswarden.rules.grades import Grade


class Change(StrEnum):
    RAISE = "raise"  # the condition began (or an event happened)
    UPDATE = "update"  # still active: new last value / peak
    ESCALATE = "escalate"  # worse level, or persisted long enough to rise a grade
    CLEAR = "clear"  # the condition ended (with hysteresis)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass
class RuleState:
    """What one rule remembers about one device between batches (kept in rule_state)."""

    active: bool = False
    level: int = 0  # 1-based index of the level reached; 0 when inactive
    grade: str | None = None
    pending_since: datetime | None = None  # condition holds, waiting out the duration
    active_since: datetime | None = None
    escalations: int = 0  # persistence steps taken while active
    last_ts: datetime | None = None  # device time of the last evaluated input
    last_value: float | None = None
    peak: float | None = None

    def to_json(self) -> dict[str, Any]:
        # By hand rather than dataclasses.asdict: this runs for every device of every batch.
        return {
            "active": self.active,
            "level": self.level,
            "grade": self.grade,
            "pending_since": _iso(self.pending_since),
            "active_since": _iso(self.active_since),
            "escalations": self.escalations,
            "last_ts": _iso(self.last_ts),
            "last_value": self.last_value,
            "peak": self.peak,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> RuleState:
        if not data:
            return cls()
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("pending_since", "active_since", "last_ts"):
            if values.get(key):
                values[key] = datetime.fromisoformat(values[key])
        return cls(**values)


_STATE_FIELDS = [f.name for f in fields(RuleState)]
assert list(RuleState().to_json()) == _STATE_FIELDS, "to_json must name every field"


@dataclass(frozen=True)
class Transition:
    change: Change
    rule: str
    ts: datetime  # device time (wall time for sweeps)
    grade: Grade
    level: int = 1
    value: float | None = None
    peak: float | None = None
    count: int = 1  # occurrences this transition stands for (events of one batch)
    detail: dict[str, Any] = field(default_factory=dict)


Levels = tuple[tuple[float, Grade], ...]


def parse_levels(raw: Any) -> Levels:
    """[[25, "yellow"], [50, "orange"]] -> ((25.0, Grade.YELLOW), (50.0, Grade.ORANGE))."""
    return tuple((float(value), Grade(grade)) for value, grade in raw)


def levels_json(levels: Levels) -> list[list[Any]]:
    return [[value, grade.value] for value, grade in levels]
