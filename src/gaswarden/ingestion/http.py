"""HTTP ingestion for devices and gateways that cannot speak MQTT, and the camera webhook.

Each request is one pipeline batch in the request's transaction. The answer says, per item,
accepted / duplicate / rejected with the reason. A wrong token or unknown serial answers 401
(and is kept in quarantine: the response is returned, not raised, so that the row commits).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from gaswarden.core.problems import PROBLEM
from gaswarden.deps import SessionDep
from gaswarden.ingestion import consumers
from gaswarden.ingestion.contract import MAX_PAYLOAD_BYTES, MessageKind, RejectReason
from gaswarden.ingestion.pipeline import Message, Outcome, Pipeline

router = APIRouter(prefix="/ingest", tags=["ingest"])

AUTH_REFUSALS = {RejectReason.BAD_TOKEN, RejectReason.UNKNOWN_DEVICE}
MAX_GATEWAY_ITEMS = 500


def pipeline_of(request: Request) -> Pipeline:
    state = request.app.state
    pipeline = getattr(state, "ingest_pipeline", None)
    if pipeline is None:
        pipeline = state.ingest_pipeline = Pipeline(consumers=consumers.build(state.settings))
    return pipeline


def bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def summary(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "accepted": sum(1 for i in items if i["status"] == "accepted"),
        "duplicates": sum(1 for i in items if i["status"] == "duplicate"),
        "rejected": sum(1 for i in items if i["status"] == "rejected"),
        "items": items,
    }


def _single(outcome: Outcome, path: str) -> JSONResponse:
    items = [i.as_dict() for i in outcome.messages[0]]
    first = outcome.messages[0][0] if outcome.messages[0] else None
    if first is not None and first.reason in AUTH_REFUSALS:
        body = {
            "type": "about:blank",
            "title": "Not signed in",
            "status": 401,
            "detail": "unknown device or wrong device token 设备编号或令牌错误",
            "instance": path,
        }
        return JSONResponse(
            body, status_code=401, media_type=PROBLEM, headers={"WWW-Authenticate": "Bearer"}
        )
    if first is not None and first.reason is RejectReason.DECOMMISSIONED:
        body = {
            "type": "about:blank",
            "title": "Forbidden",
            "status": 403,
            "detail": first.detail or "decommissioned",
            "instance": path,
        }
        return JSONResponse(body, status_code=403, media_type=PROBLEM)
    return JSONResponse(summary(items))


async def _body(request: Request) -> bytes:
    body = await request.body()
    return body[: MAX_PAYLOAD_BYTES + 1]  # one byte over is enough for the decoder to refuse


def _ingest_one(
    request: Request, session: Any, serial: str, kind: str, body: bytes
) -> JSONResponse:
    message = Message(
        transport="webhook" if kind == "camera" else "http",
        topic=None,
        payload=body,
        received_at=datetime.now(UTC),
        serial=serial,
        kind=kind,
        token=bearer(request),
    )
    outcome = pipeline_of(request).ingest(session, [message], fresh=True)
    return _single(outcome, request.url.path)


@router.post("/camera/{serial}", summary="Camera analytics webhook (smoke, fire, ...)")
async def ingest_camera(serial: str, request: Request, session: SessionDep) -> JSONResponse:
    return _ingest_one(request, session, serial, "camera", await _body(request))


@router.post("/{serial}/{kind}", summary="A device's telemetry, event or status over HTTP")
async def ingest_device(
    serial: str, kind: MessageKind, request: Request, session: SessionDep
) -> JSONResponse:
    return _ingest_one(request, session, serial, kind.value, await _body(request))


class GatewayItem(BaseModel):
    serial: str = Field(max_length=64)
    token: str = Field(max_length=200)
    kind: MessageKind = MessageKind.TELEMETRY
    payload: Any = Field(description="the JSON the device would publish over MQTT")


class GatewayBatch(BaseModel):
    items: list[GatewayItem] = Field(max_length=MAX_GATEWAY_ITEMS)


@router.post("/batch", summary="A gateway's batch: items each naming serial and token")
def ingest_batch(batch: GatewayBatch, request: Request, session: SessionDep) -> JSONResponse:
    now = datetime.now(UTC)
    messages = [
        Message(
            transport="http",
            topic=None,
            payload=json.dumps(item.payload, ensure_ascii=False, allow_nan=True).encode(),
            received_at=now,
            serial=item.serial,
            kind=item.kind.value,
            token=item.token,
        )
        for item in batch.items
    ]
    outcome = pipeline_of(request).ingest(session, messages, fresh=True)
    results = []
    for item, outcomes in zip(batch.items, outcome.messages, strict=True):
        results.append(
            {
                "serial": item.serial,
                "kind": item.kind.value,
                **summary([o.as_dict() for o in outcomes]),
            }
        )
    totals = summary([o.as_dict() for m in outcome.messages for o in m])
    totals.pop("items")
    return JSONResponse({**totals, "results": results})
