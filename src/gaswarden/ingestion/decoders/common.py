"""What every decoder shares: strict JSON, timestamps, values checked against METRICS."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from gaswarden.ingestion.contract import (
    MAX_BACKLOG,
    MAX_CLOCK_AHEAD,
    MAX_PAYLOAD_BYTES,
    METRICS,
    DeviceEvent,
    Reading,
    Rejection,
    RejectReason,
    StatusReport,
)

Result = Reading | DeviceEvent | StatusReport | Rejection
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LONG_NUMBER = re.compile(rb"\d{19}")
_NUMBER = (int, float)  # isinstance with a tuple: cheaper than with int | float
_TS_TYPES = (int, float, str)
_FAST_MAX_BRACKETS = 500  # below Python's recursion limit, which bounds the careful parser


class Refused(Exception):
    """Raised inside a decoder; turned into a Rejection of the message or item at hand."""

    def __init__(self, reason: RejectReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail[:500]


@dataclass(slots=True)
class Context:
    """Where a message came from; the device is already known (the pipeline checked it)."""

    transport: str
    topic: str | None
    serial: str | None
    device_id: int
    received_at: datetime


@dataclass(slots=True)
class Item:
    """One outcome of decoding: `index` is the position in a JSON array (0 for an object)."""

    index: int
    result: Result
    metric: str | None = None


@dataclass(slots=True)
class Decoded:
    items: list[Item] = field(default_factory=list)

    def add(self, index: int, result: Result, metric: str | None = None) -> None:
        self.items.append(Item(index, result, metric))


def rejection(ctx: Context, reason: RejectReason, detail: str, payload: bytes) -> Rejection:
    return Rejection(
        reason=reason,
        detail=detail[:500],
        transport=ctx.transport,
        topic=ctx.topic,
        serial=ctx.serial,
        device_id=ctx.device_id,
        payload=payload,
        received_at=ctx.received_at,
    )


def item_bytes(value: Any) -> bytes:
    """An item of an array, re-encoded for its quarantine row."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=True).encode()[:4096]
    except (TypeError, ValueError, RecursionError):
        return repr(value).encode()[:4096]


