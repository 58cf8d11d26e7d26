"""The pure rule functions: thresholds, duration in device time, hysteresis, rate, events."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
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
    assert out[0].ts == at(120) and 0.5 < out[0].detail["drop_per_min"] < 0.7
    assert out[0].detail["over_s"] >= 60 and out[0].detail["from"] > 1.9
    # A large gap says nothing.
    _, out = ev.rate_of_change(state, "d", [(at(10_000), 0.1)], params)
    assert out == []


def noisy(
    seconds: int, level: Callable[[float], float], sigma: float, seed: int = 7
) -> list[tuple[datetime, float]]:
    """One reading a second: `level(t)` plus gaussian sensor noise, three decimals."""
    rng = random.Random(seed)
    return [(at(t), round(level(t) + rng.gauss(0, sigma), 3)) for t in range(seconds)]


DROP = ev.RateParams(drop_per_min=0.2)  # a 2 kPa outlet: 10 % of nominal a minute


def test_rate_noise_between_readings_a_second_apart_raises_nothing() -> None:
    # Half an hour at 2 kPa with 1 % noise and a slow sag of 0.05 kPa/min.
    pts = noisy(1800, lambda t: 2.0 - 0.05 * t / 60, sigma=0.02)
    _, out = ev.rate_of_change(RuleState(), "d", pts, DROP)
    assert out == []
    # Compared reading to reading (no window), the same noise reads as a sudden drop.
    _, out = ev.rate_of_change(RuleState(), "d", pts, replace(DROP, window_s=0))
    assert out and out[0].change is Change.RAISE


def test_rate_real_fall_raises_at_once_and_clears_when_it_stops() -> None:
    # Steady for 5 min, then a fall to 0.3 kPa within 10 s, held there for 10 min.
    def level(t: float) -> float:
        return 2.0 if t < 300 else max(0.3, 2.0 - 0.17 * (t - 300))

    pts = noisy(1500, level, sigma=0.02)
    _, out = ev.rate_of_change(RuleState(), "d", pts, DROP)
    raise_, clear = out
    assert raise_.change is Change.RAISE and at(300) < raise_.ts <= at(303)
    assert raise_.detail["drop_per_min"] >= 0.2 and raise_.detail["over_s"] >= 60
    assert clear.change is Change.CLEAR and at(310) < clear.ts < at(600)
    assert clear.peak == min(v for ts, v in pts if raise_.ts < ts <= clear.ts)
    # In batches: each one that ends with the alarm active ends with an update (last value,
    # lowest value of the batch).
    state = RuleState()
    _, out = ev.rate_of_change(state, "d", pts[:320], DROP)
    assert [t.change for t in out] == [Change.RAISE, Change.UPDATE]
    assert out[1].value == pts[319][1] and out[1].peak == min(v for _, v in pts[303:320])


def test_rate_measures_a_steady_fall_at_its_slope() -> None:
    slow = noisy(900, lambda t: 2.0 - 0.15 * t / 60, sigma=0.01)
    assert ev.rate_of_change(RuleState(), "d", slow, DROP)[1] == []
    fast = noisy(900, lambda t: 2.0 - 0.3 * t / 60, sigma=0.01)
    _, out = ev.rate_of_change(RuleState(), "d", fast, DROP)
    assert out[0].change is Change.RAISE and at(30) < out[0].ts < at(120)
    # Measured at 0.3 kPa/min, not more: a set point 20 % above the slope stays quiet.
    assert ev.rate_of_change(RuleState(), "d", fast, replace(DROP, drop_per_min=0.36))[1] == []


def test_rate_readings_minutes_apart_compare_with_the_one_before() -> None:
    params = ev.RateParams(drop_per_min=0.2)
    pts = [(at(0), 2.0), (at(300), 2.0), (at(600), 0.9), (at(900), 0.88)]
    _, out = ev.rate_of_change(RuleState(), "d", pts, params)
    assert [t.change for t in out] == [Change.RAISE, Change.CLEAR]
    assert out[0].detail["drop_per_min"] == pytest.approx(0.22, abs=0.002)
    assert 300 <= out[0].detail["over_s"] < 305


def test_rate_state_without_a_reference_starts_one() -> None:
    """A state saved before the window existed (last reading only) starts a reference."""
    state = RuleState(last_ts=at(0), last_value=2.0)
    _, out = ev.rate_of_change(state, "d", [(at(1), 1.0)], DROP)
    assert out == [] and state.pending_since == at(1) and state.peak == 1.0
    _, out = ev.rate_of_change(state, "d", [(at(2), 0.5)], DROP)
    assert [t.change for t in out] == [Change.RAISE]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.0, 3.0), min_size=2, max_size=60), st.integers(1, 5))
def test_rate_batch_boundaries_do_not_change_the_outcome(values: list[float], cuts: int) -> None:
    pts = [(at(5 * i), v) for i, v in enumerate(values)]
    _, whole = ev.rate_of_change(RuleState(), "d", pts, DROP)
    state = RuleState()
    parts: list = []  # type: ignore[type-arg]
    size = max(1, len(pts) // cuts)
    for i in range(0, len(pts), size):
        parts += ev.rate_of_change(state, "d", pts[i : i + size], DROP)[1]

    def key(ts: list) -> list:  # type: ignore[type-arg]
        return [(t.change, t.ts, t.detail) for t in ts if t.change is not Change.UPDATE]

    assert key(whole) == key(parts)
    edges = [t.change for t in whole if t.change is not Change.UPDATE]
    assert all(a != b for a, b in itertools.pairwise(edges))


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


@settings(max_examples=200, deadline=None)
@given(series, series, st.sampled_from(["above", "below"]))
def test_the_quiet_shortcut_gives_what_the_full_loop_gives(
    before: list[tuple[int, float]], raw: list[tuple[int, float]], direction: str
) -> None:
    """A list of points may take the all-quiet shortcut; an iterator always takes the loop.
    Same states and transitions either way, including after earlier inputs."""
    levels = LEVELS if direction == "above" else parse_levels([[20, "blue"], [10, "yellow"]])
    params = ev.ThresholdParams(levels, direction=direction, hysteresis=5, duration_s=10)
    first, second = RuleState(), RuleState()
    ev.threshold(first, "m", iter(_points(before)), params)
    ev.threshold(second, "m", iter(_points(before)), params)
    late = [(at(s + 1800), v) for s, v in raw]  # after, or among, the earlier inputs
    _, shortcut = ev.threshold(first, "m", sorted(set(late)), params)
    _, loop = ev.threshold(second, "m", iter(sorted(set(late))), params)
    assert first == second and shortcut == loop
