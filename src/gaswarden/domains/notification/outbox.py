"""Writing the outbox: for one alarm change, a row per matching active subscription, in the
alarm's own transaction (a rolled-back alarm tells no one). Called by alarm.notify."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.alarm.models import Alarm, AlarmEvent
from gaswarden.domains.area.models import Area
from gaswarden.domains.notification import messages
from gaswarden.domains.notification.enums import Audience, DeliveryStatus
from gaswarden.domains.notification.models import Notification, Subscription
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.settings import Settings


def _path(session: Session, area_id: int | None, cache: dict[int, str]) -> str | None:
    if area_id is None:
        return None
    if area_id not in cache:
        cache[area_id] = session.scalar(select(Area.path).where(Area.id == area_id)) or ""
    return cache[area_id]


def matching(session: Session, alarm: Alarm, audiences: list[str]) -> list[Subscription]:
    """Active subscriptions for these audiences that cover the alarm: an enterprise's own
    alarms, a regulator's alarms in its area; then the area filter and the minimum grade."""
    wanted = [Audience(a) for a in audiences if a in Audience._value2member_map_]
    if not wanted:
        return []
    subs = session.scalars(
        select(Subscription)
        .join(Organization, Organization.id == Subscription.owner_id)
        .where(Subscription.active.is_(True), Subscription.audience.in_(wanted))
        .order_by(Subscription.id)
    ).all()
    paths: dict[int, str] = {}
    alarm_path = _path(session, alarm.area_id, paths)
    out = []
    for sub in subs:
        if alarm.grade.rank > sub.min_grade.rank:
            continue  # less severe than asked for
        owner = sub.owner
        if owner.kind is OrgKind.REGULATOR:
            home = _path(session, owner.area_id, paths)
            if not (alarm_path and home and alarm_path.startswith(home)):
                continue
        elif owner.id != alarm.owner_id:
            continue
        if sub.area_id is not None:
            wanted_path = _path(session, sub.area_id, paths)
            if not (alarm_path and wanted_path and alarm_path.startswith(wanted_path)):
                continue
        out.append(sub)
    return out


def enqueue(
    session: Session,
    alarm: Alarm,
    event: AlarmEvent,
    *,
    audiences: list[str],
    reason: str,
    now: datetime,
    timezone: str | None = None,
) -> list[Notification]:
    """Outbox rows for one alarm change (flushed with the alarm; never committed here).
    `timezone` is that of the stored texts; the sender renders them again in the configured
    one when it delivers, so a caller without the settings at hand may leave it out."""
    tz = timezone or Settings.model_fields["timezone"].default
    rows = []
    for sub in matching(session, alarm, audiences):
        row = Notification(
            alarm=alarm,
            event=event,
            subscription=sub,
            owner_id=alarm.owner_id,
            area_id=alarm.area_id,
            site_id=alarm.site_id,
            channel=sub.channel,
            target=sub.target,
            audience=sub.audience,
            grade=alarm.grade,
            reason=reason[:40],
            payload=messages.payload(
                alarm,
                reason=reason,
                audience=sub.audience.value,
                level=alarm.notify_level,
                timezone=tz,
            ),
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
        )
        session.add(row)
        rows.append(row)
    return rows
