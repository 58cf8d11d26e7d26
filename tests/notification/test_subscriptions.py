"""Subscriptions through the API: scoped, audited, secrets shown once, phones masked; which
alarms reach which subscription (organisation, area, minimum grade); the outbox is written
in the alarm's transaction."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gaswarden.db.session import unit_of_work
from gaswarden.domains.alarm import notify
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.notification.enums import Audience
from gaswarden.domains.notification.models import Notification, Subscription
from tests.alarm.helpers import device
from tests.factories import World
from tests.notification.helpers import outbox, raise_alarm, subscribe

API = "/api/v1/notification-subscriptions"


def test_audiences_match_the_alarm_domain() -> None:
    assert tuple(a.value for a in Audience) == notify.AUDIENCES


def test_enterprise_admin_manages_only_its_own(client: TestClient, world: World) -> None:
    h = world.headers("ent_a_admin")
    r = client.post(
        API,
        json={"channel": "sms", "target": "13912345678", "audience": "enterprise"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    own = r.json()
    assert own["owner_id"] == world.ids["ent_a"] and own["target"] == "139****5678"
    assert own["secret"] is None and own["has_secret"] is False
    # Another enterprise's alarms: cannot be subscribed to.
    r = client.post(
        API,
        json={
            "channel": "email",
            "target": "x@example.cn",
            "audience": "enterprise",
            "owner_id": world.ids["ent_b"],
        },
        headers=h,
    )
    assert r.status_code == 422 and "owner_id" in r.text
    theirs = client.post(
        API,
        json={"channel": "email", "target": "duty@b.example.cn", "audience": "enterprise_admin"},
        headers=world.headers("ent_b_admin"),
    ).json()
    listed = client.get(API, headers=h).json()
    assert [s["id"] for s in listed["items"]] == [own["id"]]
    assert client.get(f"{API}/{theirs['id']}", headers=h).status_code == 404
    assert (
        client.patch(f"{API}/{theirs['id']}", json={"active": False}, headers=h).status_code == 404
    )
    # Staff may read, not manage.
    staff = world.headers("ent_a_staff")
    assert client.get(API, headers=staff).json()["total"] == 1
    r = client.post(
        API,
        json={"channel": "sms", "target": "13912345678", "audience": "enterprise"},
        headers=staff,
    )
    assert r.status_code == 403
    # The regulator admin sees both; every write is audited.
    reg = client.get(API, headers=world.headers("reg_admin")).json()
    assert {own["id"], theirs["id"]} <= {s["id"] for s in reg["items"]}
    assert theirs["target"] == "d***@b.example.cn"
    audit = client.get(
        "/api/v1/audit-log",
        params={"entity_type": "notification_subscription", "action": "create"},
        headers=world.headers("reg_admin"),
    ).json()
    assert {own["id"], theirs["id"]} <= {e["entity_id"] for e in audit["items"]}
    assert all("13912345678" not in str(e) for e in audit["items"])  # masked in the log


def test_webhook_secret_is_shown_once_and_checked(client: TestClient, world: World) -> None:
    h = world.headers("reg_admin")
    r = client.post(
        API,
        json={
            "channel": "webhook",
            "target": "https://dispatch.example.cn/gas",
            "audience": "regulator",
            "min_grade": "orange",
            "area_id": world.ids["t1"],
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["owner_id"] == world.ids["reg"] and len(created["secret"]) >= 32
    read = client.get(f"{API}/{created['id']}", headers=h).json()
    assert read["has_secret"] is True and "secret" not in read
    assert read["area_name"] == "古楼街道" and read["min_grade"] == "orange"
    bad = [
        {"channel": "webhook", "target": "ftp://x", "audience": "regulator"},
        {"channel": "email", "target": "not-an-address", "audience": "regulator"},
        {"channel": "sms", "target": "12345", "audience": "regulator"},
        {"channel": "sms", "target": "13912345678", "audience": "regulator", "secret": "x" * 20},
        # the regulator's organisation is no enterprise
        {"channel": "sms", "target": "13912345678", "audience": "enterprise"},
    ]
    for body in bad:
        assert client.post(API, json=body, headers=h).status_code == 422, body


@pytest.mark.parametrize("value, expected", [(30.0, 0), (55.0, 1)])
def test_minimum_grade_is_respected(
    session: Session, world: World, value: float, expected: int
) -> None:
    subscribe(
        session,
        channel="email",
        target="boss@ent-a.example.cn",
        audience="enterprise",
        owner_id=world.ids["ent_a"],
        min_grade="orange",
    )
    dev = device(session, f"SN-NT-MIN-{int(value)}", "well_methane", site_id=world.ids["gate"])
    alarm = raise_alarm(session, dev, value=value)
    assert len(outbox(session, alarm.id)) == expected


def test_who_is_told_by_organisation_area_and_audience(session: Session, world: World) -> None:
    ids = world.ids
    own = subscribe(
        session, channel="sms", target="13900000001", audience="enterprise", owner_id=ids["ent_a"]
    )
    subscribe(  # the other enterprise: never told about ent_a's alarm
        session, channel="sms", target="13900000002", audience="enterprise", owner_id=ids["ent_b"]
    )
    admins = subscribe(  # level 1: not at raise time for a yellow alarm
        session,
        channel="sms",
        target="13900000003",
        audience="enterprise_admin",
        owner_id=ids["ent_a"],
    )
    district = subscribe(
        session, channel="sms", target="13900000004", audience="regulator", owner_id=ids["reg"]
    )
    other_town = subscribe(  # the gate station lies in town 1, not town 2
        session,
        channel="sms",
        target="13900000005",
        audience="regulator",
        owner_id=ids["reg"],
        area_id=ids["t2"],
    )
    inactive = subscribe(
        session,
        channel="sms",
        target="13900000006",
        audience="enterprise",
        owner_id=ids["ent_a"],
        active=False,
    )
    dev = device(session, "SN-NT-WHO", "well_methane", site_id=ids["gate"])
    yellow = raise_alarm(session, dev, value=30.0)
    assert [r.subscription_id for r in outbox(session, yellow.id)] == [own.id]
    orange = raise_alarm(session, dev, value=55.0)  # escalated: the regulator is told at once
    told = {r.subscription_id for r in outbox(session, orange.id)}
    assert district.id in told and own.id in told
    assert not told & {admins.id, other_town.id, inactive.id}
    # An overdue response goes a level up: now the enterprise admins too.
    notify.next_level(session, orange, now=orange.raised_at, reason="ack_overdue")
    session.flush()
    told = {r.subscription_id for r in outbox(session, orange.id) if r.reason == "ack_overdue"}
    assert admins.id in told


def test_a_rolled_back_alarm_leaves_no_outbox_row(
    session: Session, world: World, sessions: sessionmaker[Session]
) -> None:
    subscribe(
        session,
        channel="sms",
        target="13900000001",
        audience="enterprise",
        owner_id=world.ids["ent_a"],
    )
    dev = device(session, "SN-NT-ROLLBACK", "well_methane", site_id=world.ids["gate"])
    session.commit()  # (a SAVEPOINT of the test's transaction) the writer below sees them
    before = session.scalar(select(func.count(Notification.id)))

    class Boom(Exception):
        pass

    with pytest.raises(Boom), unit_of_work(sessions) as writer:
        raise_alarm(writer, dev)
        assert writer.scalar(select(func.count(Notification.id))) == (before or 0) + 1
        raise Boom
    session.expire_all()
    assert session.scalar(select(func.count(Notification.id))) == before
    assert (session.scalar(select(func.count(Subscription.id))) or 0) >= 1
    assert (
        session.scalar(
            select(AuditEntry.id)
            .where(AuditEntry.action == "alarm_raised")
            .where(AuditEntry.entity_label.like("SN-NT-ROLLBACK%"))
        )
        is None
    )
