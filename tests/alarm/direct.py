"""Raising an alarm through the alarm domain's transitions (what the rules engine calls), for
tests about what happens to alarms after they are raised."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from gaswarden.domains.alarm import transitions
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.device.models import Device
from gaswarden.rules.grades import Grade
from gaswarden.rules.model import Change, Transition


def raise_red(session: Session, device_id: int, ppm: float = 400.0) -> Alarm:
    """A red carbon-monoxide alarm on the device, flushed (the caller's transaction)."""
    device = session.get(Device, device_id)
    assert device is not None
    now = datetime.now(UTC) - timedelta(seconds=30)
    t = Transition(Change.RAISE, "co_ppm", now, Grade.RED, value=ppm)
    (alarm,) = transitions.apply(session, device=device, transitions=[t], now=now)
    session.flush()
    return alarm
