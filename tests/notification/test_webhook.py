"""Webhook delivery: a signed POST to a real local HTTP receiver; retries with back-off."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from gaswarden.domains.notification import sender
from gaswarden.domains.notification.channels import verify
from gaswarden.domains.notification.enums import DeliveryStatus
from gaswarden.settings import Settings
from tests.alarm.helpers import device
from tests.factories import World
from tests.notification.conftest import HttpReceiver
from tests.notification.helpers import outbox, raise_alarm, subscribe

SECRET = "s3cret-for-the-webhook-test"


def test_alarm_is_posted_signed_to_the_webhook(
    session: Session,
    world: World,
    receiver: HttpReceiver,
    sessions: sessionmaker[Session],
    notify_settings: Settings,
) -> None:
    sub = subscribe(
        session,
        channel="webhook",
        target=f"{receiver.url}/hook",
        audience="enterprise",
        owner_id=world.ids["ent_a"],
        secret=SECRET,
    )
    dev = device(session, "SN-NT-HOOK", "well_methane", site_id=world.ids["gate"])
    alarm = raise_alarm(session, dev)
    [row] = outbox(session, alarm.id)
    assert (row.status, row.attempts, row.subscription_id) == (DeliveryStatus.PENDING, 0, sub.id)
    assert row.payload["serial"] == "SN-NT-HOOK" and row.payload["grade"] == "yellow"

    counts = sender.run_once(sessions, notify_settings)
    assert counts == {"sent": 1}
    [req] = receiver.requests
    assert req.method == "POST" and req.path == "/hook"
    signature = req.headers["X-GasWarden-Signature"]
    expected = "sha256=" + hmac.new(SECRET.encode(), req.body, hashlib.sha256).hexdigest()
    assert signature == expected and verify(req.body, SECRET, signature)
    assert not verify(req.body, "another-secret-entirely", signature)
    doc = req.json()
    assert doc["alarm_id"] == alarm.id and doc["rule"] == "methane_lel"
    assert doc["site"] == "东昌门站" and doc["values"]["last"] == 30.0
    assert doc["link"] == f"/alarms/{alarm.id}" and "可燃气体浓度超限" in doc["text_zh"]
    assert doc["timestamp"] == int(req.headers["X-GasWarden-Timestamp"])
    assert doc["delivery_id"] == row.id == int(req.headers["X-GasWarden-Delivery"])
    [row] = outbox(session, alarm.id)
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 1, None)
    assert row.sent_at is not None
    # Nothing is due any more: a second round sends nothing.
    assert sender.run_once(sessions, notify_settings) == {}
    assert len(receiver.requests) == 1


def test_failing_receiver_is_retried_with_back_off(
    session: Session,
    world: World,
    receiver: HttpReceiver,
    sessions: sessionmaker[Session],
    notify_settings: Settings,
) -> None:
    receiver.fail_first = 2
    subscribe(
        session,
        channel="webhook",
        target=receiver.url,
        audience="enterprise",
        owner_id=world.ids["ent_a"],
    )
    dev = device(session, "SN-NT-RETRY", "well_methane", site_id=world.ids["gate"])
    alarm = raise_alarm(session, dev)
    [row] = outbox(session, alarm.id)
    t0 = row.next_attempt_at + timedelta(seconds=1)

    assert sender.run_once(sessions, notify_settings, now=t0) == {"failed": 1}
    [row] = outbox(session, alarm.id)
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 1)
    assert row.last_error == "HTTP 503 Service Unavailable"
    assert row.next_attempt_at == t0 + timedelta(seconds=2)  # base
    # Not due yet: nothing happens.
    assert sender.run_once(sessions, notify_settings, now=t0 + timedelta(seconds=1)) == {}

    t1 = t0 + timedelta(seconds=2)
    assert sender.run_once(sessions, notify_settings, now=t1) == {"failed": 1}
    [row] = outbox(session, alarm.id)
    assert row.attempts == 2 and row.next_attempt_at == t1 + timedelta(seconds=4)  # doubled

    t2 = t1 + timedelta(seconds=4)
    assert sender.run_once(sessions, notify_settings, now=t2) == {"sent": 1}
    [row] = outbox(session, alarm.id)
    assert (row.status, row.attempts, row.sent_at) == (DeliveryStatus.SENT, 3, t2)
    assert len(receiver.requests) == 3
    # All three carried the same delivery id and a valid signature (with a generated secret).
    assert {r.headers["X-GasWarden-Delivery"] for r in receiver.requests} == {str(row.id)}


def test_unreachable_receiver_ends_dead_after_the_last_attempt(
    session: Session,
    world: World,
    sessions: sessionmaker[Session],
    notify_settings: Settings,
) -> None:
    from tests.notification.conftest import free_port

    subscribe(
        session,
        channel="webhook",
        target=f"http://127.0.0.1:{free_port()}/nobody-listens",
        audience="enterprise",
        owner_id=world.ids["ent_a"],
    )
    dev = device(session, "SN-NT-DEAD", "well_methane", site_id=world.ids["gate"])
    alarm = raise_alarm(session, dev)
    [row] = outbox(session, alarm.id)
    now = row.next_attempt_at
    waits = []
    for _ in range(notify_settings.notify_max_attempts):
        now += timedelta(seconds=100)
        sender.run_once(sessions, notify_settings, now=now)
        [row] = outbox(session, alarm.id)
        waits.append((row.next_attempt_at - now).total_seconds())
    assert row.status is DeliveryStatus.DEAD and row.attempts == 4
    assert row.last_error and row.last_error.startswith("no answer")
    # 2, 4, 8 s, then dead (its lease time stays: it is never taken again).
    assert waits[:3] == [2.0, 4.0, 8.0]
    assert sender.backoff_s(10, notify_settings) == 10.0  # capped
    assert sender.run_once(sessions, notify_settings, now=now + timedelta(days=1)) == {}
