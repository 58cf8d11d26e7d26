"""Service requests through the service layer: targets from the standards table, the
responsible company and area, the leak report's incident, the lifecycle, the overdue sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.emergency.enums import IncidentSource
from gaswarden.domains.emergency.models import Incident
from gaswarden.domains.service import overdue, requests
from gaswarden.domains.service.enums import (
    RequestChannel,
    RequestEventKind,
    RequestKind,
    RequestPriority,
    RequestStatus,
)
from gaswarden.domains.service.workflow import MOVES, Step
from gaswarden.standards.service import TARGETS
from tests.factories import World
from tests.hazard.helpers import who
from tests.service.helpers import IN_G21, PHONE, T0, receive


@pytest.mark.parametrize("kind", list(RequestKind))
def test_due_times_come_from_the_standards_table(
    session: Session, world: World, kind: RequestKind
) -> None:
    request = receive(session, kind=kind, received_at=T0, now=T0)
    target = TARGETS[kind]
    assert request.respond_due_at == T0 + timedelta(minutes=target.respond_min)
    assert request.resolve_due_at == T0 + timedelta(minutes=target.resolve_min)
    assert request.priority is target.priority
    assert request.code == f"FW-20260302-{request.id:06d}"


def test_targets_can_be_overridden_per_deployment(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GASWARDEN_SERVICE_TARGETS", '{"repair": {"respond_min": 90}}')
    request = receive(session, received_at=T0, now=T0)
    assert request.respond_due_at == T0 + timedelta(minutes=90)
    resolve = TARGETS[RequestKind.REPAIR].resolve_min
    assert request.resolve_due_at == T0 + timedelta(minutes=resolve)


def test_company_and_area_from_the_point_or_the_operator(session: Session, world: World) -> None:
    near_gate = receive(session)
    assert near_gate.area_id == world.ids["g11"] and near_gate.owner_id == world.ids["ent_a"]
    # Nearest site of a pipeline company first (ent_b is LPG, its filling station is nearer).
    east = receive(session, **IN_G21)
    assert east.area_id == world.ids["g21"] and east.owner_id == world.ids["ent_a"]
    chosen = receive(session, owner_id=world.ids["ent_b"], **IN_G21)
    assert chosen.owner_id == world.ids["ent_b"]
    by_town = receive(session, lon=None, lat=None, area_id=world.ids["t2"])
    assert by_town.area_id == world.ids["t2"] and by_town.owner_id is not None
    with pytest.raises(Invalid):
        receive(session, lon=None, lat=None)  # nowhere to put it
    with pytest.raises(Invalid):
        receive(session, owner_id=world.ids["reg"])  # not a gas company


def test_phone_is_stored_protected_and_audited_masked(session: Session, world: World) -> None:
    request = receive(session)
    assert request.contact_phone == PHONE  # decrypted on read
    raw = (
        session.connection()
        .exec_driver_sql(f"SELECT contact_phone FROM service_request WHERE id = {request.id}")
        .scalar()
    )
    assert raw and PHONE not in raw
    entry = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "service_request", AuditEntry.entity_id == request.id
        )
    ).one()
    assert entry.action == "request_created"
    assert entry.changes["contact_phone"] == [None, "139****4321"]


def test_a_leak_report_opens_an_urgent_case_and_an_incident_at_once(
    session: Session, world: World
) -> None:
    operator = who(session, world, "reg_staff")
    leak = receive(
        session, operator, kind=RequestKind.LEAK_REPORT, description="楼道里有很浓的燃气味"
    )
    assert leak.priority is RequestPriority.URGENT and leak.status is RequestStatus.OPEN
    assert leak.incident_id is not None
    incident = session.get(Incident, leak.incident_id)
    assert incident is not None
    assert incident.source is IncidentSource.SERVICE_REQUEST
    assert incident.source_ref == leak.code  # linked both ways
    assert incident.owner_id == leak.owner_id and incident.area_id == leak.area_id
    assert incident.caller_phone == PHONE and incident.reported_at == leak.received_at
    kinds = [e.kind for e in requests.timeline(session=session, request=leak)]
    assert kinds == [RequestEventKind.CREATED, RequestEventKind.ESCALATED]
    plain = receive(session, operator)
    assert plain.incident_id is None and plain.priority is RequestPriority.NORMAL


def test_the_lifecycle_and_its_refused_moves(session: Session, world: World) -> None:
    handler = who(session, world, "ent_a_staff")
    request = receive(session, received_at=T0, now=T0)
    rid = request.id
    steps = {
        Step.ASSIGN: lambda: requests.assign(
            session=session, principal=handler, id=rid, team_id=world.ids["team_a"], now=T0
        ),
        Step.RESPOND: lambda: requests.respond(
            session=session, principal=handler, id=rid, at=T0 + timedelta(hours=1)
        ),
        Step.RESOLVE: lambda: requests.resolve(
            session=session,
            principal=handler,
            id=rid,
            resolution="更换点火针",
            at=T0 + timedelta(hours=3),
        ),
        Step.CLOSE: lambda: requests.close(
            session=session, principal=handler, id=rid, satisfaction=5, now=T0 + timedelta(days=1)
        ),
    }
    for step in (Step.ASSIGN, Step.RESPOND, Step.RESOLVE, Step.CLOSE):
        for other, run in steps.items():
            if request.status not in MOVES[other].sources:
                with pytest.raises(Conflict):
                    run()
        before = request.status
        steps[step]()
        assert before in MOVES[step].sources and request.status is MOVES[step].target
    assert request.status is RequestStatus.CLOSED and request.satisfaction == 5
    assert request.assignee_name == "张强"  # the team's leader
    assert not request.overdue  # on time throughout
    events = [e.kind for e in requests.timeline(session=session, request=request)]
    assert events == [
        RequestEventKind.CREATED,
        RequestEventKind.ASSIGNED,
        RequestEventKind.RESPONDED,
        RequestEventKind.RESOLVED,
        RequestEventKind.VISITED,
        RequestEventKind.CLOSED,
    ]
    audited = session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.entity_type == "service_request", AuditEntry.entity_id == rid
        )
    ).all()
    assert len(audited) == len(events)
    requests.add_note(session=session, principal=handler, id=rid, note="用户表扬")


def test_step_rules(session: Session, world: World) -> None:
    request = receive(session, received_at=T0, now=T0)
    a = who(session, world, "ent_a_staff")
    with pytest.raises(Invalid):  # a team of another company
        requests.assign(session=session, principal=a, id=request.id, team_id=world.ids["team_b"])
    with pytest.raises(Invalid):  # neither team nor person
        requests.assign(session=session, principal=a, id=request.id)
    with pytest.raises(NotFound):  # out of scope reads as not found
        requests.assign(
            session=session,
            principal=who(session, world, "ent_b_admin"),
            id=request.id,
            assignee_name="x",
        )
    with pytest.raises(Forbidden):  # a grid supervisor sees it but does not handle it
        requests.assign(
            session=session,
            principal=who(session, world, "grid_sup"),
            id=request.id,
            assignee_name="x",
        )
    requests.assign(session=session, principal=a, id=request.id, assignee_name="王师傅")
    requests.respond(session=session, principal=a, id=request.id, at=T0 + timedelta(minutes=5))
    with pytest.raises(Invalid):
        requests.resolve(session=session, principal=a, id=request.id, resolution=" ")
    requests.resolve(session=session, principal=a, id=request.id, resolution="已修复")
    with pytest.raises(Invalid):
        requests.close(session=session, principal=a, id=request.id, satisfaction=6)


def test_receivers(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        receive(session, who(session, world, "grid_sup"))
    with pytest.raises(Forbidden):  # an enterprise receives for itself only
        receive(session, who(session, world, "ent_a_staff"), owner_id=world.ids["ent_b"])
    own = receive(session, who(session, world, "ent_b_admin"))
    assert own.owner_id == world.ids["ent_b"]
    with pytest.raises(Forbidden):  # the public form sends web requests only
        receive(session, requests.PUBLIC, channel=RequestChannel.API)


def test_overdue_sweep_marks_once(session: Session, world: World) -> None:
    repair = receive(session, received_at=T0, now=T0)
    leak = receive(session, kind=RequestKind.LEAK_REPORT, received_at=T0, now=T0)
    done = receive(session, kind=RequestKind.ENQUIRY, received_at=T0, now=T0)
    requests.assign(session=session, principal=SYSTEM, id=done.id, assignee_name="客服", now=T0)
    requests.respond(session=session, principal=SYSTEM, id=done.id, at=T0 + timedelta(minutes=9))

    early = overdue.sweep(session, T0 + timedelta(minutes=20))
    assert early.overdue == []
    at = T0 + timedelta(minutes=31)  # the leak's 30 minutes have passed
    first = overdue.sweep(session, at)
    assert first.overdue == [leak.id] and leak.overdue and not repair.overdue
    later = overdue.sweep(session, T0 + timedelta(hours=5))  # the repair's 4 h too
    assert later.overdue == [repair.id]
    assert not done.overdue  # responded in time; its resolve target (3 days) still ahead
    # Past the enquiry's 3 days to answer; the others are not marked again.
    assert overdue.sweep(session, T0 + timedelta(days=30)).overdue == [done.id]
    assert overdue.sweep(session, T0 + timedelta(days=31)).overdue == []
    for request in (leak, repair):
        events = requests.timeline(session=session, request=request)
        assert [e.kind for e in events].count(RequestEventKind.OVERDUE) == 1
    leak_event = next(
        e for e in requests.timeline(session=session, request=leak) if e.kind.value == "overdue"
    )
    assert leak_event.data["missed"] == ["respond"] and leak_event.at == at
    done_event = requests.timeline(session=session, request=done)[-1]
    assert done_event.kind is RequestEventKind.OVERDUE and done_event.data["missed"] == ["resolve"]


def test_a_late_response_is_marked_at_the_step(session: Session, world: World) -> None:
    request = receive(session, received_at=T0, now=T0)
    requests.assign(session=session, principal=SYSTEM, id=request.id, assignee_name="王", now=T0)
    requests.respond(session=session, principal=SYSTEM, id=request.id, at=T0 + timedelta(hours=5))
    assert request.overdue
    kinds = [e.kind for e in requests.timeline(session=session, request=request)]
    assert kinds[-1] is RequestEventKind.OVERDUE
