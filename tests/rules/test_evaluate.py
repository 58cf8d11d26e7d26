"""The pure rule functions: thresholds, duration in device time, hysteresis, rate, events."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from gaswarden.rules import evaluate as ev
from gaswarden.rules.grades import Grade
from gaswarden.rules.model import Change, RuleState, parse_levels

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
LEVELS = parse_levels([[25, "yellow"], [50, "orange"]])


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def changes(transitions: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(t.change.value, t.grade.value) for t in transitions]


def test_threshold_levels_raise_escalate_and_clear_with_hysteresis() -> None:
    params = ev.ThresholdParams(LEVELS, hysteresis=5)
    state = RuleState()
    _, out = ev.threshold(state, "m", [(at(0), 10), (at(1), 30)], params)
    assert changes(out) == [("raise", "yellow")]
    _, out = ev.threshold(state, "m", [(at(2), 55)], params)
    assert changes(out) == [("escalate", "orange")]
    # Back under the first level but within the hysteresis band: still active, updated.
    _, out = ev.threshold(state, "m", [(at(3), 22)], params)
    assert changes(out) == [("update", "orange")]
    assert state.active and state.peak == 55
    _, out = ev.threshold(state, "m", [(at(4), 19.9)], params)
    assert changes(out) == [("clear", "orange")]
    assert not state.active


def test_duration_is_measured_in_device_time_and_fires_once() -> None:
    params = ev.ThresholdParams(LEVELS, duration_s=10)
    state = RuleState()
    # Nine seconds above: nothing yet, whatever the batch boundaries.
    _, out = ev.threshold(state, "m", [(at(0), 30), (at(5), 31)], params)
    assert out == []
    _, out = ev.threshold(state, "m", [(at(9), 32)], params)
    assert out == []
    _, out = ev.threshold(state, "m", [(at(10), 33), (at(11), 34), (at(20), 35)], params)
    assert [t.change for t in out] == [Change.RAISE, Change.UPDATE]
    assert out[0].ts == at(10)
    _, out = ev.threshold(state, "m", [(at(30), 36)], params)
    assert [t.change for t in out] == [Change.UPDATE]


def test_duration_restarts_when_the_condition_breaks() -> None:
    params = ev.ThresholdParams(LEVELS, duration_s=10)
    state = RuleState()
    _, out = ev.threshold(
        state, "m", [(at(0), 30), (at(6), 10), (at(12), 30), (at(20), 30)], params
    )
    assert out == []
    _, out = ev.threshold(state, "m", [(at(22), 30)], params)
    assert changes(out) == [("raise", "yellow")]


def test_readings_older_than_the_state_change_nothing() -> None:
    params = ev.ThresholdParams(LEVELS, hysteresis=5)
    state = RuleState()
    ev.threshold(state, "m", [(at(10), 30)], params)
    _, out = ev.threshold(state, "m", [(at(5), 0), (at(10), 0)], params)
    assert out == [] and state.active and state.last_ts == at(10)


def test_below_direction_for_battery() -> None:
    params = ev.ThresholdParams(parse_levels([[20, "blue"], [10, "yellow"]]), "below", 5)
    state = RuleState()
    _, out = ev.threshold(state, "b", [(at(0), 50), (at(1), 19), (at(2), 9)], params)
    assert changes(out) == [("raise", "blue"), ("escalate", "yellow")]
    _, out = ev.threshold(state, "b", [(at(3), 24), (at(4), 26)], params)
    assert [t.change for t in out] == [Change.CLEAR]


def test_persistence_escalates_one_grade_per_period() -> None:
    params = ev.ThresholdParams(LEVELS, escalate_after_s=600)
    state = RuleState()
    ev.threshold(state, "m", [(at(0), 30)], params)
    _, out = ev.threshold(state, "m", [(at(300), 30), (at(600), 30)], params)
    assert changes(out) == [("escalate", "orange")]
    _, out = ev.threshold(state, "m", [(at(1200), 30)], params)
    assert changes(out) == [("escalate", "red")]
    _, out = ev.threshold(state, "m", [(at(1800), 30)], params)
    assert changes(out) == [("update", "red")]  # nothing above red


def test_context_grade_steps_raise_every_level() -> None:
    params = ev.ThresholdParams(LEVELS, grade_steps=1)
    _, out = ev.threshold(RuleState(), "m", [(at(0), 30)], params)
    assert changes(out) == [("raise", "orange")]


def test_rate_of_change_sudden_drop() -> None:
    params = ev.RateParams(drop_per_min=0.5, max_gap_s=600)
    state = RuleState()
    pts = [(at(0), 2.0), (at(60), 1.9), (at(120), 1.2), (at(180), 1.15), (at(240), 1.2)]
    _, out = ev.rate_of_change(state, "d", pts, params)
    assert [t.change for t in out] == [Change.RAISE, Change.CLEAR]
    assert out[0].ts == at(120) and out[0].detail["drop_per_min"] == 0.7
    # A large gap says nothing.
    _, out = ev.rate_of_change(state, "d", [(at(10_000), 0.1)], params)
    assert out == []


def test_events_raise_one_transition_per_batch_and_skip_old_ones() -> None:
    state = RuleState()
    _, out = ev.events(state, "e", [at(5), at(1), at(3)], Grade.ORANGE, {})
    assert len(out) == 1 and out[0].count == 3 and out[0].ts == at(1)
    _, out = ev.events(state, "e", [at(4)], Grade.ORANGE, {})
    assert out == []


def test_offline_and_back() -> None:
    state = RuleState()
    kw = {"interval_s": 60, "multiple": 3, "grade": Grade.BLUE}
    _, out = ev.offline(state, "o", now=at(170), last_seen=at(0), **kw)  # type: ignore[arg-type]
    assert out == []
    _, out = ev.offline(state, "o", now=at(181), last_seen=at(0), **kw)  # type: ignore[arg-type]
    assert changes(out) == [("raise", "blue")]
    _, out = ev.offline(state, "o", now=at(500), last_seen=at(0), **kw)  # type: ignore[arg-type]
    assert out == []
    _, out = ev.offline(state, "o", now=at(600), last_seen=at(590), **kw)  # type: ignore[arg-type]
    assert [t.change for t in out] == [Change.CLEAR]


def test_expiry_warns_then_escalates_then_clears_when_extended() -> None:
    state = RuleState()
    kw = {"warn_days": 30, "warn_grade": Grade.BLUE, "expired_grade": Grade.YELLOW}
    now = datetime(2026, 3, 1, tzinfo=UTC)
    _, out = ev.expiry(state, "x", now=now, expiry_date=date(2026, 5, 1), **kw)  # type: ignore[arg-type]
    assert out == []
    _, out = ev.expiry(state, "x", now=now, expiry_date=date(2026, 3, 20), **kw)  # type: ignore[arg-type]
    assert changes(out) == [("raise", "blue")]
    _, out = ev.expiry(state, "x", now=now, expiry_date=date(2026, 3, 1), **kw)  # type: ignore[arg-type]
    assert changes(out) == [("escalate", "yellow")]
    _, out = ev.expiry(state, "x", now=now, expiry_date=date(2027, 3, 1), **kw)  # type: ignore[arg-type]
    assert [t.change for t in out] == [Change.CLEAR]


# ---- properties ----------------------------------------------------------------------------
values = st.floats(min_value=0, max_value=100, allow_nan=False)
series = st.lists(st.tuples(st.integers(0, 3600), values), max_size=60)


def _points(raw: list[tuple[int, float]]) -> list[ev.Point]:
    seen: dict[int, float] = {}
    for s, v in raw:
        seen.setdefault(s, v)
    return [(at(s), v) for s, v in sorted(seen.items())]


@settings(max_examples=200, deadline=None)
@given(series, st.integers(1, 5), st.integers(0, 30))
def test_batch_boundaries_do_not_change_the_outcome(
    raw: list[tuple[int, float]], cuts: int, duration: int
) -> None:
    """Evaluating a series in one batch or in several gives the same raise/clear/escalate."""
    params = ev.ThresholdParams(LEVELS, hysteresis=5, duration_s=duration, escalate_after_s=900)
    pts = _points(raw)
    _, whole = ev.threshold(RuleState(), "m", pts, params)
    state = RuleState()
    parts: list = []  # type: ignore[type-arg]
    size = max(1, len(pts) // cuts)
    for i in range(0, len(pts), size):
        parts += ev.threshold(state, "m", pts[i : i + size], params)[1]

    def key(ts: list) -> list:  # type: ignore[type-arg]
        return [(t.change, t.ts, t.grade) for t in ts if t.change is not Change.UPDATE]

    assert key(whole) == key(parts)


@settings(max_examples=200, deadline=None)
@given(series)
def test_raises_and_clears_alternate(raw: list[tuple[int, float]]) -> None:
    params = ev.ThresholdParams(LEVELS, hysteresis=5)
    _, out = ev.threshold(RuleState(), "m", _points(raw), params)
    edges = [t.change for t in out if t.change in (Change.RAISE, Change.CLEAR)]
    assert all(a != b for a, b in itertools.pairwise(edges))
    assert not edges or edges[0] is Change.RAISE
    for t in out:
        if t.change is Change.RAISE:
            assert t.value is not None and t.value >= 25
