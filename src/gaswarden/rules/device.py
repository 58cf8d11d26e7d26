"""One device's inputs of one batch through every rule that applies to it (pure)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gaswarden.ingestion.contract import DeviceEvent, EventKind, Reading, StatusReport
from gaswarden.rules import evaluate as ev
from gaswarden.rules.catalog import RULES, RuleKind
from gaswarden.rules.grades import Grade
from gaswarden.rules.model import RuleState, Transition


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """One enabled rule of one device with its parameters parsed once (kept between batches)."""

    id: str
    kind: RuleKind
    metric: str | None
    event: EventKind | None
    values: Mapping[str, Any]
    threshold: ev.ThresholdParams | None = None
    rate: ev.RateParams | None = None


# What `run` does with a rule, decided once per device (RulePlan) rather than per batch.
_THRESHOLD, _RATE, _EVENT, _OFFLINE = range(4)
Step = tuple[int, str, str, CompiledRule]  # (what to do, rule id, metric, the rule)


@dataclass(frozen=True, slots=True)
class RulePlan:
    """A device's rules as `run` walks them, in rule order: `full` for a batch with events,
    `quiet` (the event rules left out) for one without. Rules that no batch input can move
    (expiry: the sweep's) are left out of both."""

    full: tuple[Step, ...]
    quiet: tuple[Step, ...]
    # What would start an alarm at once, for `alarming`: per metric, the open interval (low,
    # high) between the threshold rules' first levels; the events an event rule raises on.
    trips: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    alarm_events: frozenset[EventKind] = frozenset()


def alarming(rules: RulePlan, inputs: Iterable[object]) -> bool:
    """Would one of these inputs (readings, events, anything else) start or feed an alarm:
    a value at or past a threshold rule's first level, an event an event rule raises on.
    A quick look for the ingest worker's queue, not the rules' verdict (durations, states
    and hysteresis are the engine's)."""
    trips, events = rules.trips, rules.alarm_events
    for item in inputs:
        if type(item) is Reading:
            calm = trips.get(item.metric)
            if calm is not None and not calm[0] < item.value < calm[1]:
                return True
        elif type(item) is DeviceEvent and item.event in events:
            return True
    return False


def plan(rules: Sequence[CompiledRule]) -> RulePlan:
    steps: list[Step] = []
    for rule in rules:
        if rule.threshold is not None:
            if rule.metric is not None:
                steps.append((_THRESHOLD, rule.id, rule.metric, rule))
        elif rule.rate is not None:
            if rule.metric is not None:
                steps.append((_RATE, rule.id, rule.metric, rule))
        elif rule.kind is RuleKind.EVENT and rule.event is not None:
            steps.append((_EVENT, rule.id, "", rule))
        elif rule.kind is RuleKind.OFFLINE:
            steps.append((_OFFLINE, rule.id, "", rule))
    trips: dict[str, tuple[float, float]] = {}
    for _step, _id, metric, rule in steps:
        if rule.threshold is not None and rule.threshold.levels:
            limit = rule.threshold.levels[0][0]
            low, high = trips.get(metric, (-math.inf, math.inf))
            if rule.threshold.direction == "above":
                trips[metric] = (low, min(high, limit))
            else:
                trips[metric] = (max(low, limit), high)
    return RulePlan(
        tuple(steps),
        tuple(s for s in steps if s[0] != _EVENT),
        trips,
        frozenset(r.event for k, _i, _m, r in steps if k == _EVENT and r.event is not None),
    )


def compile_rules(params: Mapping[str, Mapping[str, Any]]) -> tuple[CompiledRule, ...]:
    out = []
    for rule_id, values in params.items():
        rule = RULES[rule_id]
        out.append(
            CompiledRule(
                rule_id,
                rule.kind,
                rule.metric,
                rule.event,
                values,
                threshold=(
                    ev.ThresholdParams.from_json(dict(values))
                    if rule.kind is RuleKind.THRESHOLD
                    else None
                ),
                rate=ev.RateParams.from_json(dict(values)) if rule.kind is RuleKind.RATE else None,
            )
        )
    return tuple(out)


def run(
    states: dict[str, RuleState],
    rules: RulePlan | Sequence[CompiledRule],
    *,
    points: Mapping[str, list[ev.Point]],
    events: Sequence[DeviceEvent] = (),
    statuses: Sequence[StatusReport] = (),
    received_at: datetime,
) -> list[Transition]:
    """Transitions in rule order; `states` is updated in place (missing ones are created
    when their rule has an input).

    `points` maps metric -> [(device time, value)], sorted by time. `rules`: the device's
    RulePlan (kept with its compiled rules), or its compiled rules.
    """
    if not isinstance(rules, RulePlan):
        rules = plan(rules)
    out: list[Transition] = []
    series: Mapping[str, list[ev.Point]] = points
    battery_status = [(s.ts, s.battery_pct) for s in statuses if s.battery_pct is not None]
    if battery_status:
        series = {
            **points,
            "battery_pct": sorted([*points.get("battery_pct", []), *battery_status]),
        }

    # A state is made only for a rule that has something to judge: the states of rules that
    # never had an input are not stored with every batch.
    for step, rule_id, metric, rule in rules.full if events else rules.quiet:
        if step == _THRESHOLD:
            found = series.get(metric)
            if found is not None:
                state = states.get(rule_id) or _state(states, rule_id)
                out += ev.threshold(state, rule_id, found, rule.threshold)[1]  # type: ignore[arg-type]
        elif step == _RATE:
            found = series.get(metric)
            if found is not None:
                state = states.get(rule_id) or _state(states, rule_id)
                out += ev.rate_of_change(state, rule_id, found, rule.rate)[1]  # type: ignore[arg-type]
        elif step == _EVENT:
            mine = [e for e in events if e.event == rule.event]
            if mine:
                last = max(mine, key=lambda e: e.ts)
                detail: dict[str, Any] = dict(last.detail)
                if last.snapshot_url:
                    detail["snapshot_url"] = last.snapshot_url
                grade = Grade(rule.values.get("grade", Grade.YELLOW.value))
                state = _state(states, rule_id)
                _, got = ev.events(state, rule_id, [e.ts for e in mine], grade, detail)
                out += got
        elif rule_id in states or statuses:  # _OFFLINE
            # (no state yet: the device was never reported offline, hearing it changes nothing)
            state = _state(states, rule_id)
            out += _offline(state, rule_id, rule.values, points, events, statuses, received_at)
    return out


def _state(states: dict[str, RuleState], rule_id: str) -> RuleState:
    state = states.get(rule_id)
    if state is None:
        state = states[rule_id] = RuleState()
    return state


def _offline(
    state: RuleState,
    rule_id: str,
    values: Mapping[str, Any],
    points: Mapping[str, list[ev.Point]],
    events: Sequence[DeviceEvent],
    statuses: Sequence[StatusReport],
    received_at: datetime,
) -> list[Transition]:
    """Anything heard clears an offline alarm; the latest status saying offline raises one."""
    grade = Grade(values.get("grade", Grade.BLUE.value))
    latest_status = max(statuses, key=lambda s: s.ts) if statuses else None
    heard = bool(events) or any(points.values()) or any(s.online for s in statuses)
    if latest_status is not None and not latest_status.online:
        return ev.went_offline(state, rule_id, received_at, grade)
    if heard:
        _, got = ev.offline(
            state,
            rule_id,
            now=received_at,
            last_seen=received_at,
            interval_s=1,
            multiple=1,
            grade=grade,
        )
        return got
    return []
