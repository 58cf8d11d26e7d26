"""The overdue sweep and escalation with a fixed clock: marked once, each level once, whom
each level is for, a new deadline starting afresh; the background loop and the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from gaswarden import maintenance
from gaswarden.cli.main import app as cli
from gaswarden.core.auth import SYSTEM
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.hazard import overdue, service
from gaswarden.domains.hazard.enums import HazardEventKind, HazardSource, HazardStatus
from gaswarden.domains.hazard.models import Hazard, HazardEvent
from gaswarden.domains.notification.models import Subscription
from gaswarden.domains.notification.service import subscriptions
from gaswarden.standards.hazards import ESCALATION_STEPS, HazardGrade
from tests.conftest import world_database
from tests.factories import World
from tests.hazard.helpers import who
from tests.hazard.loop import drive, new_hazard

DEADLINE = date(2026, 3, 1)
TZ = "Asia/Shanghai"


def at(day: date, hour: int = 2) -> datetime:
    """`hour` o'clock UTC on `day` (10:00 in Shanghai: the same local day)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def days_after(n: int) -> datetime:
    return at(DEADLINE + timedelta(days=n))


def events(session: Session, h: Hazard, kind: HazardEventKind) -> list[HazardEvent]:
    session.flush()
    return [e for e in service.timeline(session=session, hazard=h) if e.kind is kind]


def subscribe(session: Session, audience: str, owner: int) -> Subscription:
    sub = subscriptions.create(
        session=session,
        principal=SYSTEM,
        data={
            "channel": "email",
            "target": f"{audience}@example.com",
            "audience": audience,
            "owner_id": owner,
        },
    )
    session.flush()
    return sub


def test_due_levels_follow_the_standard() -> None:
    assert ESCALATION_STEPS == ((0, 1), (7, 2))
    assert [overdue.due_level(d) for d in (-3, 0, 1, 6, 7, 30)] == [0, 0, 1, 1, 2, 2]


def test_not_overdue_on_the_deadline_day_in_local_time(session: Session, world: World) -> None:
    h = new_hazard(session, world, deadline=DEADLINE)
    late_on_the_day = datetime(2026, 3, 1, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    assert overdue.sweep(session, late_on_the_day, TZ).overdue == []
    assert not h.overdue
    next_local_day = datetime(2026, 3, 1, 16, 0, tzinfo=UTC)  # 00:00 on 2 March in Shanghai
    assert overdue.sweep(session, next_local_day, "UTC").overdue == []  # still 1 March in UTC
    assert overdue.sweep(session, next_local_day, TZ).overdue == [h.id]
    assert h.overdue and h.escalation_level == 1


def test_overdue_once_and_each_level_once(session: Session, world: World) -> None:
    head_sub = subscribe(session, "enterprise_admin", world.ids["ent_a"])
    subscribe(session, "enterprise_admin", world.ids["ent_b"])  # another enterprise's
    subscribe(session, "enterprise", world.ids["ent_a"])  # staff on duty: not the head
    reg_sub = subscribe(session, "regulator", world.ids["reg"])
    h = drive(session, world, HazardStatus.RECTIFYING, deadline=DEADLINE)

    result = overdue.sweep(session, days_after(1), TZ)
    assert result.overdue == [h.id] and result.escalated == [(h.id, 1)]
    assert h.overdue and h.escalation_level == 1
    (marked,) = events(session, h, HazardEventKind.OVERDUE)
    assert marked.data["days_over"] == 1 and marked.actor_name == "system"
    (first,) = events(session, h, HazardEventKind.ESCALATED)
    assert first.data["level"] == 1 and first.data["audience"] == "enterprise_admin"
    assert first.data["org_ids"] == [world.ids["ent_a"]]
    assert first.data["user_ids"] == [world.ids["user_ent_a_admin"]]
    assert first.data["subscription_ids"] == [head_sub.id]
    assert first.data["notice"]["link"] == f"/hazards/{h.id}"
    assert "逾期1天" in first.data["notice"]["text_zh"]

    for n in (1, 2, 6):  # again and again before level 2 is due: nothing new
        again = overdue.sweep(session, days_after(n), TZ)
        assert again.overdue == [] and again.escalated == []

    result = overdue.sweep(session, days_after(7), TZ)
    assert result.escalated == [(h.id, 2)] and h.escalation_level == 2
    second = events(session, h, HazardEventKind.ESCALATED)[-1]
    assert second.data["audience"] == "regulator"
    assert second.data["org_ids"] == [world.ids["reg"]]
    assert set(second.data["user_ids"]) == {
        world.ids["user_reg_admin"],
        world.ids["user_reg_staff"],
    }
    assert second.data["subscription_ids"] == [reg_sub.id]
    assert overdue.sweep(session, days_after(30), TZ).escalated == []
    assert len(events(session, h, HazardEventKind.OVERDUE)) == 1
    assert len(events(session, h, HazardEventKind.ESCALATED)) == 2
    audits = session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.entity_type == "hazard", AuditEntry.entity_id == h.id
        )
    ).all()
    assert audits.count("hazard_overdue") == 1 and audits.count("hazard_escalated") == 2


