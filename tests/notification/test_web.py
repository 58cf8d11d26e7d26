"""The notification pages through the TestClient: subscriptions (generic registry pages on the
audited, scoped CrudService) and the outbox page; who may write, who sees what."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.notification import sender
from gaswarden.domains.notification.models import Subscription
from gaswarden.settings import Settings
from tests.alarm.helpers import device
from tests.factories import World
from tests.notification.conftest import HttpReceiver
from tests.notification.helpers import outbox, raise_alarm, subscribe
from tests.test_web_pages import sign_in

PATH = "/notification-subscriptions"


def row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-id="(\d+)"', html)]


def test_enterprise_admin_creates_edits_and_deletes_a_subscription(
    client: TestClient, session: Session, world: World
) -> None:
    token = sign_in(client, "ent_a_admin")
    home = client.get("/").text
    assert f'href="{PATH}"' in home and "报警通知" in home  # in the navigation
    form = client.get(f"{PATH}/new")
    assert form.status_code == 200
    for name in ("channel", "target", "audience", "owner_id", "area_id", "min_grade", "secret"):
        assert f'name="{name}"' in form.text, name

    bad = client.post(
        f"{PATH}/new",
        data={
            "csrf_token": token,
            "channel": "sms",
            "target": "12345",
            "audience": "enterprise",
            "min_grade": "orange",
        },
    )
    assert bad.status_code == 422 and 'data-field="target"' in bad.text

    r = client.post(
        f"{PATH}/new",
        data={
            "csrf_token": token,
            "name": "值班短信",
            "channel": "sms",
            "target": "13800001234",
            "audience": "enterprise",
            "min_grade": "orange",
            "active": "true",
            "reason": "值班安排",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    sub_id = int(r.headers["location"].split("/")[2].split("?")[0])
    sub = session.get(Subscription, sub_id)
    assert sub is not None and sub.owner_id == world.ids["ent_a"]  # the caller's own by default
    assert sub.target == "13800001234" and sub.min_grade.value == "orange"

    listing = client.get(PATH).text
    assert sub_id in row_ids(listing)
    assert "138****1234" in listing and "13800001234" not in listing  # masked
    assert "值班短信" in listing and "橙色(II级)" in listing
    assert 'href="/notifications"' in listing  # the outbox is one click away
    detail = client.get(f"{PATH}/{sub_id}").text
    assert "值班短信" in detail and "13800001234" not in detail

    r = client.post(
        f"{PATH}/{sub_id}/edit",
        data={
            "csrf_token": token,
            "name": "值班短信",
            "target": "",  # protected: empty keeps the number
            "audience": "enterprise",
            "min_grade": "red",
            "active": "true",
            "reason": "只报红色",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    session.expire_all()
    sub = session.get(Subscription, sub_id)
    assert sub is not None and sub.min_grade.value == "red" and sub.target == "13800001234"

    r = client.post(
        f"{PATH}/{sub_id}/delete",
        data={"csrf_token": token, "reason": "停用"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    session.expire_all()
    assert session.get(Subscription, sub_id) is None

    actions = session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "notification_subscription")
        .where(AuditEntry.entity_id == sub_id)
        .order_by(AuditEntry.id)
    ).all()
    assert [str(a) for a in actions] == ["create", "update", "delete"]


def test_a_viewer_sees_but_cannot_create_edit_or_delete(
    client: TestClient, session: Session, world: World
) -> None:
    sub = subscribe(
        session,
        channel="webhook",
        target="https://hooks.example.cn/reg",
        audience="regulator",
        owner_id=world.ids["reg"],
    )
    session.commit()
    token = sign_in(client, "viewer")
    listing = client.get(PATH)
    assert listing.status_code == 200 and sub.id in row_ids(listing.text)
    assert "data-new" not in listing.text
    assert client.get(f"{PATH}/new").status_code == 403
    r = client.post(
        f"{PATH}/new",
        data={
            "csrf_token": token,
            "channel": "webhook",
            "target": "https://evil.example.com/x",
            "audience": "regulator",
        },
    )
    assert r.status_code == 403
    assert client.get(f"{PATH}/{sub.id}/edit").status_code == 403
    r = client.post(f"{PATH}/{sub.id}/delete", data={"csrf_token": token, "reason": "x"})
    assert r.status_code == 403
    session.expire_all()
    assert session.get(Subscription, sub.id) is not None  # still there
    assert "https://evil.example.com/x" not in session.scalars(select(Subscription.target)).all()


def test_subscriptions_are_scoped_to_the_organisation(
    client: TestClient, session: Session, world: World
) -> None:
    mine = subscribe(
        session,
        channel="email",
        target="duty@ent-a.example.cn",
        audience="enterprise",
        owner_id=world.ids["ent_a"],
    )
    theirs = subscribe(
        session,
        channel="email",
        target="duty@ent-b.example.cn",
        audience="enterprise",
        owner_id=world.ids["ent_b"],
    )
    session.commit()
    sign_in(client, "ent_b_admin")
    ids = row_ids(client.get(PATH).text)
    assert theirs.id in ids and mine.id not in ids
    assert client.get(f"{PATH}/{mine.id}").status_code == 404  # out of scope reads as 404
    assert client.get(f"{PATH}/{mine.id}/edit").status_code == 404
    # An enterprise cannot make a subscription for another enterprise's alarms.
    token = sign_in(client, "ent_b_admin")
    r = client.post(
        f"{PATH}/new",
        data={
            "csrf_token": token,
            "channel": "email",
            "target": "spy@ent-b.example.cn",
            "audience": "enterprise",
            "owner_id": str(world.ids["ent_a"]),
        },
    )
    assert r.status_code in (403, 404, 422)
    assert "spy@ent-b.example.cn" not in session.scalars(select(Subscription.target)).all()


def test_outbox_page_shows_sent_and_failed_deliveries_in_scope(
    client: TestClient,
    session: Session,
    world: World,
    receiver: HttpReceiver,
    sessions: sessionmaker[Session],
    notify_settings: Settings,
) -> None:
    subscribe(
        session,
        channel="webhook",
        target=f"{receiver.url}/ok",
        audience="enterprise",
        owner_id=world.ids["ent_a"],
        secret="a-webhook-secret-for-the-page",
    )
    subscribe(
        session,
        channel="email",  # no SMTP server configured: fails, with the reason
        target="duty@ent-a.example.cn",
        audience="enterprise",
        owner_id=world.ids["ent_a"],
    )
    dev = device(session, "SN-NT-PAGE", "well_methane", site_id=world.ids["gate"])
    alarm = raise_alarm(session, dev)
    session.commit()
    assert sender.run_once(sessions, notify_settings) == {"sent": 1, "failed": 1}
    rows = {r.channel.value: r for r in outbox(session, alarm.id)}

    token = sign_in(client, "ent_a_admin")
    page = client.get("/notifications", params={"alarm_id": alarm.id})
    assert page.status_code == 200
    html = page.text
    assert f'<tr data-id="{rows["webhook"].id}" data-status="sent">' in html
    assert f'<tr data-id="{rows["email"].id}" data-status="failed">' in html
    assert "no SMTP server: set GASWARDEN_SMTP_HOST" in html
    assert "d***@ent-a.example.cn" in html and "duty@ent-a.example.cn" not in html
    assert "已送达" in html and "发送失败(将重试)" in html and "SN-NT-PAGE" in html
    assert html.count("data-retry") == 1  # only the failed one, for an admin
    only_failed = client.get("/notifications", params={"status": "failed", "alarm_id": alarm.id})
    assert row_ids(only_failed.text) == [rows["email"].id]

    # Retry from the page: back to pending at attempt 0, audited.
    r = client.post(
        f"/notifications/{rows['email'].id}/retry",
        data={"csrf_token": token, "next": f"/notifications?alarm_id={alarm.id}"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/notifications?alarm_id={alarm.id}"
    [row] = [n for n in outbox(session, alarm.id) if n.channel.value == "email"]
    assert (row.status.value, row.attempts) == ("pending", 0)

    # Read-only roles see the outbox without the retry button; they may not retry.
    token = sign_in(client, "ent_a_staff")
    html = client.get("/notifications", params={"alarm_id": alarm.id}).text
    assert rows["webhook"].id in row_ids(html) and "data-retry" not in html
    r = client.post(f"/notifications/{rows['email'].id}/retry", data={"csrf_token": token})
    assert r.status_code == 403
    # Another enterprise sees none of it.
    sign_in(client, "ent_b_admin")
    assert row_ids(client.get("/notifications", params={"alarm_id": alarm.id}).text) == []


def test_a_new_webhook_signing_key_is_shown_once_and_audited(
    client: TestClient, session: Session, world: World
) -> None:
    token = sign_in(client, "ent_a_admin")
    r = client.post(
        f"{PATH}/new",
        data={
            "csrf_token": token,
            "channel": "webhook",
            "target": "https://dispatch.ent-a.example.cn/gas",
            "audience": "enterprise",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    sub_id = int(r.headers["location"].split("/")[2].split("?")[0])
    detail = client.get(f"{PATH}/{sub_id}").text
    assert f'action="{PATH}/{sub_id}/secret"' in detail
    sub = session.get(Subscription, sub_id)
    assert sub is not None and sub.secret  # generated on creation
    old = sub.secret
    assert old not in detail

    page = client.post(f"{PATH}/{sub_id}/secret", data={"csrf_token": token})
    assert page.status_code == 200
    match = re.search(r"<code[^>]*data-secret>([^<]+)</code>", page.text)
    assert match is not None
    session.expire_all()
    sub = session.get(Subscription, sub_id)
    assert sub is not None and sub.secret == match.group(1) != old
    assert match.group(1) not in client.get(f"{PATH}/{sub_id}").text  # shown that once only
    entry = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "notification_subscription")
        .where(AuditEntry.entity_id == sub_id)
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None and str(entry.action) == "notification_secret"
    assert match.group(1) not in str(entry.changes) and old not in str(entry.changes)

    # Read-only roles cannot; an e-mail subscription has no key.
    viewer = sign_in(client, "viewer")
    assert client.post(f"{PATH}/{sub_id}/secret", data={"csrf_token": viewer}).status_code in (
        403,
        404,
    )
    email = subscribe(
        session,
        channel="email",
        target="duty@ent-a.example.cn",
        audience="enterprise",
        owner_id=world.ids["ent_a"],
    )
    session.commit()
    token = sign_in(client, "ent_a_admin")
    assert f'action="{PATH}/{email.id}/secret"' not in client.get(f"{PATH}/{email.id}").text
    r = client.post(f"{PATH}/{email.id}/secret", data={"csrf_token": token})
    assert r.status_code == 422
