"""Alarms are scoped like their device: owner, area, site (copied when raised)."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from gaswarden.core.auth import Principal
from gaswarden.core.scope import located
from gaswarden.domains.alarm.models import Alarm


def alarm_scope(principal: Principal) -> ColumnElement[bool]:
    return located(principal, owner=Alarm.owner_id, area=Alarm.area_id, site=Alarm.site_id)
