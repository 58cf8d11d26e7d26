"""The SMS notices of an incident to its emergency contacts, through the notification outbox
(the same sender, retries and SMS gateway as alarm notices; shown on the outbox page)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from gaswarden.domains.emergency.enums import IncidentGrade
from gaswarden.domains.emergency.models import EmergencyContact, Incident
from gaswarden.domains.notification.enums import Audience, Channel, DeliveryStatus
from gaswarden.domains.notification.models import Notification
from gaswarden.rules.grades import Grade

REASON = "incident"
# The outbox files notices under the four warning colours: grade I is red ... IV blue.
GRADE_COLOUR: dict[IncidentGrade, Grade] = {
    IncidentGrade.I: Grade.RED,
    IncidentGrade.II: Grade.ORANGE,
    IncidentGrade.III: Grade.YELLOW,
    IncidentGrade.IV: Grade.BLUE,
}


def payload(incident: Incident, *, timezone: str) -> dict[str, Any]:
    """The notice, JSON-safe, with its own rendered texts (like a hazard notice)."""
    when = f"{incident.reported_at.astimezone(ZoneInfo(timezone)):%m-%d %H:%M}"
    where = incident.address or (incident.site.name if incident.site else "")
    text_zh = (
        f"[{incident.grade.zh}]应急事件 {incident.code}:{incident.title},{where},"
        f"{when}接报。请按预案响应。"
    )
    text_en = (
        f"[{incident.grade.en}] Incident {incident.code}: {incident.title}, {where}, "
        f"reported {when}. Respond as the plan requires."
    )
    return {
        "incident_id": incident.id,
        "code": incident.code,
        "reason": REASON,
        "grade": incident.grade.value,
        "grade_zh": incident.grade.zh,
        "site": where,
        "owner_id": incident.owner_id,
        "area_id": incident.area_id,
        "text_zh": text_zh,
        "text_en": text_en,
        "link": f"/emergency/incidents/{incident.id}",
    }


def enqueue(
    session: Session,
    incident: Incident,
    contacts: list[EmergencyContact],
    *,
    now: datetime,
    timezone: str,
) -> list[Notification]:
    """One SMS per contact, queued for the sender (flushed with the incident, not committed)."""
    notice = payload(incident, timezone=timezone)
    rows = []
    for contact in contacts:
        row = Notification(
            owner_id=incident.owner_id,
            area_id=incident.area_id,
            site_id=incident.site_id,
            channel=Channel.SMS,
            target=contact.phone,
            audience=Audience.REGULATOR if contact.owner_id is None else Audience.ENTERPRISE,
            grade=GRADE_COLOUR[incident.grade],
            reason=REASON,
            payload={**notice, "contact": contact.name},
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows
