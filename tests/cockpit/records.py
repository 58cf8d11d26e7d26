"""A small, known set of records for the cockpit tests, on the test world's day NOW
(2026-10-14, 12:00 in Shanghai = 04:00 UTC). Rows of the other domains are ORM rows, with
times chosen so that every figure can be worked out by hand:

Sites: gate (ent_a, grid g11, town t1), box (ent_a, g12, t1), supply (ent_b, g11, t1),
filling (ent_b, g21, t2). Devices: one per site.

| record | where         | what                                                         |
| A1     | gate  (ent_a) | red alarm today 09:00, ack 120 s, on site 600 s, stage on_site |
| A2     | box   (ent_a) | orange alarm today 10:00, ack 300 s, acknowledged             |
| A3     | filling (ent_b)| red alarm today 11:00, new                                   |
| A4     | supply (ent_b)| yellow alarm yesterday, resolved yesterday                    |
| H1     | gate  (ent_a) | general hazard found 10-01, deadline 10-08: open, overdue     |
| H2     | filling (ent_b)| major hazard found 10-13, deadline 11-12: open               |
| H3     | box   (ent_a) | general hazard found 09-20, closed 10-05 (this month)         |
| fills  | ent_b         | 3 fills today (one refused: 2 count), 1 delivery; 1 fill yesterday |
| C1..C3 | ent_a         | conversions: connected 2026-03-01, connected 2025-12-01, in progress |
| R1, R2 | ent_a, ent_b  | service requests open; R1 past its resolve target             |
| R3     | ent_a         | resolved 10-13 on time                                        |
| I1     | gate (ent_a)  | grade IV today 10:30, dispatched +5 min, arrived +20 min, open |
| I2     | filling (ent_b)| incident closed on 10-10                                    |
| D1     | ent_a         | a drill held 10-09 with 30 participants                       |
| health | gate, box     | seen 1 min before NOW (online); supply, filling never seen    |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.domains.alarm.enums import AlarmStage
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.conversion.enums import (
    ApplicationChannel,
    ConversionStatus,
    HouseholdKind,
)
from gaswarden.domains.conversion.models import ConversionApplication
from gaswarden.domains.cylinder.enums import EventKind, EventResult
from gaswarden.domains.cylinder.models import CylinderEvent
from gaswarden.domains.device.enums import DeviceKind
from gaswarden.domains.device.models import Device
from gaswarden.domains.emergency.enums import (
    DrillKind,
    DrillStatus,
    IncidentGrade,
    IncidentSource,
    IncidentStatus,
)
from gaswarden.domains.emergency.models import Drill, Incident
from gaswarden.domains.hazard.enums import HazardSource, HazardStatus
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.service.enums import (
    RequestChannel,
    RequestKind,
    RequestPriority,
    RequestStatus,
)
from gaswarden.domains.service.models import ServiceRequest, Village
from gaswarden.domains.site.models import Site
from gaswarden.domains.telemetry.models import DeviceHealth
from gaswarden.rules.grades import Grade
from gaswarden.standards.hazards import HazardGrade
from tests.factories import World

NOW = datetime(2026, 10, 14, 4, tzinfo=UTC)
TODAY = date(2026, 10, 14)


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time in 2026 as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


@dataclass
class Records:
    ids: dict[str, int] = field(default_factory=dict)


def _site(session: Session, world: World, key: str) -> Site:
    site = session.get(Site, world.ids[key])
    assert site is not None
    return site


def _alarm(
    session: Session,
    world: World,
    dev_key: str,
    grade: Grade,
    raised: datetime,
    stage: AlarmStage,
    **extra: Any,
) -> Alarm:
    device = session.get(Device, world.ids[dev_key])
    assert device is not None
    is_open = stage not in (AlarmStage.RESOLVED, AlarmStage.CLOSED)
    alarm = Alarm(
        open_key=f"{device.id}:co_high" if is_open else None,
        device_id=device.id,
        rule="co_high",
        device_kind=DeviceKind(device.kind),
        owner_id=device.owner_id,
        area_id=device.area_id,
        site_id=device.site_id,
        grade=grade,
        first_grade=grade,
        stage=stage,
        metric="co_ppm",
        raised_at=raised,
        opened_at=raised,
        **extra,
    )
    session.add(alarm)
    return alarm


def _hazard(
    session: Session,
    world: World,
    code: str,
    site_key: str,
    grade: HazardGrade,
    found: datetime,
    deadline: date,
    closed: datetime | None = None,
) -> Hazard:
    site = _site(session, world, site_key)
    hazard = Hazard(
        code=code,
        source=HazardSource.INSPECTION,
        grade=grade,
        category="安全管理",
        title=f"{code} 隐患",
        status=HazardStatus.CLOSED if closed else HazardStatus.ASSIGNED,
        found_at=found,
        found_by_name="reg_staff",
        deadline=deadline,
        closed_at=closed,
        closed_on_time=(closed.date() <= deadline) if closed else None,
        site_id=site.id,
        owner_id=site.owner_id,
        area_id=site.area_id,
        lon=site.lon,
        lat=site.lat,
    )
    session.add(hazard)
    return hazard


def _scan(
    session: Session, world: World, key: str, kind: EventKind, at: datetime, result: EventResult
) -> None:
    site = _site(session, world, "filling")
    session.add(
        CylinderEvent(
            key=key,
            org_id=world.ids["ent_b"],
            kind=kind,
            result=result,
            tag_code=f"TAG-{key}",
            occurred_at=at,
            received_at=at,
            username="worker_b",
            site_id=site.id,
            area_id=site.area_id,
        )
    )


def _conversion(
    session: Session,
    world: World,
    code: str,
    status: ConversionStatus,
    applied: datetime,
    connected: datetime | None = None,
) -> None:
    site = _site(session, world, "gate")
    session.add(
        ConversionApplication(
            code=code,
            channel=ApplicationChannel.ONLINE,
            household_kind=HouseholdKind.RESIDENTIAL,
            status=status,
            applicant_name="居民",
            applied_at=applied,
            connected_at=connected,
            owner_id=world.ids["ent_a"],
            area_id=site.area_id,
        )
    )


def _request(
    session: Session,
    world: World,
    code: str,
    ent: str,
    site_key: str,
    received: datetime,
    status: RequestStatus,
    resolved: datetime | None = None,
) -> None:
    site = _site(session, world, site_key)
    session.add(
        ServiceRequest(
            code=code,
            kind=RequestKind.REPAIR,
            channel=RequestChannel.HOTLINE,
            priority=RequestPriority.NORMAL,
            status=status,
            contact_name="用户",
            description="燃气表故障",
            received_at=received,
            received_by_name="热线",
            respond_due_at=received + timedelta(hours=2),
            resolve_due_at=received + timedelta(hours=24),
            resolved_at=resolved,
            satisfaction=5 if resolved else None,
            owner_id=world.ids[ent],
            area_id=site.area_id,
        )
    )


def _incident(
    session: Session,
    world: World,
    code: str,
    site_key: str,
    reported: datetime,
    status: IncidentStatus,
    **extra: Any,
) -> None:
    site = _site(session, world, site_key)
    session.add(
        Incident(
            code=code,
            title=f"{site.name}泄漏",
            grade=IncidentGrade.IV,
            source=IncidentSource.CALL,
            status=status,
            site_id=site.id,
            reported_at=reported,
            reported_by_name="值班员",
            owner_id=site.owner_id,
            area_id=site.area_id,
            **extra,
        )
    )


def build(session: Session, world: World) -> Records:
    rec = Records()
    a1 = _alarm(
        session,
        world,
        "dev_gate",
        Grade.RED,
        local(10, 14, 9),
        AlarmStage.ON_SITE,
        ack_s=120,
        on_site_s=600,
        acked_at=local(10, 14, 9, 2),
    )
    a2 = _alarm(
        session,
        world,
        "dev_box",
        Grade.ORANGE,
        local(10, 14, 10),
        AlarmStage.ACKNOWLEDGED,
        ack_s=300,
    )
    a3 = _alarm(session, world, "dev_fill", Grade.RED, local(10, 14, 11), AlarmStage.NEW)
    a4 = _alarm(
        session,
        world,
        "dev_sup",
        Grade.YELLOW,
        local(10, 13, 9),
        AlarmStage.RESOLVED,
        resolved_at=local(10, 13, 10),
        ack_s=60,
    )

    _hazard(
        session, world, "YH-T-1", "gate", HazardGrade.GENERAL, local(10, 1, 12), date(2026, 10, 8)
    )
    _hazard(
        session,
        world,
        "YH-T-2",
        "filling",
        HazardGrade.MAJOR,
        local(10, 13, 12),
        date(2026, 11, 12),
    )
    _hazard(
        session,
        world,
        "YH-T-3",
        "box",
        HazardGrade.GENERAL,
        local(9, 20, 12),
        date(2026, 10, 20),
        closed=local(10, 5, 12),
    )

    _scan(session, world, "f1", EventKind.FILL, local(10, 14, 8), EventResult.ACCEPTED)
    _scan(session, world, "f2", EventKind.FILL, local(10, 14, 9), EventResult.ANOMALY)
    _scan(session, world, "f3", EventKind.FILL, local(10, 14, 9, 30), EventResult.REFUSED)
    _scan(session, world, "d1", EventKind.DELIVER, local(10, 14, 10), EventResult.ACCEPTED)
    _scan(session, world, "f0", EventKind.FILL, local(10, 13, 16), EventResult.ACCEPTED)

    _conversion(
        session, world, "PG-T-1", ConversionStatus.CONNECTED, local(1, 10, 9), local(3, 1, 9)
    )
    _conversion(
        session,
        world,
        "PG-T-2",
        ConversionStatus.CONNECTED,
        datetime(2025, 11, 1, tzinfo=UTC),
        datetime(2025, 12, 1, tzinfo=UTC),
    )
    _conversion(session, world, "PG-T-3", ConversionStatus.QUOTED, local(10, 2, 9))

    _request(session, world, "FW-T-1", "ent_a", "gate", local(10, 12, 9), RequestStatus.ASSIGNED)
    _request(session, world, "FW-T-2", "ent_b", "filling", local(10, 14, 8), RequestStatus.OPEN)
    _request(
        session,
        world,
        "FW-T-3",
        "ent_a",
        "box",
        local(10, 13, 9),
        RequestStatus.RESOLVED,
        resolved=local(10, 13, 15),
    )

    _incident(
        session,
        world,
        "YJ-T-1",
        "gate",
        local(10, 14, 10, 30),
        IncidentStatus.ON_SCENE,
        dispatched_at=local(10, 14, 10, 35),
        arrived_at=local(10, 14, 10, 50),
    )
    _incident(
        session,
        world,
        "YJ-T-2",
        "filling",
        local(10, 10, 8),
        IncidentStatus.CLOSED,
        dispatched_at=local(10, 10, 8, 10),
        arrived_at=local(10, 10, 8, 40),
        closed_at=local(10, 10, 12),
    )
    gate = _site(session, world, "gate")
    session.add(
        Drill(
            title="门站泄漏演练",
            kind=DrillKind.FULL_SCALE,
            status=DrillStatus.HELD,
            scenario="门站法兰泄漏",
            planned_on=date(2026, 10, 9),
            held_on=date(2026, 10, 9),
            participants=30,
            owner_id=world.ids["ent_a"],
            area_id=gate.area_id,
        )
    )
    session.add(
        Village(
            area_id=world.ids["t1"],
            name="王庄村",
            households=200,
            households_piped=150,
            pipe_gas_since=2020,
            clean_heating_since=2021,
            households_clean_heating=120,
        )
    )
    session.add(Village(area_id=world.ids["t2"], name="李庄村", households=100, households_piped=0))
    for key in ("dev_gate", "dev_box"):
        session.merge(
            DeviceHealth(
                device_id=world.ids[key], last_seen=NOW - timedelta(minutes=1), online=True
            )
        )
    session.flush()
    rec.ids.update(a1=a1.id, a2=a2.id, a3=a3.id, a4=a4.id)
    return rec
