"""The platform's local time zone: calendar days, months and "today" are counted in it.

China keeps one time zone (UTC+8, no daylight saving). `Settings.timezone`
(GASWARDEN_TIMEZONE) names the deployment's; the functions that take a `tz` default to this.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"
LOCAL_ZONE = ZoneInfo(DEFAULT_TZ)