def test_a_late_sweep_takes_every_level_in_turn(session: Session, world: World) -> None:
    h = drive(session, world, HazardStatus.ASSIGNED, deadline=DEADLINE)
    result = overdue.sweep(session, days_after(10), TZ)
    assert result.escalated == [(h.id, 1), (h.id, 2)]
    levels = [e.data["level"] for e in events(session, h, HazardEventKind.ESCALATED)]
    assert levels == [1, 2]


def test_only_hazards_waiting_on_the_enterprise(session: Session, world: World) -> None:
    waiting = {
        s: drive(session, world, s, deadline=DEADLINE)
        for s in (HazardStatus.REPORTED, HazardStatus.ASSIGNED, HazardStatus.RECTIFYING)
    }
    submitted = drive(session, world, HazardStatus.SUBMITTED, deadline=DEADLINE)
    closed = drive(session, world, HazardStatus.CLOSED, deadline=DEADLINE)
    in_time = drive(session, world, HazardStatus.ASSIGNED, deadline=DEADLINE + timedelta(days=9))
    result = overdue.sweep(session, days_after(3), TZ)
    assert sorted(result.overdue) == sorted(h.id for h in waiting.values())
    for h in (submitted, closed, in_time):
        assert not h.overdue and h.escalation_level == 0


def test_an_unlicensed_site_escalates_to_the_regulator(session: Session, world: World) -> None:
    """No enterprise to tell at level 1: recorded with nobody; level 2 reaches the regulator."""
    h = service.report(
        session=session,
        principal=who(session, world, "reg_staff"),
        source=HazardSource.PUBLIC_REPORT,
        grade=HazardGrade.MAJOR,
        category="非法经营",
        title="无证液化气供应点",
        area_id=world.ids["g21"],
        address="柳园路18号",
        deadline=DEADLINE,
    )
    overdue.sweep(session, days_after(8), TZ)
    first, second = events(session, h, HazardEventKind.ESCALATED)
    assert first.data["org_ids"] == [] and first.data["user_ids"] == []
    assert second.data["org_ids"] == [world.ids["reg"]]


def test_a_new_deadline_starts_afresh(session: Session, world: World) -> None:
    h = drive(session, world, HazardStatus.RECTIFYING, deadline=DEADLINE)
    overdue.sweep(session, days_after(8), TZ)
    assert h.overdue and h.escalation_level == 2
    reg = who(session, world, "reg_staff")
    service.change_deadline(
        session=session,
        principal=reg,
        id=h.id,
        deadline=DEADLINE + timedelta(days=20),
        note="企业申请延期,同意",
        tz=TZ,
        now=days_after(8),
    )
    assert not h.overdue and h.escalation_level == 0
    assert overdue.sweep(session, days_after(15), TZ).overdue == []
    result = overdue.sweep(session, days_after(21), TZ)
    assert result.overdue == [h.id] and result.escalated == [(h.id, 1)]
    assert len(events(session, h, HazardEventKind.OVERDUE)) == 2


def test_verified_hazard_is_no_longer_overdue(session: Session, world: World) -> None:
    h = drive(session, world, HazardStatus.RECTIFYING, deadline=DEADLINE)
    overdue.sweep(session, days_after(2), TZ)
    ent = who(session, world, "ent_a_admin")
    service.submit(session=session, principal=ent, id=h.id, description="已整改", now=days_after(3))
    assert overdue.sweep(session, days_after(4), TZ).escalated == []  # waiting on the verifier
    service.verify(session=session, principal=who(session, world, "inspector"), id=h.id)
    assert h.status is HazardStatus.CLOSED and not h.overdue and h.closed_on_time is False


def test_the_housekeeping_round_sweeps(
    connection: Connection, session: Session, world: World
) -> None:
    h = new_hazard(session, world, deadline=date(2020, 1, 1))
    session.flush()
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    done = maintenance.run_round(factory, "Asia/Shanghai")
    assert done.failed == {} and h.id in done.results["overdue hazards"].overdue
    session.expire_all()
    assert h.overdue and h.escalation_level == 2


def test_cli_sweep(tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    db, world = world_database(backend, tmp_path)
    monkeypatch.setenv("GASWARDEN_SECRET_KEY", db.settings.secret_key)
    try:
        with sessionmaker(bind=db.engine, expire_on_commit=False)() as s:
            hid = new_hazard(s, world, deadline=DEADLINE).id
            s.commit()
        url = db.settings.resolved_database_url
        args = ["hazards", "sweep", "--database-url", url, "--data-dir", str(tmp_path)]
        r = CliRunner().invoke(cli, [*args, "--now", "2026-03-05T02:00:00+00:00"])
        assert r.exit_code == 0, r.output
        assert "1 newly overdue" in r.output and f"#{hid}→L1" in r.output
        r = CliRunner().invoke(cli, [*args, "--now", "2026-03-05T03:00:00"])
        assert "0 newly overdue" in r.output and "0 escalations" in r.output
        r = CliRunner().invoke(cli, [*args, "--now", "yesterday"])
        assert r.exit_code == 2
        with sessionmaker(bind=db.engine)() as s:
            stored = s.get(Hazard, hid)
            assert stored is not None and stored.overdue and stored.escalation_level == 1
    finally:
        db.cleanup()
