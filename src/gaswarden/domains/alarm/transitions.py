"""Applying the rules' transitions to alarms: raise, repeat, escalate, clear, group nuisances.

Called by the rules engine inside the ingest batch's transaction (flush, never commit).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gaswarden.domains.alarm import notify
from gaswarden.domains.alarm.enums import AlarmCondition, AlarmEventKind, AlarmStage
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.alarm.timeline import record
from gaswarden.domains.device.models import Device
from gaswarden.rules import setpoints as sp
from gaswarden.rules.catalog import RULES
from gaswarden.rules.model import Change, Transition


def open_key(device_id: int, rule: str) -> str:
    return f"{device_id}:{rule}"


def open_alarm(session: Session, device_id: int, rule: str) -> Alarm | None:
    stmt = select(Alarm).where(Alarm.open_key == open_key(device_id, rule))
    return session.scalars(stmt.with_for_update(of=Alarm)).first()


def apply(
    session: Session,
    *,
    device: Device,
    transitions: Iterable[Transition],
    now: datetime,
    windows: dict[str, float] | None = None,
) -> list[Alarm]:
    """Apply one device's transitions, in order. Returns the alarms touched.

    `windows` gives each rule's nuisance-grouping window (seconds): a recurrence within it
    reopens the recent alarm instead of raising a new one.
    """
    touched: dict[int, Alarm] = {}
    for t in transitions:
        window = (windows or {}).get(t.rule, sp.NUISANCE_WINDOW_S)
        alarm = _apply_one(session, device, t, now, window)
        if alarm is not None:
            touched[alarm.id] = alarm
    return list(touched.values())


def _apply_one(
    session: Session, device: Device, t: Transition, now: datetime, window_s: float
) -> Alarm | None:
    if t.change in (Change.RAISE, Change.ESCALATE):
        return _raise(session, device, t, now, window_s)
    alarm = open_alarm(session, device.id, t.rule)
    if t.change is Change.UPDATE:
        if alarm is not None:
            _observe(alarm, t)
        return alarm
    # CLEAR
    alarm = alarm or _latest_active(session, device.id, t.rule)
    if alarm is not None and alarm.condition is AlarmCondition.ACTIVE:
        _observe(alarm, t)
        alarm.condition, alarm.cleared_at = AlarmCondition.CLEARED, now
        record(session, alarm, AlarmEventKind.CLEARED, at=now, value=t.value)
    return alarm


def _raise(
    session: Session, device: Device, t: Transition, now: datetime, window_s: float
) -> Alarm:
    """RAISE or ESCALATE: the open alarm, or a recent one reopened, or a new one."""
    alarm = _open_or_recent(session, device.id, t.rule, now - timedelta(seconds=window_s))
    if alarm is None:
        return _create(session, device, t, now)
    if alarm.open_key is None:
        return _reopen(session, alarm, t, now)
    was_cleared = alarm.condition is AlarmCondition.CLEARED
    _observe(alarm, t)
    if t.change is Change.RAISE:
        alarm.occurrences += t.count
        alarm.condition, alarm.cleared_at = AlarmCondition.ACTIVE, None
    if t.grade.more_severe_than(alarm.grade):
        before = alarm.grade
        alarm.grade, alarm.level = t.grade, max(alarm.level, t.level)
        record(
            session,
            alarm,
            AlarmEventKind.ESCALATED,
            at=now,
            value=t.value,
            data={"reason": "worse" if t.change is Change.ESCALATE else "repeat"},
            changes={"grade": [before.value, t.grade.value]},
        )
        notify.escalated(session, alarm, now=now)
    elif t.change is Change.RAISE:
        data = {"n": t.count, "after_clear": was_cleared}
        record(session, alarm, AlarmEventKind.REPEATED, at=now, value=t.value, data=data)
    return alarm


def _observe(alarm: Alarm, t: Transition) -> None:
    if t.value is not None:
        alarm.last_value = t.value
        peak = t.peak if t.peak is not None else t.value
        if alarm.peak_value is None or _worse(alarm, peak):
            alarm.peak_value = peak
    alarm.device_last_ts = max(alarm.device_last_ts or t.ts, t.ts)


def _worse(alarm: Alarm, value: float) -> bool:
    assert alarm.peak_value is not None
    below = alarm.rule in ("pressure_low", "pressure_drop", "battery_low")
    return value < alarm.peak_value if below else value > alarm.peak_value


def _create(session: Session, device: Device, t: Transition, now: datetime) -> Alarm:
    rule = RULES.get(t.rule)
    alarm = Alarm(
        open_key=open_key(device.id, t.rule),
        device=device,
        rule=t.rule,
        device_kind=device.kind,
        owner_id=device.owner_id,
        area_id=device.area_id,
        site_id=device.site_id,
        asset_id=device.asset_id,
        grade=t.grade,
        first_grade=t.grade,
        level=t.level,
        condition=AlarmCondition.ACTIVE,
        stage=AlarmStage.NEW,
        metric=rule.metric if rule else None,
        first_value=t.value,
        last_value=t.value,
        peak_value=t.peak if t.peak is not None else t.value,
        occurrences=t.count,
        detail=t.detail,
        raised_at=now,
        opened_at=now,
        device_first_ts=t.ts,
        device_last_ts=t.ts,
    )
    session.add(alarm)
    session.flush()
    record(session, alarm, AlarmEventKind.RAISED, at=now, value=t.value, data=t.detail)
    notify.raised(session, alarm, now=now)
    return alarm


def _reopen(session: Session, alarm: Alarm, t: Transition, now: datetime) -> Alarm:
    """A recurrence within the nuisance window: the recent alarm again, counted."""
    before = alarm.stage
    alarm.open_key = open_key(alarm.device_id, alarm.rule)
    alarm.stage, alarm.condition, alarm.cleared_at = AlarmStage.NEW, AlarmCondition.ACTIVE, None
    alarm.occurrences += t.count
    alarm.opened_at = now
    alarm.acked_at = alarm.on_site_at = alarm.resolved_at = alarm.closed_at = None
    alarm.ack_overdue = alarm.on_site_overdue = False
    alarm.notify_level = 0
    if t.grade.more_severe_than(alarm.grade):
        alarm.grade = t.grade
    _observe(alarm, t)
    session.flush()
    record(
        session,
        alarm,
        AlarmEventKind.REOPENED,
        at=now,
        value=t.value,
        note="同一报警在归并时间窗内再次发生 recurred within the grouping window",
        changes={"stage": [before.value, AlarmStage.NEW.value]},
    )
    notify.raised(session, alarm, now=now)
    return alarm


def _open_or_recent(session: Session, device_id: int, rule: str, since: datetime) -> Alarm | None:
    """The open alarm of the device and rule; else the latest resolved or closed one that
    ended after `since` (to be reopened); else None. One query (the alarm is raised in the
    ingest batch, where every round trip delays it), the row locked."""
    stmt = (
        select(Alarm)
        .where(
            Alarm.device_id == device_id,
            Alarm.rule == rule,
            or_(
                Alarm.open_key == open_key(device_id, rule),
                Alarm.open_key.is_(None) & (Alarm.raised_at >= since - timedelta(days=30)),
            ),
        )
        .order_by(Alarm.open_key.is_(None), Alarm.id.desc())
        .limit(1)
        .with_for_update(of=Alarm)
    )
    alarm = session.scalars(stmt).first()
    if alarm is None or alarm.open_key is not None:
        return alarm
    ends = [t for t in (alarm.cleared_at, alarm.resolved_at, alarm.closed_at) if t is not None]
    return alarm if ends and max(ends) >= since else None


def _latest_active(session: Session, device_id: int, rule: str) -> Alarm | None:
    """A resolved alarm whose condition was still active: the clear still belongs to it."""
    stmt = (
        select(Alarm)
        .where(
            Alarm.device_id == device_id,
            Alarm.rule == rule,
            Alarm.condition == AlarmCondition.ACTIVE,
        )
        .order_by(Alarm.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()
