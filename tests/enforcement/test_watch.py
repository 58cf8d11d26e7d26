"""Closed places watched: the hook other domains call, the scan, the review of a flag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.enforcement import service, watch
from gaswarden.domains.enforcement.enums import ActivitySource, CaseEventKind
from gaswarden.domains.enforcement.models import EnforcementCase, SiteActivity
from gaswarden.domains.hazard import service as hazards
from gaswarden.domains.hazard.enums import HazardSource
from gaswarden.ingestion.pipeline import Message, Pipeline
from gaswarden.standards.hazards import HazardGrade
from tests.enforcement.helpers import decide_closure, illegal_site, inspection_at, open_unlicensed
from tests.factories import World
from tests.hazard.helpers import who
from tests.ingestion.helpers import telemetry

# The last local noon: the scan flags a device once per local day, so the readings an hour
# and half an hour before NOW must not straddle midnight whenever the suite runs.
_LOCAL_NOW = datetime.now(ZoneInfo(service.DEFAULT_TZ))
_NOON = _LOCAL_NOW.replace(hour=12, minute=0, second=0, microsecond=0)
NOW = (_NOON if _NOON <= _LOCAL_NOW else _NOON - timedelta(days=1)).astimezone(UTC)


def closed_site(
    session: Session, world: World, ago: timedelta = timedelta(hours=2)
) -> tuple[EnforcementCase, int]:
    reg = who(session, world, "reg_staff")
    site_id = illegal_site(session)
    case = open_unlicensed(session, reg, site_id=site_id, lon=None, lat=None, address=None)
    decide_closure(session, reg, case, executed_at=NOW - ago)
    return case, site_id


def activity_events(session: Session, case: EnforcementCase) -> int:
    return sum(
        e.kind is CaseEventKind.ACTIVITY for e in service.timeline(session=session, case=case)
    )


def test_flag_activity_by_site_is_deduplicated_by_ref(session: Session, world: World) -> None:
    case, site_id = closed_site(session, world)
    assert not case.activity_flagged
    first = watch.flag_activity(
        session=session,
        site_id=site_id,
        source=ActivitySource.CYLINDER,
        detail="钢瓶 LP-0001 从该点配送",
        ref="cylinder:LP-0001:delivery:1",
        seen_at=NOW - timedelta(minutes=5),
    )
    assert first is not None and case.activity_flagged and first.case_id == case.id
    again = watch.flag_activity(
        session=session,
        site_id=site_id,
        source=ActivitySource.CYLINDER,
        detail="钢瓶 LP-0001 从该点配送",
        ref="cylinder:LP-0001:delivery:1",
        seen_at=NOW - timedelta(minutes=5),
    )
    assert again is not None and again.id == first.id
    assert activity_events(session, case) == 1
    audited = session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.entity_id == case.id, AuditEntry.action == "case_activity")
    )
    assert audited == 1
    # a site nobody watches, or activity before the closure: nothing
    kw = {"session": session, "source": ActivitySource.CYLINDER, "detail": "配送"}
    assert watch.flag_activity(**kw, site_id=world.ids["gate"]) is None  # type: ignore[arg-type]
    early = NOW - timedelta(days=3)
    assert watch.flag_activity(**kw, site_id=site_id, seen_at=early) is None  # type: ignore[arg-type]
    with pytest.raises(Invalid):
        watch.flag_activity(**kw, case_id=case.id, site_id=site_id)  # type: ignore[arg-type]
    reg = who(session, world, "reg_staff")
    unwatched = open_unlicensed(session, reg)
    with pytest.raises(Conflict):
        watch.flag_activity(**kw, case_id=unwatched.id)  # type: ignore[arg-type]


def test_review_clears_the_flag_when_nothing_is_left(session: Session, world: World) -> None:
    case, _ = closed_site(session, world)
    reg = who(session, world, "reg_admin")
    a1 = watch.report_activity(
        session=session, principal=reg, id=case.id, detail="群众举报夜间充装"
    )
    a2 = watch.flag_activity(
        session=session,
        case_id=case.id,
        source=ActivitySource.CYLINDER,
        detail="钢瓶配送",
        ref="cyl-2",
    )
    assert a2 is not None and case.activity_flagged
    with pytest.raises(NotFound):  # out of scope
        watch.review(
            session=session,
            principal=who(session, world, "ent_b_admin"),
            activity_id=a1.id,
            note="x",
        )
    with pytest.raises(Forbidden):  # in scope, but no regulator
        watch.review(
            session=session, principal=who(session, world, "grid_sup"), activity_id=a1.id, note="x"
        )
    watch.review(
        session=session, principal=reg, activity_id=a1.id, note="现场核查：属实，已再次查封"
    )
    assert case.activity_flagged and a1.reviewed and a1.reviewed_by_name == "reg_admin"
    watch.review(session=session, principal=reg, activity_id=a2.id, note="钢瓶为关停前库存")
    assert not case.activity_flagged
    with pytest.raises(Conflict):
        watch.review(session=session, principal=reg, activity_id=a2.id, note="again")


def _send_reading(session: Session, device_id: int, ts: datetime) -> None:
    from gaswarden.domains.device.models import Device

    device = session.get(Device, device_id)
    assert device is not None
    message = Message(
        "mqtt",
        f"gw/v1/devices/{device.serial}/telemetry",
        telemetry(ts, seq=int(ts.timestamp()), pressure_kpa=210.0),
        ts + timedelta(seconds=5),  # received
    )
    outcome = Pipeline().ingest(session, [message])
    assert outcome.count("accepted") == 1


def test_scan_finds_data_from_a_device_at_the_closed_site(session: Session, world: World) -> None:
    case, site_id = closed_site(session, world)
    dev = devices.create(
        session=session,
        principal=SYSTEM,
        data={"serial": "SN-ILLEGAL-1", "kind": "pressure_monitor", "site_id": site_id},
    )
    _send_reading(session, world.ids["dev_gate"], NOW - timedelta(hours=1))  # another site
    assert watch.scan(session=session, now=NOW) == []
    _send_reading(session, dev.id, NOW - timedelta(hours=3))  # before the closure
    assert watch.scan(session=session, now=NOW) == []
    _send_reading(session, dev.id, NOW - timedelta(hours=1))
    (found,) = watch.scan(session=session, now=NOW)
    assert found.case_id == case.id and found.source is ActivitySource.TELEMETRY
    assert "SN-ILLEGAL-1" in found.detail and case.activity_flagged
    _send_reading(session, dev.id, NOW - timedelta(minutes=30))
    assert watch.scan(session=session, now=NOW) == []  # one flag per device and day
    # a day later, with no new data: nothing; with new data: a new flag
    assert watch.scan(session=session, now=NOW + timedelta(days=1, hours=1)) == []
    _send_reading(session, dev.id, NOW + timedelta(days=1))
    (later,) = watch.scan(session=session, now=NOW + timedelta(days=1, hours=1))
    assert later.id != found.id
    assert activity_events(session, case) == 2


def test_scan_looks_back_24_hours(session: Session, world: World) -> None:
    case, site_id = closed_site(session, world, ago=timedelta(days=5))
    dev = devices.create(
        session=session,
        principal=SYSTEM,
        data={"serial": "SN-ILLEGAL-2", "kind": "pressure_monitor", "site_id": site_id},
    )
    _send_reading(session, dev.id, NOW - timedelta(hours=25))
    assert watch.scan(session=session, now=NOW) == []
    (found,) = watch.scan(session=session, now=NOW - timedelta(hours=2))
    assert found.case_id == case.id and found.seen_at == NOW - timedelta(hours=25)


def test_scan_finds_a_hazard_recorded_at_the_closed_site(session: Session, world: World) -> None:
    case, site_id = closed_site(session, world)
    assert not case.activity_flagged
    hazards.report(
        session=session,
        principal=who(session, world, "grid_sup"),
        source=HazardSource.PUBLIC_REPORT,
        grade=HazardGrade.MAJOR,
        category="非法经营",
        title="关停点夜间又有充装",
        site_id=site_id,
        found_at=NOW - timedelta(minutes=10),
    )
    (found,) = watch.scan(session=session, now=NOW)
    assert found.source is ActivitySource.REPORT and "关停点夜间又有充装" in found.detail
    assert found.case_id == case.id and case.activity_flagged
    assert watch.scan(session=session, now=NOW) == []
    inspection_at(session, site_id, NOW - timedelta(hours=3))  # before the closure
    inspection_id = inspection_at(session, site_id, NOW - timedelta(minutes=5))
    (seen,) = watch.scan(session=session, now=NOW)
    assert (
        seen.source is ActivitySource.INSPECTION
        and seen.ref == f"inspection:{case.id}:{inspection_id}"
    )
    assert session.scalar(select(func.count()).select_from(SiteActivity)) == 2
