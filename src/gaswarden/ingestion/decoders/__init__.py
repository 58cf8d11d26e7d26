"""Payload formats -> normalised objects (contract.Reading, DeviceEvent, StatusReport) or
Rejections. One module per format; none of them raises on any input."""

from __future__ import annotations

from collections.abc import Callable

from gaswarden.ingestion.contract import MessageKind
from gaswarden.ingestion.decoders import camera, event, status, telemetry
from gaswarden.ingestion.decoders.common import Context, Decoded, Item

Decoder = Callable[[bytes, Context], Decoded]

DECODERS: dict[str, Decoder] = {
    MessageKind.TELEMETRY.value: telemetry.decode,
    MessageKind.EVENT.value: event.decode,
    MessageKind.STATUS.value: status.decode,
    "camera": camera.decode,
}

__all__ = ["DECODERS", "Context", "Decoded", "Decoder", "Item"]
