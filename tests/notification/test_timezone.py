"""Alarm notices show their times in the deployment's zone (`settings.timezone`), not in a
fixed Asia/Shanghai: webhook JSON and texts, the SMS text and the e-mail body."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from gaswarden.domains.notification import sender
from gaswarden.settings import Settings
from tests.alarm.helpers import device
from tests.factories import World
from tests.notification.conftest import HttpReceiver
from tests.notification.helpers import raise_alarm, subscribe

# UTC+05:30 all year: never the same wall-clock time as Shanghai (UTC+08:00).
ZONE = "Asia/Kolkata"


def test_webhook_and_sms_times_are_in_the_configured_zone(
    session: Session,
    world: World,
    receiver: HttpReceiver,
    sessions: sessionmaker[Session],
    notify_settings: Settings,
) -> None:
    settings = notify_settings.model_copy(
        update={
            "timezone": ZONE,
            "webhook_secret": "a-deployment-wide-webhook-secret",
            "sms_gateway_url": f"{receiver.url}/sms",
        }
    )
    subscribe(
        session,
        channel="webhook",
        target=f"{receiver.url}/hook",
        audience="enterprise",
        owner_id=world.ids["ent_a"],
    )
    subscribe(
        session,
        channel="sms",
        target="13800001234",
        audience="enterprise",
        owner_id=world.ids["ent_a"],
    )
    dev = device(session, "SN-NT-TZ", "well_methane", site_id=world.ids["gate"])
    alarm = raise_alarm(session, dev)
    local = alarm.raised_at.astimezone(ZoneInfo(ZONE))
    shanghai = alarm.raised_at.astimezone(ZoneInfo("Asia/Shanghai"))

    assert sender.run_once(sessions, settings) == {"sent": 2}
    by_path = {r.path: r for r in receiver.requests}
    doc: dict[str, Any] = by_path["/hook"].json()
    assert doc["raised_local"] == f"{local:%Y-%m-%d %H:%M:%S}"
    assert doc["timezone"] == ZONE
    assert f"报警时间 {local:%Y-%m-%d %H:%M:%S}" in doc["text_zh"]
    assert f"raised {local:%Y-%m-%d %H:%M:%S}" in doc["text_en"]
    assert f"{shanghai:%H:%M:%S}" not in doc["text_zh"] + doc["text_en"]
    assert doc["raised_at"] == alarm.raised_at.isoformat()  # UTC stays as it was

    sms = by_path["/sms"].json()["text"]
    assert f",{local:%m-%d %H:%M}。" in sms
    assert f"{shanghai:%m-%d %H:%M}" not in sms


def test_email_body_time_is_in_the_configured_zone(
    session: Session,
    world: World,
    smtp: tuple[int, Any],
    sessions: sessionmaker[Session],
    notify_settings: Settings,
) -> None:
    port, mailbox = smtp
    settings = notify_settings.model_copy(
        update={"timezone": "America/New_York", "smtp_host": "127.0.0.1", "smtp_port": port}
    )
    subscribe(
        session,
        channel="email",
        target="duty@ent-a.example.cn",
        audience="enterprise",
        owner_id=world.ids["ent_a"],
    )
    dev = device(session, "SN-NT-TZMAIL", "well_methane", site_id=world.ids["gate"])
    alarm = raise_alarm(session, dev)
    assert sender.run_once(sessions, settings) == {"sent": 1}
    [(_, msg)] = mailbox.messages
    body = msg.get_content()
    local = alarm.raised_at.astimezone(ZoneInfo("America/New_York"))
    shanghai = alarm.raised_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"报警时间 {local:%Y-%m-%d %H:%M:%S}" in body
    assert f"raised {local:%Y-%m-%d %H:%M:%S}" in body
    assert f"{shanghai:%Y-%m-%d %H:%M:%S}" not in body


def test_the_api_shows_stored_deliveries_in_the_configured_zone(
    client: TestClient, session: Session, world: World
) -> None:
    subscribe(
        session,
        channel="sms",
        target="13800138000",
        audience="enterprise",
        owner_id=world.ids["ent_a"],
    )
    dev = device(session, "SN-NT-TZAPI", "well_methane", site_id=world.ids["gate"])
    alarm = raise_alarm(session, dev)
    session.flush()
    app_settings = client.app.state.settings  # type: ignore[attr-defined]
    client.app.state.settings = app_settings.model_copy(update={"timezone": ZONE})  # type: ignore[attr-defined]
    try:
        h = world.headers("ent_a_admin")
        [row] = client.get(
            "/api/v1/notifications", params={"alarm_id": alarm.id}, headers=h
        ).json()["items"]
        one = client.get(f"/api/v1/notifications/{row['id']}", headers=h).json()
    finally:
        client.app.state.settings = app_settings  # type: ignore[attr-defined]
    local = alarm.raised_at.astimezone(ZoneInfo(ZONE))
    shanghai = alarm.raised_at.astimezone(ZoneInfo("Asia/Shanghai"))
    for payload in (row["payload"], one["payload"]):
        assert payload["timezone"] == ZONE
        assert f"{local:%H:%M}" in payload["text_zh"]
        assert f"{shanghai:%H:%M}" not in payload["text_zh"]
