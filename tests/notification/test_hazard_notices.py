"""An overdue hazard's escalation goes through the outbox: a signed webhook to the enterprise
head's subscription, then to the regulator's; e-mail and SMS render the hazard's own text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.hazard import overdue, service
from gaswarden.domains.hazard.enums import HazardSource
from gaswarden.domains.notification import messages, sender
from gaswarden.domains.notification.enums import DeliveryStatus
from gaswarden.domains.notification.models import Notification
from gaswarden.rules.grades import Grade
from gaswarden.settings import Settings
from gaswarden.standards.hazards import HazardGrade
from tests.factories import World
from tests.notification.conftest import HttpReceiver
from tests.notification.helpers import subscribe

FOUND = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def test_overdue_hazard_escalation_is_delivered(
    session: Session,
    world: World,
    receiver: HttpReceiver,
    sessions: sessionmaker[Session],
    notify_settings: Settings,
) -> None:
    head = subscribe(
        session,
        channel="webhook",
        target=f"{receiver.url}/head",
        audience="enterprise_admin",
        owner_id=world.ids["ent_a"],
    )
    reg = subscribe(
        session,
        channel="webhook",
        target=f"{receiver.url}/reg",
        audience="regulator",
        owner_id=world.ids["reg"],
    )
    hazard = service.report(
        session=session,
        principal=SYSTEM,
        source=HazardSource.INSPECTION,
        grade=HazardGrade.MAJOR,
        category="储罐",
        title="储罐无液位超限报警",
        site_id=world.ids["gate"],
        found_at=FOUND,
        assign=True,
        now=FOUND,
    )
    late = datetime.combine(hazard.deadline, datetime.min.time(), UTC) + timedelta(days=1, hours=2)
    overdue.sweep(session, late)
    rows = list(session.scalars(select(Notification).where(Notification.hazard_id == hazard.id)))
    assert [(r.subscription_id, r.reason, r.grade, r.alarm_id) for r in rows] == [
        (head.id, "hazard_overdue", Grade.RED, None)
    ]
    session.commit()
    assert sender.run_once(sessions, notify_settings) == {"sent": 1}
    [req] = receiver.requests
    doc = req.json()
    assert req.path == "/head" and doc["hazard_id"] == hazard.id and doc["code"] == hazard.code
    assert "隐患逾期督办" in doc["text_zh"] and doc["link"] == f"/hazards/{hazard.id}"

    overdue.sweep(session, late + timedelta(days=7))  # level 2: the regulator
    session.commit()
    assert sender.run_once(sessions, notify_settings) == {"sent": 1}
    assert [r.path for r in receiver.requests] == ["/head", "/reg"]
    session.expire_all()
    rows = list(
        session.scalars(
            select(Notification)
            .where(Notification.hazard_id == hazard.id)
            .order_by(Notification.id)
        )
    )
    assert [(r.subscription_id, r.status) for r in rows] == [
        (head.id, DeliveryStatus.SENT),
        (reg.id, DeliveryStatus.SENT),
    ]
    # The e-mail and SMS texts are the hazard's own, not the alarm template's.
    p = doc
    assert messages.subject(p).startswith("【隐患督办】") and hazard.code in messages.subject(p)
    assert hazard.code in messages.email_body(p, None)
    assert messages.sms_text(p, None).startswith("【燃气监管】[重大隐患] 隐患逾期督办")
