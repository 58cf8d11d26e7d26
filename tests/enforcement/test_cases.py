"""Enforcement cases through the service: the whole path, the order of steps, who may do what,
personal data, closures."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.core.pagination import PageParams
from gaswarden.domains.attachment.links import attached
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.enforcement import service
from gaswarden.domains.enforcement.enums import (
    CaseEventKind,
    CaseSource,
    CaseStatus,
    ClosureKind,
    Decision,
    PartyKind,
)
from gaswarden.domains.enforcement.models import EnforcementCase
from gaswarden.domains.enforcement.workflow import MOVES, Step
from gaswarden.domains.hazard import service as hazards
from gaswarden.domains.hazard.enums import HazardSource
from gaswarden.domains.site.enums import SiteStatus
from gaswarden.domains.site.models import Site
from gaswarden.standards.hazards import HazardGrade
from tests.enforcement.helpers import (
    PHONE,
    RULE,
    decide_closure,
    fine,
    illegal_site,
    inspection_at,
    open_unlicensed,
    photo,
)
from tests.factories import ID_NUMBER, World
from tests.hazard.helpers import who


def _audit(session: Session, case: EnforcementCase) -> list[AuditEntry]:
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.entity_type == "enforcement_case", AuditEntry.entity_id == case.id)
        .order_by(AuditEntry.id)
    )
    return list(session.scalars(stmt))


def test_case_from_a_hazard_to_closed(session: Session, world: World) -> None:
    reg = who(session, world, "reg_staff")
    hazard = hazards.report(
        session=session,
        principal=who(session, world, "inspector"),
        source=HazardSource.INSPECTION,
        grade=HazardGrade.MAJOR,
        category="安全管理",
        title="未取得许可擅自扩建储罐",
        site_id=world.ids["gate"],
    )
    case = service.open_case(
        session=session,
        principal=reg,
        party_kind=PartyKind.LICENSED,
        hazard_id=hazard.id,
        facts="检查发现擅自扩建储罐",
        photo_ids=[photo(session, reg)],
    )
    assert case.code.startswith("ZF-") and case.code.endswith(f"{case.id:06d}")
    assert case.source is CaseSource.HAZARD and case.status is CaseStatus.OPENED
    assert (case.site_id, case.owner_id, case.area_id) == (
        world.ids["gate"],
        world.ids["ent_a"],
        world.ids["g11"],
    )
    assert case.party_name == "聊城东昌燃气有限公司" and case.hazard_id == hazard.id

    service.investigate(session=session, principal=reg, id=case.id, note="调取监控")
    service.add_evidence(
        session=session,
        principal=reg,
        id=case.id,
        rule_violated=RULE,
        photo_ids=[photo(session, reg, "ledger.jpg")],
        note="询问笔录",
    )
    fine(session, reg, case)
    assert case.status is CaseStatus.DECIDED and float(case.fine_yuan or 0) == 20000
    service.execute(session=session, principal=reg, id=case.id, execution_note="罚款已缴纳")
    service.close(session=session, principal=reg, id=case.id, note="结案")
    assert case.status is CaseStatus.CLOSED and case.closed_at is not None
    assert not case.watched  # only closures are watched
    assert session.get(Site, world.ids["gate"]).status is SiteStatus.OPERATING  # type: ignore[union-attr]

    kinds = [e.kind for e in service.timeline(session=session, case=case)]
    assert kinds == [
        CaseEventKind.OPENED,
        CaseEventKind.INVESTIGATING,
        CaseEventKind.EVIDENCE,
        CaseEventKind.DECIDED,
        CaseEventKind.EXECUTED,
        CaseEventKind.CLOSED,
    ]
    actions = [a.action for a in _audit(session, case)]
    assert actions == [f"case_{k.value}" for k in kinds]
    assert all(a.actor_name == "reg_staff" for a in _audit(session, case))
    files = attached(session, "enforcement_case", [case.id])
    assert [f.filename for f in files] == ["scene.jpg", "ledger.jpg"]
    assert {f.role for f in files} == {"evidence"} and files[0].owner_id == world.ids["ent_a"]


def _case_in(session: Session, world: World, status: CaseStatus) -> EnforcementCase:
    reg = who(session, world, "reg_admin")
    case = open_unlicensed(session, reg)
    if status is CaseStatus.OPENED:
        return case
    service.investigate(session=session, principal=reg, id=case.id)
    if status is CaseStatus.INVESTIGATING:
        return case
    fine(session, reg, case)
    if status is CaseStatus.DECIDED:
        return case
    service.execute(session=session, principal=reg, id=case.id, execution_note="已缴纳")
    if status is CaseStatus.EXECUTED:
        return case
    service.close(session=session, principal=reg, id=case.id)
    return case


def _take(session: Session, world: World, step: Step, case: EnforcementCase) -> None:
    reg = who(session, world, "reg_admin")
    kw: dict[str, Any] = {"session": session, "principal": reg, "id": case.id}
    if step is Step.INVESTIGATE:
        service.investigate(**kw)
    elif step is Step.EVIDENCE:
        service.add_evidence(**kw, note="补充现场照片")
    elif step is Step.DECIDE:
        fine(session, reg, case)
    elif step is Step.EXECUTE:
        service.execute(**kw, execution_note="已执行")
    elif step is Step.CLOSE:
        service.close(**kw)
    else:
        service.comment(**kw, note="备注")


@pytest.mark.parametrize("status", list(CaseStatus))
def test_every_step_from_every_status(session: Session, world: World, status: CaseStatus) -> None:
    """Allowed moves go through; the others are 409 (Conflict) and change nothing."""
    for step, move in MOVES.items():
        case = _case_in(session, world, status)
        events = len(service.timeline(session=session, case=case))
        if status in move.sources:
            _take(session, world, step, case)
            assert case.status is (move.target or status)
            assert len(service.timeline(session=session, case=case)) == events + 1
        else:
            with pytest.raises(Conflict):
                _take(session, world, step, case)
            assert case.status is status
            assert len(service.timeline(session=session, case=case)) == events


def test_a_decision_names_what_it_needs(session: Session, world: World) -> None:
    reg = who(session, world, "reg_staff")
    case = open_unlicensed(session, reg, rule_violated=None)
    service.investigate(session=session, principal=reg, id=case.id)
    kw: dict[str, Any] = {"session": session, "principal": reg, "id": case.id, "decision_no": "1"}
    bad: list[tuple[str, dict[str, Any]]] = [
        ("fine_yuan", {"decision": Decision.FINE, "rule_violated": RULE}),
        ("rectify_by", {"decision": Decision.ORDER_RECTIFY, "rule_violated": RULE}),
        ("closure_kind", {"decision": Decision.CLOSURE, "rule_violated": RULE}),
        ("rule_violated", {"decision": Decision.WARNING}),
        ("decision_no", {"decision": Decision.WARNING, "rule_violated": RULE, "decision_no": " "}),
        (
            "closure_kind",
            {
                "decision": Decision.WARNING,
                "rule_violated": RULE,
                "closure_kind": ClosureKind.OTHER,
            },
        ),
    ]
    for field, extra in bad:
        with pytest.raises(Invalid) as err:
            service.decide(**{**kw, **extra})
        assert err.value.errors[0]["loc"] == ["body", field]
        assert case.status is CaseStatus.INVESTIGATING
    service.decide(
        **kw, decision=Decision.ORDER_RECTIFY, rectify_by=date(2030, 1, 1), rule_violated=RULE
    )
    assert case.rule_violated == RULE and case.rectify_by == date(2030, 1, 1)


def test_no_penalty_closes_without_execution(session: Session, world: World) -> None:
    reg = who(session, world, "reg_staff")
    case = open_unlicensed(session, reg)
    service.investigate(session=session, principal=reg, id=case.id)
    service.decide(
        session=session, principal=reg, id=case.id, decision=Decision.NO_ACTION, decision_no="不罚1"
    )
    with pytest.raises(Conflict):
        service.execute(session=session, principal=reg, id=case.id, execution_note="x")
    service.close(session=session, principal=reg, id=case.id, note="违法事实不成立")
    assert case.status is CaseStatus.CLOSED


def test_regulators_write_others_read_in_scope(session: Session, world: World) -> None:
    reg = who(session, world, "reg_staff")
    against_a = service.open_case(
        session=session,
        principal=reg,
        source=CaseSource.INSPECTION,
        party_kind=PartyKind.LICENSED,
        site_id=world.ids["gate"],
        facts="未按规定配备专职安全管理人员",
    )
    in_t2 = open_unlicensed(session, reg, lon=116.02, lat=36.42)  # grid g21
    assert in_t2.area_id == world.ids["g21"]

    ent_a = who(session, world, "ent_a_admin")
    for step in (
        lambda p: service.open_case(
            session=session,
            principal=p,
            source=CaseSource.OTHER,
            party_kind=PartyKind.LICENSED,
            facts="x",
        ),
        lambda p: service.investigate(session=session, principal=p, id=against_a.id),
        lambda p: service.comment(session=session, principal=p, id=against_a.id, note="申辩"),
    ):
        with pytest.raises(Forbidden):
            step(ent_a)
    assert service.get(session=session, principal=ent_a, id=against_a.id) is against_a

    def seen(username: str) -> set[int]:
        page = service.get_all(
            session=session,
            principal=who(session, world, username),
            params=PageParams(size=500),
            filters={},
        )
        return {c.id for c in page.items} & {against_a.id, in_t2.id}

    assert seen("reg_admin") == seen("viewer") == {against_a.id, in_t2.id}
    assert seen("ent_a_staff") == {against_a.id}
    assert seen("ent_b_admin") == seen("inspector") == set()  # agencies see no cases
    assert seen("grid_sup") == {against_a.id}  # grid g11 only
    for username in ("ent_b_admin", "inspector", "grid_sup"):
        with pytest.raises(NotFound):
            service.get(session=session, principal=who(session, world, username), id=in_t2.id)
    with pytest.raises(Forbidden):
        service.investigate(
            session=session, principal=who(session, world, "grid_sup"), id=against_a.id
        )


def test_personal_data_is_encrypted_and_masked_in_the_audit(session: Session, world: World) -> None:
    case = open_unlicensed(session, who(session, world, "reg_staff"))
    assert case.owner_id is None and case.area_id == world.ids["g11"]  # the grid at the point
    raw = session.execute(
        text("SELECT party_contact, party_id_number FROM enforcement_case WHERE id = :id"),
        {"id": case.id},
    ).one()
    assert PHONE not in raw[0] and ID_NUMBER not in raw[1]  # stored encrypted
    (opened,) = [a for a in _audit(session, case) if a.action == "case_opened"]
    dumped = str(opened.changes)
    assert PHONE not in dumped and ID_NUMBER not in dumped
    assert opened.changes["party_id_number"] == [None, "3715**********1234"]
    assert opened.changes["party_name"] == [None, "张某某"]


def test_opening_checks_the_party_and_the_place(session: Session, world: World) -> None:
    reg = who(session, world, "reg_staff")
    cases: list[tuple[str, dict[str, Any]]] = [
        ("owner_id", {"owner_id": world.ids["ent_a"]}),  # unlicensed: no enterprise
        ("party_name", {"party_name": " "}),
        ("area_id", {"lon": 120.0, "lat": 30.0, "address": None}),  # in no grid
        ("party_id_number", {"party_id_number": "371502199001011235"}),  # bad check digit
        ("site_id", {"site_id": 999_999}),
    ]
    for field, extra in cases:
        with pytest.raises(Invalid) as err:
            open_unlicensed(session, reg, **extra)
        assert err.value.errors[0]["loc"] == ["body", field]
    with pytest.raises(Invalid) as err:
        service.open_case(
            session=session,
            principal=reg,
            source=CaseSource.REPORT,
            party_kind=PartyKind.LICENSED,
            owner_id=world.ids["agency"],  # not a gas enterprise
            area_id=world.ids["g11"],
            facts="x",
        )
    assert err.value.errors[0]["loc"] == ["body", "owner_id"]
    explicit = open_unlicensed(session, reg, lon=None, lat=None, area_id=world.ids["g12"])
    assert explicit.area_id == world.ids["g12"]


def test_case_from_an_inspection(session: Session, world: World) -> None:
    inspection_id = inspection_at(session, world.ids["supply"], datetime.now(UTC))
    case = service.open_case(
        session=session,
        principal=who(session, world, "reg_staff"),
        party_kind=PartyKind.LICENSED,
        inspection_id=inspection_id,
        facts="执法检查发现超范围经营",
    )
    assert case.source is CaseSource.INSPECTION and case.inspection_id == inspection_id
    assert (case.site_id, case.owner_id, case.area_id) == (
        world.ids["supply"],
        world.ids["ent_b"],
        world.ids["g11"],
    )
    elsewhere = replace(who(session, world, "reg_staff"), area_paths=("/999999/",))
    with pytest.raises(Invalid) as err:  # a regulator of another district does not see it
        service.open_case(
            session=session,
            principal=elsewhere,
            party_kind=PartyKind.LICENSED,
            inspection_id=inspection_id,
            facts="x",
        )
    assert err.value.errors[0]["loc"] == ["body", "inspection_id"]


def test_a_closure_marks_the_site_closed_and_watched(session: Session, world: World) -> None:
    reg = who(session, world, "reg_admin")
    site_id = illegal_site(session)
    case = open_unlicensed(session, reg, site_id=site_id, lon=None, lat=None, address=None)
    assert case.area_id == world.ids["g11"] and (case.lon, case.lat) == (115.93, 36.43)
    decide_closure(session, reg, case)
    site = session.get(Site, site_id)
    assert site is not None and site.status is SiteStatus.CLOSED
    site_audit = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "site", AuditEntry.entity_id == site_id)
        .order_by(AuditEntry.id)  # PostgreSQL keeps no order without one
    ).all()
    assert site_audit[-1].changes["status"] == ["operating", "closed"]
    assert site_audit[-1].reason is not None and case.code in site_audit[-1].reason
    service.close(session=session, principal=reg, id=case.id)
    assert case.status is CaseStatus.CLOSED and case.watched  # watched after the case closes
    (executed,) = [
        e for e in service.timeline(session=session, case=case) if e.kind is CaseEventKind.EXECUTED
    ]
    assert executed.data == {"decision": "closure", "watched": True, "site_status": "closed"}
