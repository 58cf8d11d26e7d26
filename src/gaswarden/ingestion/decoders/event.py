"""Events: `{"ts", "event": <EventKind>, "detail": {...}, "snapshot_url"?}`."""

from __future__ import annotations

from typing import Any

from gaswarden.ingestion.contract import DeviceEvent, EventKind, RejectReason
from gaswarden.ingestion.decoders.common import (
    Context,
    Decoded,
    Refused,
    optional_text,
    parse_json,
    parse_ts,
    rejection,
    require_finite,
    require_object,
)

MAX_DETAIL_KEYS = 50


def event_kind(raw: Any, allowed: frozenset[EventKind] | None = None) -> EventKind:
    if not isinstance(raw, str):
        raise Refused(RejectReason.WRONG_TYPE, '"event" must be text')
    try:
        kind = EventKind(raw)
    except ValueError:
        raise Refused(RejectReason.UNKNOWN_EVENT, f"unknown event {raw[:64]!r}") from None
    if allowed is not None and kind not in allowed:
        raise Refused(RejectReason.UNKNOWN_EVENT, f"event {raw!r} is not a camera event")
    return kind


def snapshot(raw: Any) -> str | None:
    url = optional_text(raw, "snapshot_url", 1000)
    if url is not None and not url.startswith(("http://", "https://")):
        raise Refused(RejectReason.BAD_SHAPE, "snapshot_url must be an http(s) URL")
    return url


def decode(payload: bytes, ctx: Context) -> Decoded:
    out = Decoded()
    try:
        obj = require_object(parse_json(payload), "event")
        kind = event_kind(obj.get("event"))
        ts = parse_ts(obj.get("ts"), ctx)
        detail = obj.get("detail") or {}
        detail = require_object(detail, '"detail"')
        if len(detail) > MAX_DETAIL_KEYS:
            raise Refused(RejectReason.OVERSIZE, f'"detail" has more than {MAX_DETAIL_KEYS} keys')
        require_finite(detail, '"detail"')
        url = snapshot(obj.get("snapshot_url"))
    except Refused as refused:
        out.add(0, rejection(ctx, refused.reason, refused.detail, payload))
        return out
    out.add(0, DeviceEvent(ctx.device_id, ts, kind, detail, url))
    return out
