"""AlarmEngine.consume and sweep inside a test transaction, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.alarm import service, settings_service
from gaswarden.domains.alarm.enums import (
    AlarmCause,
    AlarmCondition,
    AlarmEventKind,
    AlarmStage,
    ScopeLevel,
)
from gaswarden.domains.alarm.models import AlarmEvent, RuleStateRow
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.ingestion.contract import EventKind, StatusReport, StoredBatch
from gaswarden.ingestion.contract import Reading as ReadingIn
from gaswarden.rules import setpoints as sp
from gaswarden.rules.engine import AlarmEngine
from gaswarden.rules.grades import Grade
from tests.alarm.helpers import alarms, at, batch, device, event, readings, regulator
from tests.factories import World

engine = AlarmEngine()


def test_threshold_levels_and_repeats_update_one_alarm(session: Session, world: World) -> None:
    dev = device(session, "SN-CH4-GATE", "well_methane", site_id=world.ids["gate"])
    # A methane detector at a gate station (in the open): GB/T 50493 levels 25 / 50 %LEL.
    engine.consume(session, batch(*readings(dev, "methane_lel_pct", (0, 5), (1, 24.9))))
    assert alarms(session, dev) == []
    engine.consume(session, batch(*readings(dev, "methane_lel_pct", (2, 26))))
    [alarm] = alarms(session, dev)
    assert (alarm.rule, alarm.grade, alarm.condition) == (
        "methane_lel",
        Grade.YELLOW,
        AlarmCondition.ACTIVE,
    )
    assert alarm.owner_id == world.ids["ent_a"] and alarm.site_id == world.ids["gate"]
    engine.consume(session, batch(*readings(dev, "methane_lel_pct", (3, 55), (4, 40))))
    [alarm] = alarms(session, dev)
    assert (alarm.grade, alarm.peak_value, alarm.last_value) == (Grade.ORANGE, 55, 40)
    # Clears with hysteresis (below 20), then recurs: the same alarm, counted.
    engine.consume(session, batch(*readings(dev, "methane_lel_pct", (5, 21), (6, 10))))
    [alarm] = alarms(session, dev)
    assert alarm.condition is AlarmCondition.CLEARED
    engine.consume(session, batch(*readings(dev, "methane_lel_pct", (7, 30))))
    [alarm] = alarms(session, dev)
    assert alarm.condition is AlarmCondition.ACTIVE and alarm.occurrences == 2
    kinds = [e.kind for e in service.timeline(session=session, alarm=alarm)]
    assert kinds[0] is AlarmEventKind.RAISED
    assert AlarmEventKind.ESCALATED in kinds and AlarmEventKind.REPEATED in kinds
    assert session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.entity_type == "alarm",
            AuditEntry.entity_id == alarm.id,
            AuditEntry.action == "alarm_raised",
        )
    )


def test_duration_in_device_time_fires_once(session: Session, world: World) -> None:
    dev = device(session, "SN-CH4-DUR", "well_methane", site_id=world.ids["gate"])
    settings_service.put(
        session=session,
        principal=SYSTEM,
        level=ScopeLevel.DEVICE,
        scope_id=dev,
        rule="methane_lel",
        params={"duration_s": 10},
    )
    # Received much later than measured: only device time counts.
    engine.consume(
        session, batch(*readings(dev, "methane_lel_pct", (0, 30), (9, 30)), received=500)
    )
    assert alarms(session, dev) == []
    engine.consume(session, batch(*readings(dev, "methane_lel_pct", (10, 30)), received=501))
    engine.consume(session, batch(*readings(dev, "methane_lel_pct", (11, 31), (30, 32))))
    [alarm] = alarms(session, dev)
    assert alarm.occurrences == 1 and alarm.device_first_ts == at(10)
    assert alarm.device_last_ts == at(30) and alarm.last_value == 32


def test_old_readings_are_ignored_for_transitions(session: Session, world: World) -> None:
    dev = device(session, "SN-CH4-OLD", "well_methane", site_id=world.ids["gate"])
    engine.consume(session, batch(*readings(dev, "methane_lel_pct", (100, 30))))
    engine.consume(session, batch(*readings(dev, "methane_lel_pct", (50, 0), (99, 0))))
    [alarm] = alarms(session, dev)
    assert alarm.condition is AlarmCondition.ACTIVE


def test_pressure_band_from_the_regulator_set_point(session: Session, world: World) -> None:
    reg = regulator(session, "A-REG-SET", world.ids["box"], set_kpa=2.0)
    dev = device(session, "SN-P-REG", "pressure_monitor", asset_id=reg)
    engine.consume(session, batch(*readings(dev, "pressure_kpa", (0, 2.0), (60, 2.25))))
    assert alarms(session, dev) == []
    engine.consume(session, batch(*readings(dev, "pressure_kpa", (120, 2.35))))
    [high] = alarms(session, dev, "pressure_high")
    assert high.grade is Grade.YELLOW  # over 1.15 x 2.0 kPa
    engine.consume(session, batch(*readings(dev, "pressure_kpa", (180, 2.7))))
    [high] = alarms(session, dev, "pressure_high")
    assert high.grade is Grade.ORANGE  # over 1.30 x 2.0 kPa
    # Back to normal, then a slow fall below 0.85 x set point: under-pressure.
    engine.consume(
        session,
        batch(*readings(dev, "pressure_kpa", (600, 2.0), (1200, 1.9), (1800, 1.65))),
    )
    [high] = alarms(session, dev, "pressure_high")
    assert high.condition is AlarmCondition.CLEARED
    [low] = alarms(session, dev, "pressure_low")
    assert low.grade is Grade.YELLOW
    assert alarms(session, dev, "pressure_drop") == []  # 0.25 kPa in 10 min is no sudden drop


def test_sudden_pressure_drop(session: Session, world: World) -> None:
    reg = regulator(session, "A-REG-DROP", world.ids["box"], set_kpa=2.0)
    dev = device(session, "SN-P-DROP", "pressure_monitor", asset_id=reg)
    engine.consume(session, batch(*readings(dev, "pressure_kpa", (0, 2.0), (30, 1.7))))
    # 0.3 kPa over the rule's 60 s window: 0.3 kPa/min >= 0.2 kPa/min
    [drop] = alarms(session, dev, "pressure_drop")
    assert drop.grade is Grade.ORANGE and drop.detail["drop_per_min"] == 0.3


def test_valve_well_next_to_buried_spaces_grades_higher(session: Session, world: World) -> None:
    well = world.ids["asset_well"]
    plain = device(session, "SN-W-PLAIN", "well_methane", asset_id=well)
    engine.consume(session, batch(*readings(plain, "methane_lel_pct", (0, 22))))
    [a] = alarms(session, plain)
    assert a.grade is Grade.YELLOW  # GB 50838: 20 %LEL in buried spaces
    settings_service.put(
        session=session,
        principal=SYSTEM,
        level=ScopeLevel.ASSET,
        scope_id=well,
        rule="context",
        params={"near_buried_spaces": True},
        note="紧邻电力沟和污水井",
    )
    flagged = device(session, "SN-W-NEAR", "well_methane", asset_id=well)
    engine.consume(session, batch(*readings(flagged, "methane_lel_pct", (0, 22))))
    [b] = alarms(session, flagged)
    assert b.grade is Grade.ORANGE
    # The same reading in the open (a station): below the 25 %LEL station level.
    open_air = device(session, "SN-W-OPEN", "laser_methane", site_id=world.ids["gate"])
    engine.consume(session, batch(*readings(open_air, "methane_lel_pct", (0, 22))))
    assert alarms(session, open_air) == []


def test_events_raise_and_repeat(session: Session, world: World) -> None:
    well = device(session, "SN-W-INTR", "well_intrusion", asset_id=world.ids["asset_well"])
    engine.consume(session, batch(event(well, EventKind.INTRUSION, 0)))
    engine.consume(
        session, batch(event(well, EventKind.INTRUSION, 60), event(well, EventKind.INTRUSION, 61))
    )
    [alarm] = alarms(session, well)
    assert (alarm.rule, alarm.grade, alarm.occurrences) == ("event_intrusion", Grade.ORANGE, 3)
    engine.consume(session, batch(event(well, EventKind.SELF_TEST, 70)))
    assert len(alarms(session, well)) == 1  # self tests raise nothing
    cam = device(session, "SN-CAM-1", "camera", site_id=world.ids["filling"])
    fire = event(cam, EventKind.FIRE, 0)
    fire = type(fire)(cam, fire.ts, EventKind.FIRE, {"zone": "装卸区"}, "http://cam/1.jpg")
    engine.consume(session, batch(fire))
    [alarm] = alarms(session, cam)
    assert alarm.grade is Grade.RED and alarm.detail["snapshot_url"] == "http://cam/1.jpg"


def test_offline_by_sweep_and_back(session: Session, world: World) -> None:
    dev = device(
        session, "SN-OFF", "pressure_monitor", site_id=world.ids["gate"], report_interval_s=60
    )
    engine.consume(session, batch(*readings(dev, "pressure_kpa", (0, 300)), received=0))
    engine.sweep(session, at(170))
    assert alarms(session, dev, "offline") == []
    engine.sweep(session, at(181))
    [alarm] = alarms(session, dev, "offline")
    assert alarm.grade is Grade.BLUE and alarm.condition is AlarmCondition.ACTIVE
    engine.sweep(session, at(300))
    assert len(alarms(session, dev, "offline")) == 1
    engine.consume(session, batch(*readings(dev, "pressure_kpa", (400, 300)), received=400))
    [alarm] = alarms(session, dev, "offline")
    assert alarm.condition is AlarmCondition.CLEARED
    # The MQTT will (status offline) raises at once.
    engine.consume(session, batch(StatusReport(dev, at(500), online=False), received=500))
    [alarm] = alarms(session, dev, "offline")
    assert alarm.condition is AlarmCondition.ACTIVE and alarm.occurrences == 2


def test_expiry_by_sweep(session: Session, world: World) -> None:
    soon = (at(0) + timedelta(days=10)).date()
    dev = device(
        session,
        "SN-EXP",
        "household_alarm",
        site_id=world.ids["supply"],
        expiry_date=soon.isoformat(),
    )
    engine.sweep(session, at(0))
    [alarm] = alarms(session, dev, "expiry")
    assert alarm.grade is Grade.BLUE
    engine.sweep_expiry(session, at(0) + timedelta(days=11))  # (response targets aside)
    [alarm] = alarms(session, dev, "expiry")
    assert alarm.grade is Grade.YELLOW


def test_overrides_device_beats_asset_beats_site_beats_default(
    session: Session, world: World
) -> None:
    well = world.ids["asset_well"]
    dev = device(session, "SN-OVR", "well_methane", asset_id=well)

    def level1() -> float:
        rules = settings_service.effective(session=session, principal=SYSTEM, device_id=dev)
        return float(rules.params["methane_lel"]["levels"][0][0])

    assert level1() == 20
    put = settings_service.put
    put(
        session=session,
        principal=SYSTEM,
        level=ScopeLevel.GLOBAL,
        scope_id=0,
        rule="methane_lel",
        params={"levels": [[18, "yellow"]]},
    )
    assert level1() == 18
    put(
        session=session,
        principal=SYSTEM,
        level=ScopeLevel.SITE,
        scope_id=world.ids["filling"],
        rule="methane_lel",
        params={"levels": [[15, "yellow"]]},
    )
    assert level1() == 15
    put(
        session=session,
        principal=SYSTEM,
        level=ScopeLevel.ASSET,
        scope_id=well,
        rule="methane_lel",
        params={"levels": [[12, "yellow"]]},
    )
    assert level1() == 12
    put(
        session=session,
        principal=SYSTEM,
        level=ScopeLevel.DEVICE,
        scope_id=dev,
        rule="methane_lel",
        params={"levels": [[10, "blue"]]},
    )
    assert level1() == 10
    engine.consume(session, batch(*readings(dev, "methane_lel_pct", (0, 11))))
    [alarm] = alarms(session, dev)
    assert alarm.grade is Grade.BLUE
    put(
        session=session,
        principal=SYSTEM,
        level=ScopeLevel.DEVICE,
        scope_id=dev,
        rule="battery_low",
        params={"enabled": False},
    )
    engine.consume(session, batch(*readings(dev, "battery_pct", (1, 3))))
    assert alarms(session, dev, "battery_low") == []


def test_nuisance_grouping_reopens_the_recent_alarm(session: Session, world: World) -> None:
    home = device(session, "SN-HOME-1", "household_alarm", site_id=world.ids["supply"])
    engine.consume(session, batch(*readings(home, "methane_lel_pct", (0, 25)), received=0))
    [alarm] = alarms(session, home)
    service.acknowledge(session=session, principal=SYSTEM, id=alarm.id, now=at(30))
    engine.consume(session, batch(*readings(home, "methane_lel_pct", (60, 0)), received=60))
    service.resolve(
        session=session,
        principal=SYSTEM,
        id=alarm.id,
        cause=AlarmCause.FALSE_ALARM,
        note="炒菜油烟",
        now=at(120),
    )
    # Cooking again twenty minutes later: the same alarm reopens, counted.
    engine.consume(session, batch(*readings(home, "methane_lel_pct", (1200, 30)), received=1200))
    [alarm] = alarms(session, home)
    assert alarm.stage is AlarmStage.NEW and alarm.occurrences == 2 and alarm.acked_at is None
    service.acknowledge(session=session, principal=SYSTEM, id=alarm.id, now=at(1230))
    engine.consume(session, batch(*readings(home, "methane_lel_pct", (1260, 0)), received=1260))
    service.resolve(
        session=session, principal=SYSTEM, id=alarm.id, cause=AlarmCause.FALSE_ALARM, now=at(1300)
    )
    # Two hours later it is a new alarm.
    engine.consume(session, batch(*readings(home, "methane_lel_pct", (9000, 30)), received=9000))
    first, second = alarms(session, home)
    assert second.id != first.id and second.occurrences == 1


def test_missed_response_target_escalates_and_notifies(session: Session, world: World) -> None:
    dev = device(session, "SN-CH4-LATE", "well_methane", site_id=world.ids["gate"])
    engine.consume(session, batch(*readings(dev, "methane_lel_pct", (0, 30)), received=0))
    [alarm] = alarms(session, dev, "methane_lel")
    assert alarm.grade is Grade.YELLOW  # 60 min to acknowledge, 4 h to be on site
    engine.sweep(session, at(59 * 60))
    assert alarms(session, dev, "methane_lel")[0].grade is Grade.YELLOW
    engine.sweep(session, at(61 * 60))
    [alarm] = alarms(session, dev, "methane_lel")
    assert alarm.grade is Grade.ORANGE and alarm.ack_overdue
    events = session.scalars(select(AlarmEvent).where(AlarmEvent.alarm_id == alarm.id)).all()
    kinds = [e.kind for e in events]
    assert AlarmEventKind.OVERDUE in kinds
    notices = [e.data for e in events if e.kind is AlarmEventKind.NOTIFIED]
    assert notices[-1]["level"] == 1 and "enterprise_admin" in notices[-1]["audiences"]
    # Orange now: its on-site target (60 min) has passed too; each target is missed once.
    engine.sweep(session, at(61 * 60 + 30))
    engine.sweep(session, at(62 * 60))
    [alarm] = alarms(session, dev, "methane_lel")
    assert alarm.on_site_overdue and alarm.grade is Grade.RED
    overdue = select(AlarmEvent.data).where(
        AlarmEvent.alarm_id == alarm.id, AlarmEvent.kind == AlarmEventKind.OVERDUE
    )
    assert [d["target"] for d in session.scalars(overdue)] == ["ack", "on_site"]


def test_state_is_kept_per_device(session: Session, world: World) -> None:
    dev = device(session, "SN-STATE", "well_methane", site_id=world.ids["gate"])
    engine.consume(session, batch(*readings(dev, "methane_lel_pct", (0, 30))))
    row = session.get(RuleStateRow, dev)
    assert row is not None and row.states["methane_lel"]["active"] is True


def test_an_active_device_that_never_reported_goes_offline(session: Session, world: World) -> None:
    dev = device(
        session, "SN-NEVER", "pressure_monitor", site_id=world.ids["gate"], report_interval_s=60
    )
    fresh = AlarmEngine()
    start = datetime.now(UTC)
    fresh.sweep(session, start + timedelta(seconds=60 * sp.OFFLINE_INTERVAL_MULTIPLE - 30))
    assert alarms(session, dev, "offline") == []
    fresh.sweep(session, start + timedelta(seconds=60 * sp.OFFLINE_INTERVAL_MULTIPLE + 30))
    [alarm] = alarms(session, dev, "offline")
    assert alarm.detail["never_reported"] is True and alarm.detail["last_seen"] is None
    # Its first message clears it.
    heard = start + timedelta(seconds=60 * sp.OFFLINE_INTERVAL_MULTIPLE + 40)
    fresh.consume(
        session,
        StoredBatch(
            readings=[ReadingIn(dev, "pressure_kpa", heard, 2.0)],
            events=[],
            statuses=[],
            received_at=heard,
        ),
    )
    [alarm] = alarms(session, dev, "offline")
    assert alarm.condition is AlarmCondition.CLEARED


def test_silence_while_the_platform_was_down_is_not_the_devices(
    session: Session, world: World
) -> None:
    dev = device(
        session, "SN-RESTART", "pressure_monitor", site_id=world.ids["gate"], report_interval_s=60
    )
    restarted = AlarmEngine()
    restarted.consume(session, batch(*readings(dev, "pressure_kpa", (0, 2.0)), received=0))
    limit = 60 * sp.OFFLINE_INTERVAL_MULTIPLE
    restarted.started(at(1000))  # the platform was down from about 0 s to 1000 s
    restarted.sweep(session, at(1000 + limit - 20))
    assert alarms(session, dev, "offline") == []
    restarted.sweep(session, at(1000 + limit + 20))
    [alarm] = alarms(session, dev, "offline")
    assert alarm.detail["last_seen"] == at(0).isoformat()
