"""Camera analytics webhook (station video docking).

`{"ts", "event": "smoke"|"fire"|"open_flame"|"smoking"|"restricted_zone"|"no_ppe",
"snapshot_url", "confidence"?, "channel"?, "zone"?}`; anything else the camera sends is kept in
the event's detail.
"""

from __future__ import annotations

import math

from gaswarden.ingestion.contract import CAMERA_EVENTS, DeviceEvent, RejectReason
from gaswarden.ingestion.decoders.common import (
    Context,
    Decoded,
    Refused,
    parse_json,
    parse_ts,
    rejection,
    require_finite,
    require_object,
)
from gaswarden.ingestion.decoders.event import MAX_DETAIL_KEYS, event_kind, snapshot


def decode(payload: bytes, ctx: Context) -> Decoded:
    out = Decoded()
    try:
        obj = require_object(parse_json(payload), "camera event")
        kind = event_kind(obj.get("event"), CAMERA_EVENTS)
        ts = parse_ts(obj.get("ts"), ctx)
        url = snapshot(obj.get("snapshot_url"))
        confidence = obj.get("confidence")
        if confidence is not None:
            if isinstance(confidence, bool) or not isinstance(confidence, int | float):
                raise Refused(RejectReason.WRONG_TYPE, '"confidence" must be a number')
            if not math.isfinite(confidence):
                raise Refused(RejectReason.NOT_FINITE, '"confidence" is NaN or infinite')
            if not 0 <= confidence <= 1:
                raise Refused(RejectReason.IMPOSSIBLE_VALUE, '"confidence" must be 0 .. 1')
        detail = {k: v for k, v in obj.items() if k not in ("ts", "event", "snapshot_url")}
        if len(detail) > MAX_DETAIL_KEYS:
            raise Refused(RejectReason.OVERSIZE, f"more than {MAX_DETAIL_KEYS} fields")
        require_finite(detail, "camera event")
    except Refused as refused:
        out.add(0, rejection(ctx, refused.reason, refused.detail, payload))
        return out
    out.add(0, DeviceEvent(ctx.device_id, ts, kind, detail, url))
    return out
