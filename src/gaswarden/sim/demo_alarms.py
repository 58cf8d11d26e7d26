"""A year of the district's alarms before `today`, each handled to its end: raised, cleared,
acknowledged, assigned, on site, resolved with a cause, closed after review, with measured
response times. Live alarms come from the simulator; these give the statistics, the cockpit's
trends and the district reports their past months.

Invented, like the rest of the demo: about four alarms a day over the district's ~2,200
devices, mostly flat batteries, devices offline and false alarms (cooking vapour in kitchens),
a few real leaks. Written in bulk (Core inserts) with their timeline, as the alarm service
would have left them; response times are drawn around the grades' targets
(rules/setpoints.RESPONSE_TARGETS_S), a share of them late.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Table, insert, select

from gaswarden.core.localtime import LOCAL_ZONE
from gaswarden.domains.alarm.enums import AlarmCause, AlarmCondition, AlarmEventKind, AlarmStage
from gaswarden.domains.alarm.models import Alarm, AlarmEvent
from gaswarden.domains.device.enums import DeviceKind
from gaswarden.domains.device.models import Device
from gaswarden.rules.grades import Grade
from gaswarden.rules.setpoints import RESPONSE_TARGETS_S
from gaswarden.sim.context import Demo
from gaswarden.sim.demo_history import history_start

TZ = LOCAL_ZONE
PER_DAY = 4.0  # alarms a day over the district (practice of a district this size)
LATE_SHARE = 0.08  # acknowledged or on site after the grade's target
DUTY = "监管中心值班员"

# Per device kind: (rule, metric, weight, grades with weights, causes with weights).
Cause = tuple[tuple[AlarmCause, float], ...]
FALSE_MOSTLY: Cause = (
    (AlarmCause.FALSE_ALARM, 0.55),
    (AlarmCause.DEVICE_FAULT, 0.2),
    (AlarmCause.TEST, 0.1),
    (AlarmCause.REAL_LEAK, 0.1),
    (AlarmCause.THIRD_PARTY_DAMAGE, 0.05),
)
FAULT: Cause = ((AlarmCause.DEVICE_FAULT, 0.8), (AlarmCause.OTHER, 0.2))
Profile = tuple[str, str | None, float, tuple[tuple[Grade, float], ...], Cause]
PROFILES: dict[DeviceKind, tuple[Profile, ...]] = {
    DeviceKind.PRESSURE_MONITOR: (
        ("pressure_high", "pressure_kpa", 2, ((Grade.YELLOW, 0.7), (Grade.ORANGE, 0.3)), FAULT),
        ("pressure_low", "pressure_kpa", 2, ((Grade.YELLOW, 1.0),), FAULT),
        ("battery_low", "battery_pct", 3, ((Grade.BLUE, 1.0),), FAULT),
        ("offline", None, 3, ((Grade.BLUE, 1.0),), FAULT),
    ),
    DeviceKind.WELL_METHANE: (
        (
            "methane_lel",
            "methane_lel_pct",
            4,
            ((Grade.YELLOW, 0.6), (Grade.ORANGE, 0.3), (Grade.RED, 0.1)),
            FALSE_MOSTLY,
        ),
        ("battery_low", "battery_pct", 3, ((Grade.BLUE, 1.0),), FAULT),
        ("offline", None, 3, ((Grade.BLUE, 1.0),), FAULT),
    ),
    DeviceKind.WELL_INTRUSION: (
        (
            "event_intrusion",
            None,
            2,
            ((Grade.ORANGE, 1.0),),
            ((AlarmCause.FALSE_ALARM, 0.6), (AlarmCause.OTHER, 0.4)),
        ),
        ("offline", None, 2, ((Grade.BLUE, 1.0),), FAULT),
    ),
    DeviceKind.HOUSEHOLD_ALARM: (
        (
            "methane_lel",
            "methane_lel_pct",
            5,
            ((Grade.YELLOW, 0.8), (Grade.ORANGE, 0.2)),
            FALSE_MOSTLY,
        ),
        ("offline", None, 2, ((Grade.BLUE, 1.0),), FAULT),
    ),
    DeviceKind.LASER_METHANE: (
        ("methane_ppm_m", "methane_ppm_m", 1, ((Grade.ORANGE, 1.0),), FALSE_MOSTLY),
    ),
    DeviceKind.CAMERA: (
        ("event_smoking", None, 1, ((Grade.YELLOW, 1.0),), ((AlarmCause.OTHER, 1.0),)),
        ("event_no_ppe", None, 1, ((Grade.BLUE, 1.0),), ((AlarmCause.OTHER, 1.0),)),
        ("offline", None, 1, ((Grade.BLUE, 1.0),), FAULT),
    ),
}
VALUES: dict[str, tuple[float, float]] = {  # a plausible reading for the rule (low, high)
    "methane_lel_pct": (22.0, 60.0),
    "methane_ppm_m": (600.0, 4000.0),
    "pressure_kpa": (1.5, 8.0),
    "battery_pct": (5.0, 15.0),
}
NOTES: dict[AlarmCause, str] = {
    AlarmCause.FALSE_ALARM: "现场复核无泄漏,系烹饪油烟/环境干扰所致",
    AlarmCause.DEVICE_FAULT: "设备故障,已更换电池/探头并恢复在线",
    AlarmCause.TEST: "设备自检测试",
    AlarmCause.REAL_LEAK: "确认泄漏,已关阀抢修并复测合格",
    AlarmCause.THIRD_PARTY_DAMAGE: "第三方施工碰损,已抢修",
    AlarmCause.OTHER: "已现场处置",
}


def _pick(rng: Any, choices: tuple[tuple[Any, float], ...]) -> Any:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _within(rng: Any, target_s: int) -> int:
    """A response time against a target: mostly well inside it, a share late."""
    if rng.random() < LATE_SHARE:
        return int(target_s * (1.05 + rng.random()))
    return max(30, int(target_s * rng.betavariate(2.0, 3.5)))


def load_alarm_history(demo: Demo) -> None:
    rng, session = demo.rng, demo.session
    start = datetime.combine(history_start(demo.today), time(0), TZ).astimezone(UTC)
    end = datetime.combine(demo.today, time(0), TZ).astimezone(UTC)
    devices = session.execute(
        select(
            Device.id, Device.kind, Device.owner_id, Device.area_id, Device.site_id,
            Device.asset_id,
        ).where(Device.kind.in_(list(PROFILES)))
    ).all()  # fmt: skip
    if not devices:
        return
    weights = [sum(p[2] for p in PROFILES[d.kind]) for d in devices]
    span = int((end - start).total_seconds())
    count = int(PER_DAY * span / 86400)
    alarms: list[dict[str, Any]] = []
    timelines: list[list[dict[str, Any]]] = []
    for device in rng.choices(devices, weights=weights, k=count):
        rule, metric, _, grades, causes = _pick(
            rng, tuple((p, p[2]) for p in PROFILES[device.kind])
        )
        grade: Grade = _pick(rng, grades)
        raised = start + timedelta(seconds=rng.randrange(span - 3 * 86400))
        ack_target, site_target = RESPONSE_TARGETS_S[grade]
        ack_s = _within(rng, ack_target)
        on_site_s = ack_s + _within(rng, max(60, site_target - ack_s))
        resolve_s = on_site_s + rng.randint(10 * 60, 3 * 3600)
        cleared = raised + timedelta(seconds=rng.randint(60, max(120, on_site_s)))
        closed = raised + timedelta(seconds=resolve_s + rng.randint(3600, 2 * 86400))
        cause: AlarmCause = _pick(rng, causes)
        low, high = VALUES.get(metric or "", (0.0, 0.0))
        value = round(rng.uniform(low, high), 1) if metric else None
        at = {
            "raised": raised,
            "acked": raised + timedelta(seconds=ack_s),
            "on_site": raised + timedelta(seconds=on_site_s),
            "resolved": raised + timedelta(seconds=resolve_s),
        }
        alarms.append(
            {
                "open_key": None,
                "device_id": device.id,
                "rule": rule,
                "device_kind": device.kind,
                "owner_id": device.owner_id,
                "area_id": device.area_id,
                "site_id": device.site_id,
                "asset_id": device.asset_id,
                "grade": grade,
                "first_grade": grade,
                "level": 1,
                "condition": AlarmCondition.CLEARED,
                "stage": AlarmStage.CLOSED,
                "metric": metric,
                "first_value": value,
                "last_value": value,
                "peak_value": value,
                "occurrences": rng.choice((1, 1, 1, 2, 3)),
                "detail": {},
                "raised_at": raised,
                "opened_at": raised,
                "device_first_ts": raised,
                "device_last_ts": cleared,
                "cleared_at": cleared,
                "acked_at": at["acked"],
                "assigned_org_id": device.owner_id,
                "assigned_at": at["acked"] + timedelta(seconds=30),
                "on_site_at": at["on_site"],
                "resolved_at": at["resolved"],
                "cause": cause,
                "resolution_note": NOTES[cause],
                "closed_at": closed,
                "ack_s": ack_s,
                "on_site_s": on_site_s,
                "resolve_s": resolve_s,
                "ack_overdue": ack_s > ack_target,
                "on_site_overdue": on_site_s > site_target,
                "notify_level": 0,
            }
        )
        steps = [
            (raised, AlarmEventKind.RAISED, AlarmStage.NEW, "system", None),
            (cleared, AlarmEventKind.CLEARED, None, "system", None),
            (at["acked"], AlarmEventKind.ACKNOWLEDGED, AlarmStage.ACKNOWLEDGED, DUTY, None),
            (at["acked"] + timedelta(seconds=30), AlarmEventKind.ASSIGNED, AlarmStage.ASSIGNED,
             DUTY, None),
            (at["on_site"], AlarmEventKind.ON_SITE, AlarmStage.ON_SITE, "现场人员", None),
            (at["resolved"], AlarmEventKind.RESOLVED, AlarmStage.RESOLVED, "现场人员",
             NOTES[cause]),
            (closed, AlarmEventKind.CLOSED, AlarmStage.CLOSED, DUTY, None),
        ]  # fmt: skip
        timelines.append(
            [
                {
                    "at": when,
                    "kind": kind,
                    "actor_id": None,
                    "actor_name": actor,
                    "grade": grade if kind is AlarmEventKind.RAISED else None,
                    "stage": stage,
                    "value": value if kind is AlarmEventKind.RAISED else None,
                    "note": note,
                    "data": {},
                }
                for when, kind, stage, actor, note in sorted(steps, key=lambda s: s[0])
            ]
        )
    table = cast(Table, Alarm.__table__)
    ids = session.scalars(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), alarms
    ).all()
    events = [
        {**event, "alarm_id": alarm_id}
        for alarm_id, timeline in zip(ids, timelines, strict=True)
        for event in timeline
    ]
    session.execute(insert(cast(Table, AlarmEvent.__table__)), events)
    demo.counts["alarm"] += len(alarms)
    session.flush()
