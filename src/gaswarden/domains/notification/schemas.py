from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from gaswarden.core.protect import mask_phone
from gaswarden.core.schemas import InputModel, ReadModel
from gaswarden.domains.notification.enums import Audience, Channel, DeliveryStatus
from gaswarden.rules.grades import Grade

Secret = Field(default=None, min_length=16, max_length=200)


def mask_target(channel: Channel | str | None, value: str | None) -> str | None:
    """Phones as 138****5678, e-mail addresses as z***@example.com; webhook URLs as given."""
    if not value:
        return value
    if channel == Channel.SMS:
        return mask_phone(value)
    if channel == Channel.EMAIL:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return value


class SubscriptionCreate(InputModel):
    name: str | None = Field(default=None, max_length=100)
    channel: Channel
    target: str = Field(min_length=3, max_length=500)
    audience: Audience
    owner_id: int | None = None
    area_id: int | None = None
    min_grade: Grade = Grade.BLUE
    active: bool = True
    secret: str | None = Secret  # webhook only; generated when left out


class SubscriptionUpdate(InputModel):
    name: str | None = Field(default=None, max_length=100)
    target: str | None = Field(default=None, min_length=3, max_length=500)
    audience: Audience | None = None
    area_id: int | None = None
    min_grade: Grade | None = None
    active: bool | None = None
    secret: str | None = Secret  # null: use the deployment's default webhook secret


class SubscriptionRead(ReadModel):
    name: str | None
    channel: Channel
    target: str | None
    audience: Audience
    owner_id: int
    owner_name: str
    area_id: int | None
    area_name: str | None
    min_grade: Grade
    active: bool
    has_secret: bool

    @field_validator("target")
    @classmethod
    def _mask(cls, value: str | None, info: ValidationInfo) -> str | None:
        return mask_target(info.data.get("channel"), value)


class SubscriptionCreated(SubscriptionRead):
    """The answer to a create: the webhook secret is shown this once, never again."""

    secret: str | None = None


class NotificationRead(ReadModel):
    alarm_id: int | None
    hazard_id: int | None
    subscription_id: int | None
    owner_id: int | None
    area_id: int | None
    site_id: int | None
    channel: Channel
    target: str | None
    audience: Audience
    grade: Grade
    reason: str
    payload: dict[str, Any]
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None

    @field_validator("target")
    @classmethod
    def _mask(cls, value: str | None, info: ValidationInfo) -> str | None:
        return mask_target(info.data.get("channel"), value)


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    total: int
    page: int
    size: int


class NotificationCounts(BaseModel):
    """Deliveries in the caller's scope by status, and by channel and status."""

    total: int
    by_status: dict[str, int]
    by_channel: dict[str, dict[str, int]]
