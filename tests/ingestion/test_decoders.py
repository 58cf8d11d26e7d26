"""Decoders: real payload samples, every kind of bad input with its reason, and fuzzing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaswarden.ingestion.contract import (
    MAX_BATCH_ITEMS,
    MAX_PAYLOAD_BYTES,
    DeviceEvent,
    EventKind,
    Reading,
    Rejection,
    RejectReason,
    StatusReport,
)
from gaswarden.ingestion.decoders import DECODERS, Context

PAYLOADS = Path(__file__).parent.parent / "fixtures" / "payloads"
NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
CTX = Context(transport="mqtt", topic="t", serial="SN-1", device_id=7, received_at=NOW)


def decode(kind: str, payload: bytes | str | object) -> list:  # type: ignore[type-arg]
    if isinstance(payload, str):
        payload = payload.encode()
    elif not isinstance(payload, bytes):
        payload = json.dumps(payload).encode()
    return [item.result for item in DECODERS[kind](payload, CTX).items]


def fixture(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def reasons(results: list) -> list[RejectReason]:  # type: ignore[type-arg]
    return [r.reason for r in results if isinstance(r, Rejection)]


def test_pressure_monitor_sample() -> None:
    results = decode("telemetry", fixture("pressure_monitor_telemetry.json"))
    assert {r.metric: r.value for r in results} == {
        "pressure_kpa": 231.4,
        "temperature_c": 6.5,
        "battery_pct": 87.0,
        "rssi_dbm": -71.0,
    }
    first = results[0]
    assert isinstance(first, Reading)
    assert first.ts == datetime(2026, 11, 29, 0, 15, tzinfo=UTC)
    assert first.seq == 10472 and first.device_id == 7


def test_catch_up_array_in_epoch_ms() -> None:
    results = decode("telemetry", fixture("well_methane_catchup.json"))
    assert all(isinstance(r, Reading) for r in results) and len(results) == 6
    lel = [r for r in results if r.metric == "methane_lel_pct"]
    assert [r.seq for r in lel] == [311, 312, 313]
    assert lel[0].ts == datetime(2026, 11, 29, tzinfo=UTC)
    assert lel[2].ts - lel[0].ts == timedelta(minutes=10)


def test_other_samples() -> None:
    household = decode("telemetry", fixture("household_alarm_telemetry.json"))
    assert {r.metric: r.value for r in household}["valve_open"] == 1.0
    laser = decode("telemetry", fixture("laser_methane_telemetry.json"))
    assert laser[0].metric == "methane_ppm_m"
    (event,) = decode("event", fixture("well_intrusion_event.json"))
    assert isinstance(event, DeviceEvent) and event.event is EventKind.INTRUSION
    assert event.detail == {"cover": "open", "tilt_deg": 38}
    (beat,) = decode("status", fixture("status_heartbeat.json"))
    assert isinstance(beat, StatusReport) and beat.online and beat.firmware == "PM-2.4.1"
    (will,) = decode("status", fixture("status_last_will.json"))
    assert isinstance(will, StatusReport) and not will.online and will.ts == NOW
    (smoke,) = decode("camera", fixture("camera_smoke.json"))
    assert isinstance(smoke, DeviceEvent) and smoke.event is EventKind.SMOKE
    assert smoke.snapshot_url and smoke.snapshot_url.endswith(".jpg")
    assert smoke.detail["zone"] == "压缩机房"


GOOD_TS = "2026-11-29T02:00:00Z"


@pytest.mark.parametrize(
    ("kind", "payload", "reason", "detail"),
    [
        ("telemetry", '{"ts": ', RejectReason.MALFORMED_JSON, "Expecting value"),
        ("telemetry", b"\xff\xfe{}", RejectReason.MALFORMED_JSON, "not UTF-8"),
        ("telemetry", "[1, 2]", RejectReason.BAD_SHAPE, "must be a JSON object"),
        ("telemetry", "[]", RejectReason.BAD_SHAPE, "empty array"),
        ("telemetry", '"hello"', RejectReason.BAD_SHAPE, "got string"),
        ("telemetry", '{"ts": "2026-11-29T02:00:00Z"}', RejectReason.BAD_SHAPE, '"values"'),
        ("telemetry", {"values": {"pressure_kpa": "2.3"}}, RejectReason.WRONG_TYPE, "string"),
        ("telemetry", {"values": {"pressure_kpa": True}}, RejectReason.WRONG_TYPE, "boolean"),
        ("telemetry", {"values": {"pressure_kpa": 1}, "seq": 1.5}, RejectReason.WRONG_TYPE, "seq"),
        ("telemetry", {"ts": True, "values": {"co_ppm": 1}}, RejectReason.WRONG_TYPE, "ts"),
        ("telemetry", '{"values": {"pressure_kpa": NaN}}', RejectReason.NOT_FINITE, "nan"),
        ("telemetry", '{"values": {"co_ppm": Infinity}}', RejectReason.NOT_FINITE, "inf"),
        ("telemetry", '{"values": {"co_ppm": -Infinity}}', RejectReason.NOT_FINITE, "inf"),
        ("telemetry", '{"values": {"co_ppm": 1e999}}', RejectReason.NOT_FINITE, "inf"),
        (
            "telemetry",
            {"values": {"methane_lel_pct": 140}},
            RejectReason.IMPOSSIBLE_VALUE,
            "0 .. 100",
        ),
        ("telemetry", {"values": {"battery_pct": -3}}, RejectReason.IMPOSSIBLE_VALUE, "battery"),
        ("telemetry", {"values": {"co_ppm": 10**400}}, RejectReason.IMPOSSIBLE_VALUE, "co_ppm"),
        (
            "telemetry",
            {"ts": "2026-11-29T04:00:00Z", "values": {"co_ppm": 1}},
            RejectReason.TS_FUTURE,
            "ahead",
        ),
        (
            "telemetry",
            {"ts": 1895910400000, "values": {"co_ppm": 1}},
            RejectReason.TS_FUTURE,
            "ahead",
        ),
        (
            "telemetry",
            {"ts": "2026-09-01T00:00:00Z", "values": {"co_ppm": 1}},
            RejectReason.TS_PAST,
            "older",
        ),
        ("telemetry", {"ts": 0, "values": {"co_ppm": 1}}, RejectReason.TS_PAST, "older"),
        (
            "telemetry",
            {"ts": "yesterday", "values": {"co_ppm": 1}},
            RejectReason.BAD_SHAPE,
            "RFC 3339",
        ),
        (
            "telemetry",
            {"ts": "2026-11-29T02:00:00", "values": {"co_ppm": 1}},
            RejectReason.BAD_SHAPE,
            "offset",
        ),
        (
            "telemetry",
            {"values": {"pressure_psi": 30}},
            RejectReason.UNKNOWN_METRIC,
            "pressure_psi",
        ),
        ("telemetry", b"[" + b"1," * MAX_PAYLOAD_BYTES + b"1]", RejectReason.OVERSIZE, "bytes"),
        (
            "telemetry",
            [{"values": {"co_ppm": 1}}] * (MAX_BATCH_ITEMS + 1),
            RejectReason.OVERSIZE,
            "items",
        ),
        ("telemetry", "[" * 100_000 + "]" * 100_000, RejectReason.OVERSIZE, "bytes"),
        ("telemetry", "[" * 30_000 + "]" * 30_000, RejectReason.MALFORMED_JSON, "JSON"),
        ("event", {"event": "alien_landing"}, RejectReason.UNKNOWN_EVENT, "alien_landing"),
        ("event", {"event": 3}, RejectReason.WRONG_TYPE, "event"),
        ("event", {"event": "tamper", "detail": [1]}, RejectReason.BAD_SHAPE, "detail"),
        (
            "event",
            {"event": "tamper", "ts": "2026-12-29T00:00:00Z"},
            RejectReason.TS_FUTURE,
            "ahead",
        ),
        ("status", {"online": "yes"}, RejectReason.WRONG_TYPE, "online"),
        ("status", {"battery_pct": 150}, RejectReason.IMPOSSIBLE_VALUE, "battery_pct"),
        ("status", {"firmware": 12}, RejectReason.WRONG_TYPE, "firmware"),
        (
            "camera",
            {"event": "intrusion", "snapshot_url": "https://x/y.jpg"},
            RejectReason.UNKNOWN_EVENT,
            "camera",
        ),
        (
            "camera",
            {"event": "fire", "snapshot_url": "file:///etc/passwd"},
            RejectReason.BAD_SHAPE,
            "http",
        ),
        ("camera", {"event": "fire", "confidence": 7}, RejectReason.IMPOSSIBLE_VALUE, "confidence"),
    ],
)
def test_bad_input_is_refused_with_reason(
    kind: str, payload: object, reason: RejectReason, detail: str
) -> None:
    results = decode(kind, payload)
    rejected = [r for r in results if isinstance(r, Rejection)]
    assert rejected, results
    assert rejected[0].reason is reason
    assert detail.lower() in rejected[0].detail.lower()
    assert rejected[0].transport == "mqtt" and rejected[0].serial == "SN-1"


def test_array_keeps_good_items_and_refuses_bad_ones_one_by_one() -> None:
    payload = [
        {"ts": GOOD_TS, "seq": 1, "values": {"pressure_kpa": 230.0}},
        {"ts": "garbage", "values": {"pressure_kpa": 231.0}},
        {"ts": GOOD_TS, "seq": 3, "values": {"pressure_kpa": 99999.0, "battery_pct": 50}},
        "not an object",
        {"ts": "2026-11-29T02:05:00Z", "seq": 5, "values": {"pressure_kpa": 232.0}},
    ]
    items = DECODERS["telemetry"](json.dumps(payload).encode(), CTX).items
    good = [(i.index, i.metric) for i in items if isinstance(i.result, Reading)]
    bad = [(i.index, i.result.reason) for i in items if isinstance(i.result, Rejection)]
    assert good == [(0, "pressure_kpa"), (2, "battery_pct"), (4, "pressure_kpa")]
    assert bad == [
        (1, RejectReason.BAD_SHAPE),
        (2, RejectReason.IMPOSSIBLE_VALUE),
        (3, RejectReason.BAD_SHAPE),
    ]
    # each quarantined item carries its own payload, not the whole array
    rejected = [i.result for i in items if isinstance(i.result, Rejection)]
    assert b"99999" in rejected[1].payload and b"garbage" not in rejected[1].payload
    assert rejected[1].detail.startswith("item 2:")


JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "ts",
                    "seq",
                    "values",
                    "event",
                    "detail",
                    "online",
                    "battery_pct",
                    "pressure_kpa",
                    "snapshot_url",
                    "confidence",
                    "x",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


def _ok(results: list) -> None:  # type: ignore[type-arg]
    for r in results:
        assert isinstance(r, Reading | DeviceEvent | StatusReport | Rejection)
        if isinstance(r, Rejection):
            assert isinstance(r.reason, RejectReason) and r.detail


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(DECODERS)), payload=st.binary(max_size=300))
def test_fuzz_any_bytes(kind: str, payload: bytes) -> None:
    _ok(decode(kind, payload))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(DECODERS)), doc=JSONISH)
def test_fuzz_json_shaped(kind: str, doc: object) -> None:
    _ok(decode(kind, json.dumps(doc, allow_nan=True).encode()))


@settings(max_examples=200, deadline=None)
@given(
    values=st.dictionaries(
        st.sampled_from(["pressure_kpa", "methane_lel_pct", "valve_open", "co_ppm", "nope"]),
        st.one_of(st.floats(), st.integers(), st.booleans(), st.text(max_size=3)),
        min_size=1,
    ),
    ts=st.one_of(st.integers(), st.floats(), st.text(max_size=30), st.datetimes().map(str)),
)
def test_fuzz_telemetry_fields(values: dict, ts: object) -> None:  # type: ignore[type-arg]
    _ok(decode("telemetry", json.dumps({"ts": ts, "values": values}).encode()))
