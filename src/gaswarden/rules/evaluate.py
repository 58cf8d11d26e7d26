"""The rule functions: (state, inputs in device-time order, parameters) -> (state, transitions).

Pure: no database, no clock. Inputs at or before the state's `last_ts` are ignored for
transitions (a late reading never reopens or clears what newer ones decided). The caller owns
the state object; each function mutates and returns it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from gaswarden.rules import setpoints as sp
from gaswarden.rules.grades import Grade
from gaswarden.rules.model import Change, Levels, RuleState, Transition, parse_levels

Point = tuple[datetime, float]


@dataclass(frozen=True)
class ThresholdParams:
    levels: Levels  # ascending severity; for "below" the values descend
    direction: str = "above"  # "above" or "below"
    hysteresis: float = 0.0  # distance past the first level before the alarm clears
    duration_s: float = 0.0  # the condition must hold this long (device time) to raise
    escalate_after_s: float | None = None  # one grade up per this much active device time
    grade_steps: int = 0  # context: grades added to every level (valve well etc.)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ThresholdParams:
        return cls(
            levels=parse_levels(data["levels"]),
            direction=data.get("direction", "above"),
            hysteresis=float(data.get("hysteresis", 0.0)),
            duration_s=float(data.get("duration_s", 0.0)),
            escalate_after_s=_opt_float(data.get("escalate_after_s")),
            grade_steps=int(data.get("grade_steps", 0)),
        )

    def level_of(self, value: float) -> int:
        level = 0
        for i, (limit, _grade) in enumerate(self.levels, start=1):
            if (value >= limit) if self.direction == "above" else (value <= limit):
                level = i
        return level

    def clears(self, value: float) -> bool:
        first = self.levels[0][0]
        if self.direction == "above":
            return value < first - self.hysteresis
        return value > first + self.hysteresis

    def grade(self, level: int, escalations: int = 0) -> Grade:
        return self.levels[level - 1][1].raised(self.grade_steps + escalations)


def _opt_float(value: Any) -> float | None:
    return None if value in (None, "", 0) else float(value)


def _time(point: Point) -> datetime:
    return point[0]


def _fresh(state: RuleState, ts: datetime) -> bool:
    return state.last_ts is None or ts > state.last_ts


def threshold(
    state: RuleState, rule: str, points: Iterable[Point], params: ThresholdParams
) -> tuple[RuleState, list[Transition]]:
    """Levels with duration, hysteresis, escalation on worsening and on persistence."""
    if not state.active and state.pending_since is None and isinstance(points, list) and points:
        # The usual case, first: all quiet. Nothing changes but the last input seen.
        first = params.levels[0][0]
        values = [v for _, v in points]
        if max(values) < first if params.direction == "above" else min(values) > first:
            ts, value = max(points, key=_time)
            if _fresh(state, ts):
                state.last_ts, state.last_value = ts, value
            return state, []
    out: list[Transition] = []
    pending_update = False
    for ts, value in points:
        if not _fresh(state, ts):
            continue
        level = params.level_of(value)
        if not state.active:
            if level == 0:
                state.pending_since = None
            else:
                if state.pending_since is None:
                    state.pending_since = ts
                held = (ts - state.pending_since).total_seconds()
                if held >= params.duration_s:
                    _activate(state, ts, level, value)
                    grade = params.grade(level)
                    state.grade = grade.value
                    out.append(_t(Change.RAISE, rule, ts, grade, state, value))
                    pending_update = False
        elif params.clears(value):
            grade = params.grade(max(state.level, 1), state.escalations)
            out.append(_t(Change.CLEAR, rule, ts, grade, state, value))
            _deactivate(state)
            pending_update = False
        else:
            state.peak = _worse(state.peak, value, params.direction)
            escalated = False
            if level > state.level:
                state.level = level
                escalated = True
            if _persisted(state, ts, params.escalate_after_s):
                state.escalations += 1
                escalated = True
            grade = params.grade(state.level, state.escalations)
            if escalated and grade.value != state.grade:
                state.grade = grade.value
                out.append(_t(Change.ESCALATE, rule, ts, grade, state, value))
                pending_update = False
            else:
                pending_update = True
        state.last_ts, state.last_value = ts, value
    if pending_update and state.active and state.last_ts is not None:
        grade = params.grade(state.level, state.escalations)
        out.append(_t(Change.UPDATE, rule, state.last_ts, grade, state, state.last_value))
    return state, out


@dataclass(frozen=True)
class RateParams:
    drop_per_min: float  # raise when the value falls at least this fast (units per minute)
    grade: Grade = Grade.ORANGE
    max_gap_s: float = 900.0  # readings further apart than this are not compared
    clear_ratio: float = 0.5  # clears once the fall is slower than drop_per_min * ratio
    grade_steps: int = 0
    window_s: float = sp.RATE_WINDOW_S  # device time a fall is measured over, at least

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RateParams:
        window_s = float(data.get("window_s", sp.RATE_WINDOW_S))
        if window_s < 0:
            raise ValueError("window_s must not be negative")
        return cls(
            drop_per_min=float(data["drop_per_min"]),
            grade=Grade(data.get("grade", Grade.ORANGE.value)),
            max_gap_s=float(data.get("max_gap_s", 900.0)),
            clear_ratio=float(data.get("clear_ratio", 0.5)),
            grade_steps=int(data.get("grade_steps", 0)),
            window_s=window_s,
        )


def rate_of_change(
    state: RuleState, rule: str, points: Iterable[Point], params: RateParams
) -> tuple[RuleState, list[Transition]]:
    """A sudden fall (kPa/min for pressure), measured over at least `window_s` of device time.

    The fall is measured from a reference point: the earlier readings' exponential moving
    average (time constant `window_s`) at the same average of their device times. On a steady
    fall that point lies on the line of the readings, so the measured rate is the slope
    itself. The rate divides by the reference's age but never by less than `window_s`: a
    reading off by some noise counts as that much fall per window, not per the second between
    two close readings, while a fall by a window's worth of `drop_per_min` raises at once.
    Readings several windows apart compare, in effect, with the one before (a two-point
    rate). A gap over `max_gap_s` (or no reference yet) starts the reference at the reading.

    How this rule uses RuleState: `last_ts`/`last_value` are the last evaluated reading, as
    for every rule; `pending_since`/`peak` hold the reference (its time and level), active or
    not. A state without a reference (written before the window existed) starts one at its
    next reading. Transitions carry the lowest reading since the previous one as their peak
    (the alarm keeps the lowest of them); while active, each batch ends with an UPDATE.
    """
    out: list[Transition] = []
    grade = params.grade.raised(params.grade_steps)
    low: float | None = None  # lowest reading since the last transition, while active
    pending_update = False
    for ts, value in points:
        if not _fresh(state, ts):
            continue
        ref_ts, ref = state.pending_since, state.peak
        gap = (ts - state.last_ts).total_seconds() if state.last_ts is not None else None
        if ref_ts is None or ref is None or gap is None or gap > params.max_gap_s:
            ref_ts, ref = ts, value
        else:
            span = max((ts - ref_ts).total_seconds(), params.window_s)
            rate = (ref - value) / span * 60.0 if span > 0 else 0.0
            if state.active:
                low = value if low is None else min(low, value)
            if not state.active and rate >= params.drop_per_min:
                detail = _rate_detail(rate, ref, span)
                _activate(state, ts, 1, value)
                state.grade = grade.value
                out.append(
                    Transition(Change.RAISE, rule, ts, grade, 1, value, value, detail=detail)
                )
                low, pending_update = None, False
            elif state.active and rate < params.drop_per_min * params.clear_ratio:
                detail = _rate_detail(rate, ref, span)
                out.append(Transition(Change.CLEAR, rule, ts, grade, 1, value, low, detail=detail))
                _deactivate(state)
                low, pending_update = None, False
            elif state.active:
                pending_update = True
            # Move the reference towards this reading: weight 1 - e^(-gap / window).
            keep = math.exp(-gap / params.window_s) if params.window_s > 0 else 0.0
            ref_ts += (ts - ref_ts) * (1.0 - keep)
            ref += (value - ref) * (1.0 - keep)
        state.pending_since, state.peak = ref_ts, ref
        state.last_ts, state.last_value = ts, value
    if pending_update and state.active and state.last_ts is not None:
        out.append(Transition(Change.UPDATE, rule, state.last_ts, grade, 1, state.last_value, low))
    return state, out


def _rate_detail(rate: float, ref: float, span: float) -> dict[str, Any]:
    return {"drop_per_min": round(rate, 4), "from": round(ref, 4), "over_s": round(span)}


def events(
    state: RuleState, rule: str, times: Sequence[datetime], grade: Grade, detail: dict[str, Any]
) -> tuple[RuleState, list[Transition]]:
    """Momentary events: one RAISE standing for every new event of the batch."""
    fresh = [ts for ts in sorted(times) if _fresh(state, ts)]
    if not fresh:
        return state, []
    state.last_ts = fresh[-1]
    state.grade = grade.value
    return state, [Transition(Change.RAISE, rule, fresh[0], grade, count=len(fresh), detail=detail)]


def offline(
    state: RuleState,
    rule: str,
    *,
    now: datetime,
    last_seen: datetime | None,
    interval_s: float,
    multiple: float,
    grade: Grade,
) -> tuple[RuleState, list[Transition]]:
    """Raise when nothing came for `multiple` reporting intervals; clear when something did."""
    if last_seen is None:
        return state, []
    silent = (now - last_seen).total_seconds()
    detail = {"last_seen": last_seen.isoformat(), "silent_s": int(silent)}
    if not state.active and silent > interval_s * multiple:
        _activate(state, now, 1, None)
        state.grade = grade.value
        return state, [_t(Change.RAISE, rule, now, grade, state, None, detail)]
    if state.active and state.active_since is not None and last_seen > state.active_since:
        transition = _t(Change.CLEAR, rule, last_seen, grade, state, None, detail)
        _deactivate(state)
        return state, [transition]
    return state, []


def went_offline(state: RuleState, rule: str, ts: datetime, grade: Grade) -> list[Transition]:
    """A status report (or the MQTT will) saying the device is offline."""
    if state.active:
        return []
    _activate(state, ts, 1, None)
    state.grade = grade.value
    return [_t(Change.RAISE, rule, ts, grade, state, None, {"reported": "offline"})]


def expiry(
    state: RuleState,
    rule: str,
    *,
    now: datetime,
    expiry_date: date | None,
    warn_days: int,
    warn_grade: Grade,
    expired_grade: Grade,
) -> tuple[RuleState, list[Transition]]:
    """Level 1 within `warn_days` of the expiry date, level 2 from the date on."""
    level = 0
    if expiry_date is not None:
        today = now.date()
        if today >= expiry_date:
            level = 2
        elif today >= expiry_date - timedelta(days=warn_days):
            level = 1
    grade = expired_grade if level == 2 else warn_grade
    detail = {"expiry_date": expiry_date.isoformat() if expiry_date else None}
    if level == 0:
        if not state.active:
            return state, []
        transition = _t(Change.CLEAR, rule, now, grade, state, None, detail)
        _deactivate(state)
        return state, [transition]
    if not state.active:
        _activate(state, now, level, None)
        state.grade = grade.value
        return state, [_t(Change.RAISE, rule, now, grade, state, None, detail)]
    if level > state.level:
        state.level, state.grade = level, grade.value
        return state, [_t(Change.ESCALATE, rule, now, grade, state, None, detail)]
    return state, []


# ---- helpers ---------------------------------------------------------------------------------
def _activate(state: RuleState, ts: datetime, level: int, value: float | None) -> None:
    state.active, state.level, state.active_since = True, level, ts
    state.pending_since, state.escalations, state.peak = None, 0, value


def _deactivate(state: RuleState) -> None:
    state.active, state.level, state.grade = False, 0, None
    state.pending_since = state.active_since = None
    state.escalations, state.peak = 0, None


def _persisted(state: RuleState, ts: datetime, every_s: float | None) -> bool:
    if not every_s or state.active_since is None:
        return False
    return (ts - state.active_since).total_seconds() >= every_s * (state.escalations + 1)


def _worse(peak: float | None, value: float, direction: str) -> float:
    if peak is None:
        return value
    return max(peak, value) if direction == "above" else min(peak, value)


def _t(
    change: Change,
    rule: str,
    ts: datetime,
    grade: Grade,
    state: RuleState,
    value: float | None,
    detail: dict[str, Any] | None = None,
) -> Transition:
    return Transition(
        change, rule, ts, grade, max(state.level, 1), value, state.peak, detail=detail or {}
    )
