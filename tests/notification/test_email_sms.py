"""E-mail through a real local SMTP server (aiosmtpd) and SMS through a local HTTP gateway."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.orm import Session, sessionmaker

from gaswarden.domains.notification import sender
from gaswarden.domains.notification.enums import DeliveryStatus
from gaswarden.settings import Settings
from tests.alarm.helpers import device
from tests.factories import World
from tests.notification.conftest import HttpReceiver
from tests.notification.helpers import outbox, raise_alarm, subscribe


def test_email_arrives_with_a_chinese_subject_and_body(
    session: Session,
    world: World,
    smtp: tuple[int, Any],
    sessions: sessionmaker[Session],
    notify_settings: Settings,
) -> None:
    port, mailbox = smtp
    settings = notify_settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_from": "燃气监管 <alarm@gas.example.cn>",
            "public_url": "https://gas.example.cn/",
        }
    )
    subscribe(
        session,
        channel="email",
        target="duty@ent-a.example.cn",
        audience="enterprise",
        owner_id=world.ids["ent_a"],
    )
    dev = device(session, "SN-NT-MAIL", "well_methane", site_id=world.ids["gate"])
    alarm = raise_alarm(session, dev, value=55.0)  # orange
    assert sender.run_once(sessions, settings) == {"sent": 1}
    [(rcpt, msg)] = mailbox.messages
    assert rcpt == ["duty@ent-a.example.cn"]
    assert msg["Subject"] == "【燃气报警】橙色(II级) 新报警:东昌门站 可燃气体浓度超限"
    assert "alarm@gas.example.cn" in msg["From"]
    body = msg.get_content()
    assert "设备 SN-NT-MAIL 可燃气体浓度超限 55%LEL" in body
    assert f"https://gas.example.cn/alarms/{alarm.id}" in body
    assert "Please respond now." in body
    [row] = outbox(session, alarm.id)
    assert row.status is DeliveryStatus.SENT


def test_email_without_a_server_fails_and_says_why(
    session: Session, world: World, sessions: sessionmaker[Session], notify_settings: Settings
) -> None:
    subscribe(
        session,
        channel="email",
        target="duty@ent-a.example.cn",
        audience="enterprise",
        owner_id=world.ids["ent_a"],
    )
    dev = device(session, "SN-NT-NOMAIL", "well_methane", site_id=world.ids["gate"])
    alarm = raise_alarm(session, dev)
    assert sender.run_once(sessions, notify_settings) == {"failed": 1}
    [row] = outbox(session, alarm.id)
    assert row.last_error == "no SMTP server: set GASWARDEN_SMTP_HOST"


def test_sms_gateway_gets_the_short_text(
    session: Session,
    world: World,
    receiver: HttpReceiver,
    sessions: sessionmaker[Session],
    notify_settings: Settings,
) -> None:
    settings = notify_settings.model_copy(
        update={
            "sms_gateway_url": f"{receiver.url}/sms/send",
            "sms_method": "POST",
            "sms_auth_header": "Authorization: Bearer gw-token",
        }
    )
    sub = subscribe(
        session,
        channel="sms",
        target="13800001234",
        audience="enterprise",
        owner_id=world.ids["ent_a"],
    )
    dev = device(session, "SN-NT-SMS", "well_methane", site_id=world.ids["gate"])
    alarm = raise_alarm(session, dev)
    assert sender.run_once(sessions, settings) == {"sent": 1}
    [req] = receiver.requests
    assert req.path == "/sms/send" and req.headers["Authorization"] == "Bearer gw-token"
    doc = req.json()
    assert doc["phone"] == "13800001234"
    assert doc["text"].startswith(
        "【燃气监管】黄色(III级)报警:东昌门站SN-NT-SMS 可燃气体浓度超限 30%LEL,"
    )
    assert doc["text"].endswith("请立即处置。") and len(doc["text"]) <= 70
    # The phone is encrypted at rest and masked when read.
    [row] = outbox(session, alarm.id)
    assert row.subscription_id == sub.id and row.status is DeliveryStatus.SENT


def test_sms_by_get_with_a_custom_template(
    session: Session,
    world: World,
    receiver: HttpReceiver,
    sessions: sessionmaker[Session],
    notify_settings: Settings,
) -> None:
    settings = notify_settings.model_copy(
        update={
            "sms_gateway_url": f"{receiver.url}/send?apikey=k1",
            "sms_method": "GET",
            "sms_phone_field": "mobile",
            "sms_text_field": "content",
            "sms_template": "{grade_zh}:{serial}{value} 编号{alarm_id}",
        }
    )
    subscribe(
        session,
        channel="sms",
        target="13800001234",
        audience="enterprise",
        owner_id=world.ids["ent_a"],
    )
    dev = device(session, "SN-NT-GET", "well_methane", site_id=world.ids["gate"])
    alarm = raise_alarm(session, dev)
    assert sender.run_once(sessions, settings) == {"sent": 1}
    [req] = receiver.requests
    assert req.method == "GET"
    query = parse_qs(urlsplit(req.path).query)
    assert query == {
        "apikey": ["k1"],
        "mobile": ["13800001234"],
        "content": [f"黄色(III级):SN-NT-GET 30%LEL 编号{alarm.id}"],
    }
