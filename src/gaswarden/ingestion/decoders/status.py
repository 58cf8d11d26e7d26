"""Status: heartbeat `{"ts", "online": true, "battery_pct", "rssi_dbm", "firmware"}`; the Last
Will `{"online": false}` marks the device offline."""

from __future__ import annotations

from typing import Any

from gaswarden.ingestion.contract import RejectReason, StatusReport
from gaswarden.ingestion.decoders.common import (
    Context,
    Decoded,
    Refused,
    metric_value,
    optional_text,
    parse_json,
    parse_ts,
    rejection,
    require_object,
)


def _optional_metric(name: str, raw: Any) -> float | None:
    return None if raw is None else metric_value(name, raw)


def decode(payload: bytes, ctx: Context) -> Decoded:
    out = Decoded()
    try:
        obj = require_object(parse_json(payload), "status")
        online = obj.get("online", True)
        if not isinstance(online, bool):
            raise Refused(RejectReason.WRONG_TYPE, '"online" must be true or false')
        report = StatusReport(
            device_id=ctx.device_id,
            ts=parse_ts(obj.get("ts"), ctx),
            online=online,
            battery_pct=_optional_metric("battery_pct", obj.get("battery_pct")),
            rssi_dbm=_optional_metric("rssi_dbm", obj.get("rssi_dbm")),
            firmware=optional_text(obj.get("firmware"), "firmware", 64),
        )
    except Refused as refused:
        out.add(0, rejection(ctx, refused.reason, refused.detail, payload))
        return out
    out.add(0, report)
    return out
