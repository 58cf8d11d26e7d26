"""The management checklist feeds the register of required systems: a failed item tied to a
system records it missing, a pass records it present where nothing is recorded, and verifying
the hazard it opened records the system improved (已完善)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.hazard import service, systems
from gaswarden.domains.hazard.enums import SystemKind, SystemStatus
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.inspection import submission
from gaswarden.domains.inspection.checklists import seed_builtin
from gaswarden.domains.inspection.enums import InspectionKind, Outcome
from gaswarden.domains.inspection.models import ChecklistTemplate, ChecklistVersion
from tests.factories import World
from tests.hazard.helpers import who


def status(session: Session, world: World, kind: SystemKind) -> SystemStatus | None:
    session.flush()
    [(_, views)] = systems.for_enterprises(
        session=session, principal=who(session, world, "reg_admin"), org_id=world.ids["ent_a"]
    )
    row = next(v.row for v in views if v.kind is kind)
    return row.status if row else None


def test_management_inspection_feeds_the_register(session: Session, world: World) -> None:
    seed_builtin(session)
    template = session.scalars(
        select(ChecklistTemplate).where(ChecklistTemplate.code == "GW-ENT")
    ).one()
    version = session.get(ChecklistVersion, template.current_version_id)
    assert version is not None
    plan_item = next(i for i in version.items if i.system_kind == SystemKind.EMERGENCY_PLAN)
    risk_item = next(i for i in version.items if i.system_kind == SystemKind.RISK_CONTROL)
    reg = who(session, world, "reg_staff")
    systems.put(  # recorded before: the pass must not overwrite a regulator's own entry
        session=session,
        principal=reg,
        org_id=world.ids["ent_a"],
        kind=SystemKind.HAZARD_INVESTIGATION,
        status=SystemStatus.MISSING,
    )
    now = datetime.now(UTC)
    answers = [
        {"item_id": i.id, "outcome": Outcome.FAIL if i.id == plan_item.id else Outcome.PASS}
        for i in version.items
    ]
    done = submission.submit(
        session=session,
        principal=reg,
        client_id=str(uuid.uuid4()),
        site_id=world.ids["gate"],
        kind=InspectionKind.SPOT_CHECK,
        version_id=version.id,
        inspected_at=now - timedelta(hours=1),
        results=answers,
    )
    assert status(session, world, SystemKind.EMERGENCY_PLAN) is SystemStatus.MISSING
    assert status(session, world, SystemKind.RISK_CONTROL) is SystemStatus.PRESENT
    assert status(session, world, SystemKind.HAZARD_INVESTIGATION) is SystemStatus.MISSING
    assert risk_item.id != plan_item.id

    hazard = session.scalars(
        select(Hazard).where(
            Hazard.inspection_id == done.inspection.id, Hazard.item_code == plan_item.code
        )
    ).one()
    ent = who(session, world, "ent_a_admin")
    if hazard.grade.value == "major":
        service.submit_plan(
            session=session,
            principal=ent,
            id=hazard.id,
            measures="编制应急预案并备案",
            responsible_person="王安全",
            deadline=hazard.deadline,
            interim_measures="执行集团通用预案",
        )
    service.start(session=session, principal=ent, id=hazard.id)
    service.submit(session=session, principal=ent, id=hazard.id, description="预案已印发备案")
    before = systems.improved_count(session=session, principal=reg)
    service.verify(session=session, principal=reg, id=hazard.id)
    assert status(session, world, SystemKind.EMERGENCY_PLAN) is SystemStatus.IMPROVED
    assert systems.improved_count(session=session, principal=reg) == before + 1
