"""Telemetry: `{"ts", "seq", "values": {metric: value}}` or an array of such objects.

Good items (and good values of an item) are kept; each bad one becomes its own Rejection.
"""

from __future__ import annotations

from typing import Any

from gaswarden.ingestion.contract import MAX_BATCH_ITEMS, Reading, RejectReason
from gaswarden.ingestion.decoders.common import (
    Context,
    Decoded,
    Item,
    Refused,
    item_bytes,
    metric_value,
    parse_json,
    parse_seq,
    parse_ts,
    rejection,
    require_object,
)


def decode(payload: bytes, ctx: Context) -> Decoded:
    out = Decoded()
    try:
        doc = parse_json(payload)
        if isinstance(doc, list):
            if not doc:
                raise Refused(RejectReason.BAD_SHAPE, "empty array")
            if len(doc) > MAX_BATCH_ITEMS:
                raise Refused(
                    RejectReason.OVERSIZE, f"array of {len(doc)} items; limit {MAX_BATCH_ITEMS}"
                )
            items = doc
        else:
            items = [require_object(doc, "telemetry")]
    except Refused as refused:
        out.add(0, rejection(ctx, refused.reason, refused.detail, payload))
        return out
    single = not isinstance(doc, list)
    for index, item in enumerate(items):
        raw = payload if single else item_bytes(item)
        prefix = "" if single else f"item {index}: "
        decode_item(item, ctx, out, index, raw, prefix)
    return out


def decode_item(item: Any, ctx: Context, out: Decoded, index: int, raw: bytes, prefix: str) -> None:
    try:
        obj = require_object(item, "telemetry item")
        values = obj.get("values")
        if values is None:
            raise Refused(RejectReason.BAD_SHAPE, 'missing "values" object')
        values = require_object(values, '"values"')
        if not values:
            raise Refused(RejectReason.BAD_SHAPE, '"values" is empty')
        ts = parse_ts(obj.get("ts"), ctx)
        seq = parse_seq(obj.get("seq"))
    except Refused as refused:
        out.add(index, rejection(ctx, refused.reason, prefix + refused.detail, raw))
        return
    device_id, append = ctx.device_id, out.items.append
    for name, value in values.items():
        try:
            number = metric_value(name, value)
        except Refused as refused:
            bad = item_bytes({"ts": obj.get("ts"), "seq": obj.get("seq"), "values": {name: value}})
            out.add(index, rejection(ctx, refused.reason, prefix + refused.detail, bad), str(name))
            continue
        append(Item(index, Reading(device_id, name, ts, number, seq), name))
