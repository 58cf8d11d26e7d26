"""The local date the flags (overdue reviews, expired reserves) are computed against."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from gaswarden.core.localtime import DEFAULT_TZ
from gaswarden.db.base import utcnow


def local_today(tz: str = DEFAULT_TZ, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(tz)).date()


def local_date(at: datetime, tz: str = DEFAULT_TZ) -> date:
    return at.astimezone(ZoneInfo(tz)).date()
