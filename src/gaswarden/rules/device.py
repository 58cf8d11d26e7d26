"""One device's inputs of one batch through every rule that applies to it (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from gaswarden.ingestion.contract import DeviceEvent, StatusReport
from gaswarden.rules import evaluate as ev
from gaswarden.rules.catalog import RULES, RuleKind
from gaswarden.rules.grades import Grade
from gaswarden.rules.model import RuleState, Transition


def run(
    states: dict[str, RuleState],
    params: dict[str, dict[str, Any]],
    *,
    points: dict[str, list[ev.Point]],
    events: Sequence[DeviceEvent] = (),
    statuses: Sequence[StatusReport] = (),
    received_at: datetime,
) -> list[Transition]:
    """Transitions in rule order; `states` is updated in place (missing ones are created).

    `points` maps metric -> [(device time, value)], sorted by time.
    """
    out: list[Transition] = []
    battery = sorted(
        [
            *points.get("battery_pct", []),
            *((s.ts, s.battery_pct) for s in statuses if s.battery_pct is not None),
        ]
    )
    series = {**points, "battery_pct": battery}

    for rule_id, values in params.items():
        rule = RULES[rule_id]
        state = states.setdefault(rule_id, RuleState())
        if rule.kind is RuleKind.THRESHOLD and rule.metric in series:
            _, got = ev.threshold(
                state, rule_id, series[rule.metric], ev.ThresholdParams.from_json(values)
            )
            out += got
        elif rule.kind is RuleKind.RATE and rule.metric in series:
            _, got = ev.rate_of_change(
                state, rule_id, series[rule.metric], ev.RateParams.from_json(values)
            )
            out += got
        elif rule.kind is RuleKind.EVENT and rule.event is not None:
            mine = [e for e in events if e.event == rule.event]
            if mine:
                last = max(mine, key=lambda e: e.ts)
                detail: dict[str, Any] = dict(last.detail)
                if last.snapshot_url:
                    detail["snapshot_url"] = last.snapshot_url
                grade = Grade(values.get("grade", Grade.YELLOW.value))
                _, got = ev.events(state, rule_id, [e.ts for e in mine], grade, detail)
                out += got
        elif rule.kind is RuleKind.OFFLINE:
            out += _offline(state, rule_id, values, points, events, statuses, received_at)
    return out


def _offline(
    state: RuleState,
    rule_id: str,
    values: dict[str, Any],
    points: dict[str, list[ev.Point]],
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
