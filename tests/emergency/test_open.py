"""Opening an incident through the service: the interface the service domain calls."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.core.errors import Forbidden, Invalid
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.emergency.enums import (
    IncidentEventKind,
    IncidentGrade,
    IncidentSource,
    IncidentStatus,
)
from gaswarden.domains.emergency.incidents import open_incident, timeline
from gaswarden.domains.emergency.schemas import IncidentOpen
from tests.factories import World
from tests.hazard.helpers import who


def test_open_from_a_call_places_it_in_the_grid_and_records_it(
    session: Session, world: World
) -> None:
    reg = who(session, world, "reg_staff")
    data = IncidentOpen(
        title="居民楼道燃气泄漏",
        grade=IncidentGrade.III,
        source=IncidentSource.CALL,
        lon=115.915,
        lat=36.415,
        address="古楼街道某小区3号楼",
        caller_name="刘女士",
        caller_phone="13911112222",
    )
    incident = open_incident(session=session, principal=reg, data=data)
    assert incident.status is IncidentStatus.REPORTED
    assert incident.area_id == world.ids["g11"]
    assert incident.code.startswith("YJ-") and incident.code.endswith(f"{incident.id:06d}")
    events = timeline(session=session, incident=incident)
    assert [e.kind for e in events] == [IncidentEventKind.REPORTED]
    audit_rows = list(
        session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity_type == "incident", AuditEntry.entity_id == incident.id
            )
        )
    )
    assert len(audit_rows) == 1
    assert "13911112222" not in str(audit_rows[0].changes)


def test_open_at_a_site_takes_its_enterprise_and_place(session: Session, world: World) -> None:
    data = IncidentOpen(
        title="门站泄漏报告",
        grade=IncidentGrade.IV,
        source=IncidentSource.SERVICE_REQUEST,
        site_id=world.ids["gate"],
        source_ref="FW-2026-000001",
    )
    incident = open_incident(session=session, principal=SYSTEM, data=data)
    assert incident.owner_id == world.ids["ent_a"]
    assert (incident.lon, incident.lat) == (115.91, 36.41)
    assert incident.source_ref == "FW-2026-000001"


def test_an_enterprise_opens_its_own_only(session: Session, world: World) -> None:
    ent_a = who(session, world, "ent_a_admin")
    own = open_incident(
        session=session,
        principal=ent_a,
        data=IncidentOpen(title="自查发现泄漏", lon=115.96, lat=36.41),
    )
    assert own.owner_id == world.ids["ent_a"]
    with pytest.raises(Forbidden):
        open_incident(
            session=session,
            principal=ent_a,
            data=IncidentOpen(title="别家的", owner_id=world.ids["ent_b"]),
        )
    with pytest.raises(Invalid):
        open_incident(
            session=session,
            principal=ent_a,
            data=IncidentOpen(title="别家的场站", site_id=world.ids["filling"]),
        )
    with pytest.raises(Forbidden):
        open_incident(
            session=session, principal=who(session, world, "viewer"), data=IncidentOpen(title="x")
        )
