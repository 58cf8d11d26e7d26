"""The main path of the hazard loop through the service, major and general."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from gaswarden.core.errors import Conflict, Forbidden, NotFound
from gaswarden.domains.hazard import service
from gaswarden.domains.hazard.enums import HazardEventKind, HazardSource, HazardStatus
from gaswarden.standards.hazards import HazardGrade
from tests.factories import World
from tests.hazard.helpers import who


def test_general_hazard_from_report_to_closed(session: Session, world: World) -> None:
    inspector = who(session, world, "inspector")
    h = service.report(
        session=session,
        principal=inspector,
        source=HazardSource.INSPECTION,
        grade=HazardGrade.GENERAL,
        category="安全管理",
        title="灭火器过期",
        site_id=world.ids["gate"],
        assign=True,
    )
    assert h.code.startswith("YH-") and h.status is HazardStatus.ASSIGNED
    assert h.owner_id == world.ids["ent_a"]
    ent = who(session, world, "ent_a_staff")
    service.start(session=session, principal=ent, id=h.id)
    service.submit(session=session, principal=ent, id=h.id, description="已更换灭火器")
    with pytest.raises(Forbidden):
        service.verify(session=session, principal=ent, id=h.id)
    service.send_back(session=session, principal=inspector, id=h.id, note="照片不清楚")
    assert h.status is HazardStatus.RECTIFYING and h.returns == 1
    service.submit(session=session, principal=ent, id=h.id, description="补充照片")
    service.verify(session=session, principal=inspector, id=h.id)
    assert h.status is HazardStatus.CLOSED and h.closed_on_time is True
    kinds = [e.kind for e in service.timeline(session=session, hazard=h)]
    assert kinds == [
        HazardEventKind.REPORTED,
        HazardEventKind.ASSIGNED,
        HazardEventKind.STARTED,
        HazardEventKind.SUBMITTED,
        HazardEventKind.RETURNED,
        HazardEventKind.SUBMITTED,
        HazardEventKind.VERIFIED,
    ]
    with pytest.raises(NotFound):  # another enterprise does not see it
        service.get(session=session, principal=who(session, world, "ent_b_admin"), id=h.id)


def test_major_hazard_needs_a_plan_and_a_regulator(session: Session, world: World) -> None:
    reg = who(session, world, "reg_staff")
    h = service.report(
        session=session,
        principal=reg,
        source=HazardSource.INSPECTION,
        grade=HazardGrade.MAJOR,
        category="储罐",
        title="储罐无液位超限报警",
        site_id=world.ids["gate"],
        item_code="LPG-01",
        assign=True,
    )
    ent = who(session, world, "ent_a_admin")
    with pytest.raises(Conflict):
        service.start(session=session, principal=ent, id=h.id)
    service.submit_plan(
        session=session,
        principal=ent,
        id=h.id,
        measures="加装液位报警",
        responsible_person="李明",
        deadline=date(2030, 1, 1),
        interim_measures="人工值守",
        funds_yuan=12000,
    )
    service.start(session=session, principal=ent, id=h.id)
    service.submit(session=session, principal=ent, id=h.id, description="已加装")
    with pytest.raises(Forbidden):  # the agency may not verify a major hazard
        service.verify(session=session, principal=who(session, world, "inspector"), id=h.id)
    service.verify(session=session, principal=reg, id=h.id)
    assert h.status is HazardStatus.CLOSED
    again = service.report(
        session=session,
        principal=reg,
        source=HazardSource.INSPECTION,
        grade=HazardGrade.MAJOR,
        category="储罐",
        title="储罐无液位超限报警",
        site_id=world.ids["gate"],
        item_code="LPG-01",
    )
    assert again.recurring and again.previous_id == h.id
