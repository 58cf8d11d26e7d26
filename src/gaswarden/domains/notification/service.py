"""Subscriptions (generic CRUD, audited, scoped to the organisation they belong to) and the
outbox as read through the API (scoped like the alarms). Flush, never commit."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, false, func, select, true
from sqlalchemy.orm import Session

from gaswarden.core.auth import Action, Principal, ScopeKind
from gaswarden.core.crud import CrudService
from gaswarden.core.errors import Conflict, Invalid, NotFound
from gaswarden.core.filters import Filter, FilterSet, date_range
from gaswarden.core.pagination import Page, PageParams
from gaswarden.core.schemas import check_phone
from gaswarden.core.scope import located
from gaswarden.db.base import utcnow
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.audit import service as audit
from gaswarden.domains.notification.enums import Audience, Channel, DeliveryStatus
from gaswarden.domains.notification.models import Notification, Subscription
from gaswarden.domains.notification.schemas import SubscriptionCreate, SubscriptionUpdate
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.organization.service import service as organizations
from gaswarden.rules.grades import Grade

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")


def _invalid(field: str, msg: str) -> Invalid:
    return Invalid(f"{field}: {msg}", errors=[{"loc": ["body", field], "msg": msg}])


def check_target(channel: Channel, target: str) -> str:
    """A webhook URL, an e-mail address or a phone number, by channel."""
    target = target.strip()
    if channel is Channel.WEBHOOK and not _URL.match(target):
        raise _invalid("target", "a webhook target is an http:// or https:// URL")
    if channel is Channel.EMAIL and not _EMAIL.match(target):
        raise _invalid("target", "not an e-mail address")
    if channel is Channel.SMS:
        try:
            phone = check_phone(target) or ""
        except ValueError as exc:
            raise _invalid("target", str(exc)) from exc
        if not _MOBILE.match(phone):
            raise _invalid("target", "SMS goes to an 11-digit mobile number (1xxxxxxxxxx)")
        return phone
    return target


class SubscriptionService(CrudService[Subscription]):
    model = Subscription
    create_schema = SubscriptionCreate
    update_schema = SubscriptionUpdate
    entity = "notification_subscription"
    zh, en = "报警通知订阅", "Notification subscriptions"
    # Who is told is managed by those who manage accounts: regulator and enterprise admins.
    write_action = Action.USER_WRITE
    filters = FilterSet(
        filters=(
            Filter("channel", Subscription.channel, choices=Channel, zh="渠道", en="Channel"),
            Filter("audience", Subscription.audience, choices=Audience, zh="对象", en="Audience"),
            Filter("owner_id", Subscription.owner_id, type=int, zh="所属单位", en="Organisation"),
            Filter("area_id", Subscription.area_id, type=int, zh="区域", en="Area"),
            Filter("active", Subscription.active, op="is", type=bool, zh="启用", en="Active"),
        ),
        search=(Subscription.name,),
        sort={"name": Subscription.name, "channel": Subscription.channel},
        default_sort=("id",),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        kind = principal.scope_kind
        if kind is ScopeKind.ALL:
            return true()
        if kind is ScopeKind.AREA:
            seen = select(Organization.id).where(organizations.scope(principal))
            return Subscription.owner_id.in_(seen)
        if kind is ScopeKind.ORG and principal.org_id:
            return Subscription.owner_id == principal.org_id
        return false()

    def references(self) -> dict[str, CrudService[Any]]:
        return {"owner_id": organizations, "area_id": areas}

    def prepare(
        self,
        *,
        session: Session,
        principal: Principal,
        obj: Subscription,
        data: dict[str, Any],
        creating: bool,
    ) -> None:
        if "target" in data:
            obj.target = check_target(obj.channel, data["target"])
        if creating and obj.active is None:
            obj.active = True
        if creating and obj.min_grade is None:
            obj.min_grade = Grade.BLUE
        if obj.owner_id is None and principal.org_id is not None:
            obj.owner_id = principal.org_id  # a regulator's own subscriptions by default
        owner = session.get(Organization, obj.owner_id) if obj.owner_id else None
        if owner is None:
            raise _invalid("owner_id", "the organisation whose alarms are to be told")
        if obj.audience is Audience.REGULATOR and owner.kind is not OrgKind.REGULATOR:
            raise _invalid("audience", "the regulator audience belongs to a regulator")
        if obj.audience is not Audience.REGULATOR and not owner.kind.is_enterprise:
            raise _invalid("audience", "enterprise audiences belong to a gas enterprise")
        if obj.channel is not Channel.WEBHOOK:
            if data.get("secret"):
                raise _invalid("secret", "only webhooks are signed")
            obj.secret = None
        elif creating and not data.get("secret"):
            obj.secret = secrets.token_urlsafe(32)

    def audit_place(self, obj: Subscription) -> tuple[int | None, int | None]:
        return obj.owner_id, obj.owner.area_id if obj.owner else None


subscriptions = SubscriptionService()

FILTERS = FilterSet(
    filters=(
        Filter("status", Notification.status, choices=DeliveryStatus, zh="状态", en="Status"),
        Filter("channel", Notification.channel, choices=Channel, zh="渠道", en="Channel"),
        Filter("grade", Notification.grade, choices=Grade, zh="级别", en="Grade"),
        Filter("audience", Notification.audience, choices=Audience, zh="对象", en="Audience"),
        Filter("alarm_id", Notification.alarm_id, type=int, zh="报警", en="Alarm"),
        Filter("subscription_id", Notification.subscription_id, type=int, zh="订阅", en="Sub."),
        Filter("owner_id", Notification.owner_id, type=int, zh="所属企业", en="Enterprise"),
        Filter("area_id", Notification.area_id, type=int, zh="网格", en="Grid"),
        Filter("site_id", Notification.site_id, type=int, zh="场站", en="Site"),
        *date_range("created", Notification.created_at, "生成时间", "Created"),
    ),
    search=(Notification.reason, Notification.last_error),
    sort={
        "created_at": Notification.created_at,
        "next_attempt_at": Notification.next_attempt_at,
        "status": Notification.status,
    },
    default_sort=("-created_at",),
)


def notification_scope(principal: Principal) -> ColumnElement[bool]:
    return located(
        principal, owner=Notification.owner_id, area=Notification.area_id, site=Notification.site_id
    )


def list_notifications(
    *, session: Session, principal: Principal, params: PageParams, filters: dict[str, Any]
) -> Page[Notification]:
    stmt = select(Notification).where(notification_scope(principal))
    return FILTERS.page(session, stmt, params, filters, Notification.id)


def get_notification(*, session: Session, principal: Principal, id: int) -> Notification:
    stmt = select(Notification).where(Notification.id == id, notification_scope(principal))
    row = session.scalars(stmt).first()
    if row is None:
        raise NotFound(f"notification {id} not found")
    return row


def counts(
    *, session: Session, principal: Principal, filters: dict[str, Any] | None = None
) -> dict[str, Any]:
    base = FILTERS.apply(
        select(Notification).where(notification_scope(principal)), filters or {}, None
    )
    sub = base.subquery()
    rows = session.execute(
        select(sub.c.channel, sub.c.status, func.count()).group_by(sub.c.channel, sub.c.status)
    ).all()
    by_status = {s.value: 0 for s in DeliveryStatus}
    by_channel: dict[str, dict[str, int]] = {}
    for channel, status, n in rows:
        channel, status = Channel(channel), DeliveryStatus(status)
        by_status[status.value] += n
        by_channel.setdefault(channel.value, {})[status.value] = n
    return {"total": sum(by_status.values()), "by_status": by_status, "by_channel": by_channel}


def retry(
    *, session: Session, principal: Principal, id: int, now: datetime | None = None
) -> Notification:
    """Send a dead or failed delivery again from the first attempt (admins only)."""
    principal.require(Action.USER_WRITE)
    row = get_notification(session=session, principal=principal, id=id)
    if row.status not in (DeliveryStatus.DEAD, DeliveryStatus.FAILED):
        raise Conflict(f"notification {id} is {row.status.value}; only failed or dead ones retry")
    before = row.status.value
    row.status, row.attempts = DeliveryStatus.PENDING, 0
    row.next_attempt_at = now or utcnow()
    session.flush()
    audit.record(
        session=session,
        principal=principal,
        action="notification_retry",
        entity_type="notification",
        entity_id=row.id,
        entity_label=str(row),
        changes={"status": [before, DeliveryStatus.PENDING.value]},
        owner_id=row.owner_id,
        area_id=row.area_id,
    )
    return row


def new_secret(
    *, session: Session, principal: Principal, id: int, reason: str | None = None
) -> tuple[Subscription, str]:
    """Replace a webhook subscription's signing key; the new key is returned for showing once.
    Audited as its own action (the generic diff leaves secrets out)."""
    principal.require(subscriptions.write_action)
    sub = subscriptions.get(session=session, principal=principal, id=id)
    if sub.channel is not Channel.WEBHOOK:
        raise _invalid("secret", "only webhooks are signed")
    key = secrets.token_urlsafe(32)
    had = bool(sub.secret)
    sub.secret = key
    session.flush()
    owner_id, area_id = subscriptions.audit_place(sub)
    audit.record(
        session=session,
        principal=principal,
        action="notification_secret",
        entity_type=subscriptions.entity,
        entity_id=sub.id,
        entity_label=subscriptions.label(sub),
        changes={"secret": ["***" if had else None, "***"]},
        reason=reason,
        owner_id=owner_id,
        area_id=area_id,
    )
    return sub, key
