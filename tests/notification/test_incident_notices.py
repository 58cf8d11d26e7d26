"""An emergency incident's contacts are told by SMS through the outbox: one notice per contact
the grade reaches, delivered by the same sender and gateway as alarm notices, listed on the
outbox page with a link to the incident."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gaswarden.domains.notification import sender
from gaswarden.domains.notification.enums import Channel, DeliveryStatus
from gaswarden.domains.notification.models import Notification
from gaswarden.settings import Settings
from tests.factories import World
from tests.notification.conftest import HttpReceiver
from tests.test_web_pages import sign_in

API = "/api/v1/emergency"


def test_the_contacts_get_an_sms_of_the_incident(
    client: TestClient,
    session: Session,
    world: World,
    receiver: HttpReceiver,
    sessions: sessionmaker[Session],
    notify_settings: Settings,
) -> None:
    h = world.headers("reg_admin")
    for name, phone, grade in (("值班科长", "13800001111", "IV"), ("区长", "13800002222", "I")):
        r = client.post(
            f"{API}/contacts",
            json={
                "name": name,
                "title": name,
                "unit": "区住建局",
                "phone": phone,
                "min_grade": grade,
            },
            headers=h,
        )
        assert r.status_code == 201, r.text
    reported = datetime.now(UTC) - timedelta(minutes=5)
    r = client.post(
        f"{API}/incidents",
        json={
            "title": "调压箱泄漏",
            "grade": "III",
            "source": "call",
            "site_id": world.ids["box"],
            "reported_at": reported.isoformat(),
        },
        headers=world.headers("reg_staff"),
    )
    assert r.status_code == 201, r.text
    incident = r.json()
    r = client.post(f"{API}/incidents/{incident['id']}/notify", json={}, headers=h)
    assert r.status_code == 200, r.text
    event = r.json()["events"][-1]
    assert [c["name"] for c in event["data"]["contacts"]] == ["值班科长"]  # III: not the 区长
    [queued] = event["data"]["sms_queued"]
    row = session.get(Notification, queued)
    assert row is not None and row.channel is Channel.SMS and row.reason == "incident"
    assert row.alarm_id is None and row.payload["incident_id"] == incident["id"]

    settings = notify_settings.model_copy(
        update={"sms_gateway_url": f"{receiver.url}/sms", "sms_method": "POST"}
    )
    assert sender.run_once(sessions, settings) == {"sent": 1}
    [req] = receiver.requests
    doc = req.json()
    assert doc["phone"] == "13800001111"
    assert doc["text"].startswith(
        f"【燃气监管】[III级(较大)]应急事件 {incident['code']}:调压箱泄漏"
    )
    session.expire_all()
    sent = session.scalars(select(Notification).where(Notification.reason == "incident")).all()
    assert [n.status for n in sent] == [DeliveryStatus.SENT]

    sign_in(client, "reg_admin")
    page = client.get("/notifications").text
    assert f'href="/emergency/incidents/{incident["id"]}" data-incident' in page
    assert "138****1111" in page and "13800001111" not in page
