"""From a device's HTTP post to a delivered webhook, and the outcome through the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from gaswarden.domains.device.models import Device
from gaswarden.domains.notification import sender
from gaswarden.domains.notification.channels import verify
from gaswarden.settings import Settings
from tests.alarm.helpers import device
from tests.factories import World
from tests.notification.conftest import HttpReceiver


def test_ingested_reading_raises_an_alarm_that_is_delivered(
    client: TestClient,
    session: Session,
    world: World,
    receiver: HttpReceiver,
    sessions: sessionmaker[Session],
    notify_settings: Settings,
) -> None:
    created = client.post(
        "/api/v1/notification-subscriptions",
        json={"channel": "webhook", "target": f"{receiver.url}/gas", "audience": "enterprise"},
        headers=world.headers("ent_a_admin"),
    ).json()
    secret = created["secret"]
    dev_id = device(session, "SN-NT-E2E", "well_methane", site_id=world.ids["gate"])
    session.commit()
    dev = session.get(Device, dev_id)
    assert dev is not None and dev.token
    ts = (datetime.now(UTC) - timedelta(seconds=30)).isoformat().replace("+00:00", "Z")
    body = json.dumps({"ts": ts, "seq": 1, "values": {"methane_lel_pct": 32.5}}).encode()
    r = client.post(
        "/api/v1/ingest/SN-NT-E2E/telemetry",
        content=body,
        headers={"Authorization": f"Bearer {dev.token}"},
    )
    assert r.status_code == 200 and r.json()["accepted"] == 1

    h = world.headers("ent_a_admin")
    [pending] = client.get("/api/v1/notifications", params={"status": "pending"}, headers=h).json()[
        "items"
    ]
    assert pending["subscription_id"] == created["id"] and pending["grade"] == "yellow"

    assert sender.run_once(sessions, notify_settings) == {"sent": 1}
    [req] = receiver.requests
    assert verify(req.body, secret, req.headers["X-GasWarden-Signature"])
    doc = req.json()
    assert doc["serial"] == "SN-NT-E2E" and doc["values"]["last"] == 32.5
    assert doc["alarm_id"] == pending["alarm_id"]

    sent = client.get(f"/api/v1/notifications/{pending['id']}", headers=h).json()
    assert sent["status"] == "sent" and sent["attempts"] == 1 and sent["sent_at"]
    counts = client.get("/api/v1/notifications/counts", headers=h).json()
    assert counts["by_status"]["sent"] >= 1 and counts["by_channel"]["webhook"]["sent"] >= 1
    # Scoped like the alarms: the other enterprise does not see it.
    other = world.headers("ent_b_admin")
    assert client.get(f"/api/v1/notifications/{pending['id']}", headers=other).status_code == 404
    assert client.get("/api/v1/notifications/counts", headers=other).json()["total"] == 0
    # Only failed or dead deliveries are sent again.
    again = client.post(f"/api/v1/notifications/{pending['id']}/retry", headers=h)
    assert again.status_code == 409


def test_dead_delivery_is_retried_by_an_admin(
    client: TestClient,
    session: Session,
    world: World,
    receiver: HttpReceiver,
    sessions: sessionmaker[Session],
    notify_settings: Settings,
) -> None:
    from tests.notification.helpers import outbox, raise_alarm, subscribe

    subscribe(
        session,
        channel="webhook",
        target=f"{receiver.url}/x",
        audience="enterprise",
        owner_id=world.ids["ent_a"],
    )
    receiver.fail_first = 1
    settings = notify_settings.model_copy(update={"notify_max_attempts": 1})
    dev = device(session, "SN-NT-REVIVE", "well_methane", site_id=world.ids["gate"])
    alarm = raise_alarm(session, dev)
    session.commit()
    assert sender.run_once(sessions, settings) == {"dead": 1}
    [row] = outbox(session, alarm.id)
    h = world.headers("ent_a_admin")
    listed = client.get(
        "/api/v1/notifications", params={"status": "dead", "alarm_id": alarm.id}, headers=h
    ).json()
    assert [n["id"] for n in listed["items"]] == [row.id]
    assert listed["items"][0]["last_error"] == "HTTP 503 Service Unavailable"
    assert (
        client.post(
            f"/api/v1/notifications/{row.id}/retry", headers=world.headers("ent_a_staff")
        ).status_code
        == 403
    )
    r = client.post(f"/api/v1/notifications/{row.id}/retry", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "pending" and r.json()["attempts"] == 0
    assert sender.run_once(sessions, settings) == {"sent": 1}