def parse_json(payload: bytes) -> Any:
    """The document, or Refused. NaN/Infinity literals parse (to be refused per value)."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise Refused(
            RejectReason.OVERSIZE, f"payload is {len(payload)} bytes; limit {MAX_PAYLOAD_BYTES}"
        )
    if (
        b"\\u" not in payload
        and payload.count(b"[") + payload.count(b"{") < _FAST_MAX_BRACKETS
        and not _LONG_NUMBER.search(payload)
    ):
        # Fast path: orjson takes what is plainly valid; anything it refuses (NaN literals,
        # bad UTF-8, syntax errors) goes the careful way below, which names the reason.
        # Escapes, integers past 64 bits (which orjson would read as floats) and documents
        # that could nest deeper than the careful way allows go that way at once.
        try:
            return orjson.loads(payload)
        except orjson.JSONDecodeError:
            pass
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(
            RejectReason.MALFORMED_JSON, f"not UTF-8: {exc.reason} at byte {exc.start}"
        ) from None
    try:
        doc = json.loads(text)
        if "\\u" in text:  # an escaped lone surrogate is valid JSON but not storable text
            json.dumps(doc, ensure_ascii=False).encode("utf-8")
        return doc
    except UnicodeEncodeError:
        raise Refused(RejectReason.MALFORMED_JSON, "invalid \\u escape (lone surrogate)") from None
    except json.JSONDecodeError as exc:
        raise Refused(
            RejectReason.MALFORMED_JSON, f"{exc.msg} at line {exc.lineno} col {exc.colno}"
        ) from None
    except (ValueError, RecursionError) as exc:  # huge integers, deep nesting
        raise Refused(RejectReason.MALFORMED_JSON, f"unreadable JSON: {str(exc)[:200]}") from None


def require_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Refused(RejectReason.BAD_SHAPE, f"{what} must be a JSON object, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, _NUMBER):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def parse_ts(raw: Any, ctx: Context) -> datetime:
    """RFC 3339 string or epoch milliseconds -> aware UTC, within the contract's window.

    A missing ts means "now" (devices without a clock).
    """
    now = ctx.received_at
    if raw is None:
        return now
    if isinstance(raw, bool) or not isinstance(raw, _TS_TYPES):
        raise Refused(
            RejectReason.WRONG_TYPE, f"ts must be RFC 3339 text or epoch ms, got {_kind(raw)}"
        )
    if isinstance(raw, str):
        try:
            ts = datetime.fromisoformat(raw)
            if ts.tzinfo is not None:
                ts = ts.astimezone(UTC)
        except (ValueError, OverflowError):
            raise Refused(RejectReason.BAD_SHAPE, f"ts {raw[:40]!r} is not RFC 3339") from None
        if ts.tzinfo is None:
            raise Refused(RejectReason.BAD_SHAPE, f"ts {raw[:40]!r} has no UTC offset")
    else:
        if not math.isfinite(raw):
            raise Refused(RejectReason.NOT_FINITE, "ts is NaN or infinite")
        low = (now - MAX_BACKLOG - _EPOCH) / timedelta(milliseconds=1)
        high = (now + MAX_CLOCK_AHEAD - _EPOCH) / timedelta(milliseconds=1)
        if raw < low:
            raise Refused(
                RejectReason.TS_PAST, f"ts {raw} ms is older than {MAX_BACKLOG.days} days"
            )
        if raw > high:
            raise Refused(RejectReason.TS_FUTURE, f"ts {raw} ms is ahead of the server clock")
        ts = _EPOCH + timedelta(milliseconds=raw)
    if ts > now + MAX_CLOCK_AHEAD:
        raise Refused(
            RejectReason.TS_FUTURE,
            f"ts {ts.isoformat()} is {(ts - now).total_seconds():.0f} s ahead of the server clock",
        )
    if ts < now - MAX_BACKLOG:
        raise Refused(
            RejectReason.TS_PAST, f"ts {ts.isoformat()} is older than {MAX_BACKLOG.days} days"
        )
    return ts


def parse_seq(raw: Any) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise Refused(RejectReason.WRONG_TYPE, f"seq must be an integer, got {_kind(raw)}")
    if not 0 <= raw < 2**63:
        raise Refused(RejectReason.IMPOSSIBLE_VALUE, "seq must be 0 .. 2^63-1")
    return raw


def metric_value(name: Any, raw: Any) -> float:
    """A value of a known metric as float, or Refused with the reason."""
    metric = METRICS.get(name) if isinstance(name, str) else None
    if metric is None:
        raise Refused(RejectReason.UNKNOWN_METRIC, f"unknown metric {str(name)[:64]!r}")
    if isinstance(raw, bool):
        if not metric.boolean:
            raise Refused(RejectReason.WRONG_TYPE, f"{metric.name} must be a number, got boolean")
        return 1.0 if raw else 0.0
    if not isinstance(raw, _NUMBER):
        raise Refused(RejectReason.WRONG_TYPE, f"{metric.name} must be a number, got {_kind(raw)}")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise Refused(RejectReason.NOT_FINITE, f"{metric.name} is {raw}")
    if not metric.low <= raw <= metric.high:
        raise Refused(
            RejectReason.IMPOSSIBLE_VALUE,
            f"{metric.name} = {str(raw)[:32]} {metric.unit} is outside the possible range "
            f"{metric.low:g} .. {metric.high:g}",
        )
    return float(raw)


def optional_text(raw: Any, name: str, limit: int) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise Refused(RejectReason.WRONG_TYPE, f"{name} must be text, got {_kind(raw)}")
    if len(raw) > limit:
        raise Refused(RejectReason.OVERSIZE, f"{name} is longer than {limit} characters")
    return raw


def require_finite(value: Any, what: str, depth: int = 0) -> None:
    """Free-form JSON (an event's detail) must hold no NaN or infinity: databases refuse them."""
    if isinstance(value, float) and not math.isfinite(value):
        raise Refused(RejectReason.NOT_FINITE, f"{what} holds NaN or infinity")
    if isinstance(value, dict):
        for v in value.values():
            require_finite(v, what, depth + 1)
    elif isinstance(value, list):
        for v in value:
            require_finite(v, what, depth + 1)
