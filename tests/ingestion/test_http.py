"""HTTP ingestion, the camera webhook, the gateway batch, and the telemetry read API."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.orm import Session

from gaswarden.domains.telemetry.models import HourlyRollup
from tests.factories import World
from tests.ingestion.helpers import ago, credentials, iso, now, telemetry


def post(client: TestClient, path: str, token: str, body: bytes) -> dict:  # type: ignore[type-arg]
    r = client.post(
        f"/api/v1/ingest/{path}", content=body, headers={"Authorization": f"Bearer {token}"}
    )
    return {"status": r.status_code, **r.json()}


def test_device_posts_telemetry_and_reads_it_back(
    client: TestClient, session: Session, world: World
) -> None:
    serial, token = credentials(session, world.ids["dev_gate"])
    t = ago(minutes=2)
    body = json.dumps(
        [
            {"ts": iso(t), "seq": 1, "values": {"pressure_kpa": 250.5, "battery_pct": 90}},
            {
                "ts": iso(t + timedelta(seconds=30)),
                "seq": 2,
                "values": {"pressure_kpa": 251.0, "volts": 3},
            },
            {"ts": "nonsense", "values": {"pressure_kpa": 1}},
        ]
    ).encode()
    r = post(client, f"{serial}/telemetry", token, body)
    assert r["status"] == 200
    assert (r["accepted"], r["duplicates"], r["rejected"]) == (3, 0, 2)
    rejected = [i for i in r["items"] if i["status"] == "rejected"]
    assert [(i["index"], i["reason"]) for i in rejected] == [
        (1, "unknown_metric"),
        (2, "bad_shape"),
    ]
    again = post(client, f"{serial}/telemetry", token, body)
    assert (again["accepted"], again["duplicates"]) == (0, 3)

    headers = world.headers("reg_admin")
    latest = client.get(f"/api/v1/devices/{world.ids['dev_gate']}/latest", headers=headers).json()
    assert {x["metric"]: x["value"] for x in latest} == {"battery_pct": 90.0, "pressure_kpa": 251.0}
    assert latest[1]["unit"] == "kPa"
    series = client.get(
        f"/api/v1/devices/{world.ids['dev_gate']}/readings",
        params={"metric": "pressure_kpa", "from": iso(t - timedelta(hours=1))},
        headers=headers,
    ).json()
    assert series[0]["resolution"] == "raw" and series[0]["value"] == [250.5, 251.0]
    # out of scope reads as not found
    other = client.get(
        f"/api/v1/devices/{world.ids['dev_gate']}/latest", headers=world.headers("ent_b_admin")
    )
    assert other.status_code == 404

    health = client.get("/api/v1/telemetry/health", headers=headers).json()
    row = next(i for i in health["items"] if i["serial"] == serial)
    assert row["online"] and row["battery_pct"] == 90.0 and row["rejections"] == 4
    rates = client.get("/api/v1/telemetry/online-rate", headers=headers).json()
    ent_a = next(x for x in rates if x["owner_id"] == row["owner_id"])
    assert ent_a["online"] >= 1 and 0 < ent_a["online_rate"] <= 1


def test_wrong_token_unknown_device_and_decommissioned(
    client: TestClient, session: Session, world: World
) -> None:
    serial, token = credentials(session, world.ids["dev_box"])
    body = telemetry(ago(minutes=1), pressure_kpa=3.0)
    r = client.post(
        f"/api/v1/ingest/{serial}/telemetry", content=body, headers={"Authorization": "Bearer nope"}
    )
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    assert client.post(f"/api/v1/ingest/{serial}/telemetry", content=body).status_code == 401
    assert post(client, "SN-UNKNOWN-9/telemetry", token, body)["status"] == 401
    headers = world.headers("reg_admin")
    page = client.get(
        "/api/v1/telemetry/quarantine",
        params={"reason": "bad_token", "serial": serial},
        headers=headers,
    ).json()
    assert page["total"] == 2 and page["items"][0]["transport"] == "http"
    unknown = client.get(
        "/api/v1/telemetry/quarantine", params={"serial": "SN-UNKNOWN-9"}, headers=headers
    ).json()
    assert unknown["items"][0]["reason"] == "unknown_device"
    # an enterprise sees its own devices' refusals, not another's nor unclaimed ones
    ent_b = client.get("/api/v1/telemetry/quarantine", headers=world.headers("ent_b_admin")).json()
    assert all(i["serial"] != serial and i["serial"] != "SN-UNKNOWN-9" for i in ent_b["items"])

    client.patch(
        f"/api/v1/devices/{world.ids['dev_box']}",
        json={"status": "decommissioned"},
        headers=headers,
    )
    r2 = client.post(
        f"/api/v1/ingest/{serial}/telemetry",
        content=body,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r2.status_code == 403 and "decommissioned" in r2.json()["detail"]


def test_event_status_camera_and_gateway_batch(
    client: TestClient, session: Session, world: World
) -> None:
    serial, token = credentials(session, world.ids["dev_fill"])
    sup_serial, sup_token = credentials(session, world.ids["dev_sup"])
    event = post(
        client,
        f"{serial}/event",
        token,
        json.dumps({"event": "intrusion", "detail": {"cover": "open"}}).encode(),
    )
    assert event["accepted"] == 1
    status = post(
        client, f"{serial}/status", token, b'{"online": true, "battery_pct": 55, "firmware": "1.2"}'
    )
    assert status["accepted"] == 1
    smoke = {
        "ts": iso(now()),
        "event": "smoke",
        "snapshot_url": "https://nvr/1.jpg",
        "confidence": 0.9,
    }
    cam = post(client, f"camera/{serial}", token, json.dumps(smoke).encode())
    assert cam["accepted"] == 1
    assert post(client, f"camera/{serial}", token, json.dumps(smoke).encode())["duplicates"] == 1
    bad = post(client, f"camera/{serial}", token, json.dumps({**smoke, "event": "tamper"}).encode())
    assert bad["items"][0]["reason"] == "unknown_event"

    t = ago(minutes=1)
    batch = {
        "items": [
            {
                "serial": serial,
                "token": token,
                "payload": {"ts": iso(t), "values": {"pressure_kpa": 10}},
            },
            {
                "serial": sup_serial,
                "token": "wrong",
                "payload": {"ts": iso(t), "values": {"pressure_kpa": 11}},
            },
            {
                "serial": sup_serial,
                "token": sup_token,
                "kind": "event",
                "payload": {"event": "tamper"},
            },
        ]
    }
    r = client.post("/api/v1/ingest/batch", json=batch).json()
    assert (r["accepted"], r["rejected"]) == (2, 1)
    assert r["results"][1]["items"][0]["reason"] == "bad_token"


def test_a_year_of_history_charts_from_hourly_rollups(
    client: TestClient, session: Session, world: World
) -> None:
    dev = world.ids["dev_sup"]
    start = now().replace(minute=0, second=0) - timedelta(days=365)
    rows = [
        {
            "device_id": dev,
            "metric": "pressure_kpa",
            "hour": start + timedelta(hours=h),
            "min": 1.0,
            "max": 3.0,
            "sum": 8.0,
            "count": 4,
        }
        for h in range(365 * 24)
    ]
    session.execute(insert(HourlyRollup), rows)
    session.flush()
    r = client.get(
        f"/api/v1/devices/{dev}/readings",
        params={"from": iso(start), "to": iso(now()), "metric": "pressure_kpa"},
        headers=world.headers("reg_admin"),
    )
    (series,) = r.json()
    assert series["resolution"] == "hour" and len(series["ts"]) == 365 * 24
    assert series["value"][0] == 2.0 and series["min"][0] == 1.0 and series["max"][0] == 3.0
