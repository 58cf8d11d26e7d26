"""A submitted inspection cannot be changed, only amended: with a reason, by the inspecting
organisation or a regulator, leaving a before/after trail; newly failed items open hazards,
hazards of corrected items stay and are told."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.errors import Forbidden, Invalid, NotFound
from gaswarden.domains.attachment import service as attachments
from gaswarden.domains.attachment.models import Attachment
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.hazard import service as hazard_service
from gaswarden.domains.hazard.enums import HazardEventKind, HazardStatus
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.inspection import amendments, submission
from gaswarden.domains.inspection.enums import ChecklistTarget, InspectionKind, Outcome
from gaswarden.domains.inspection.models import ChecklistVersion, Inspection
from gaswarden.settings import Settings
from tests.attachment.images import PNG
from tests.factories import World
from tests.hazard.helpers import who
from tests.inspection.builders import answers, checklist, hours_ago, new_client_id

URL = "/api/v1/inspections"


def submitted(
    session: Session, world: World, user: str = "inspector", site: str = "gate", **kw: Any
) -> tuple[Inspection, ChecklistVersion]:
    target = ChecklistTarget.GATE_STATION if site == "gate" else ChecklistTarget.REGULATOR
    version = checklist(session, target=target)
    done = submission.submit(
        session=session,
        principal=who(session, world, user),
        client_id=new_client_id(),
        site_id=world.ids[site],
        version_id=version.id,
        inspected_at=hours_ago(2),
        results=answers(version, **kw),
    )
    return done.inspection, version


def item_id(version: ChecklistVersion, code: str) -> int:
    return next(i.id for i in version.items if i.code == code)


def hazards_of(session: Session, inspection_id: int) -> list[Hazard]:
    stmt = select(Hazard).where(Hazard.inspection_id == inspection_id).order_by(Hazard.id)
    return list(session.scalars(stmt))


def test_the_amendment_trail(client: TestClient, world: World, session: Session) -> None:
    insp, version = submitted(session, world, fail=["G-02"])
    (first_hazard,) = hazards_of(session, insp.id)
    session.flush()
    body = {
        "reason": "复核发现G-01判定有误",
        "note": "复核补记",
        "results": [
            {"item_id": item_id(version, "G-01"), "outcome": "fail", "note": "证书已过期"},
            {"item_id": item_id(version, "G-02"), "outcome": "pass"},
            {"item_id": item_id(version, "G-03"), "note": "压力表读数正常"},
        ],
    }
    r = client.post(f"{URL}/{insp.id}/amendments", json=body, headers=world.headers("inspector"))
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["amended"] is True and (d["n_pass"], d["n_fail"], d["n_na"]) == (2, 1, 0)
    assert d["note"] == "复核补记"
    (amendment,) = d["amendments"]
    assert amendment["reason"] == "复核发现G-01判定有误" and amendment["actor_name"] == "inspector"
    changes = amendment["changes"]
    assert changes["G-01.outcome"] == ["pass", "fail"]
    assert changes["G-01.note"] == [None, "证书已过期"]
    assert changes["G-02.outcome"] == ["fail", "pass"]
    assert changes["G-03.note"] == [None, "压力表读数正常"]
    assert "G-03.outcome" not in changes
    assert changes["note"] == [None, "复核补记"]
    assert "n_pass" not in changes and "n_fail" not in changes  # 2/1 before and after
    new_code = changes["G-01.hazard"][1]

    found = hazards_of(session, insp.id)
    assert len(found) == 2 and found[0].id == first_hazard.id  # nothing deleted
    new = found[1]
    assert new.code == new_code and new.item_code == "G-01" and new.description == "证书已过期"
    assert new.status is HazardStatus.ASSIGNED
    by_code = {x["item_code"]: x for x in d["results"]}
    assert by_code["G-01"]["hazard_id"] == new.id
    assert by_code["G-02"]["hazard_id"] == first_hazard.id and by_code["G-02"]["outcome"] == "pass"
    told = hazard_service.timeline(session=session, hazard=first_hazard)
    assert told[-1].kind is HazardEventKind.COMMENT and "复核发现" in (told[-1].note or "")
    assert first_hazard.status is HazardStatus.ASSIGNED  # the loop decides, not the amendment

    audit = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "inspection",
            AuditEntry.entity_id == insp.id,
            AuditEntry.action == "inspection_amend",
        )
    ).one()
    assert audit.reason == "复核发现G-01判定有误" and audit.changes == changes
    listed = client.get(f"{URL}/{insp.id}/amendments", headers=world.headers("ent_a_staff"))
    assert listed.status_code == 200 and listed.json() == d["amendments"]


def test_a_submitted_inspection_cannot_be_put_or_patched(
    client: TestClient, world: World, session: Session
) -> None:
    insp, _ = submitted(session, world)
    session.flush()
    h = world.headers("reg_admin")
    for method in ("PUT", "PATCH", "DELETE"):
        r = client.request(method, f"{URL}/{insp.id}", json={"note": "x"}, headers=h)
        assert r.status_code == 405, (method, r.status_code)
    assert client.get(f"{URL}/{insp.id}", headers=h).json()["note"] is None


def test_a_reason_is_required_and_something_must_change(
    client: TestClient, world: World, session: Session
) -> None:
    insp, version = submitted(session, world)
    session.flush()
    url, h = f"{URL}/{insp.id}/amendments", world.headers("inspector")
    change = [{"item_id": item_id(version, "G-01"), "outcome": "na"}]
    for reason in ("", "   "):
        r = client.post(url, json={"reason": reason, "results": change}, headers=h)
        assert r.status_code == 422
    r = client.post(url, json={"results": change}, headers=h)
    assert r.status_code == 422
    same = [{"item_id": item_id(version, "G-01"), "outcome": "pass"}]
    r = client.post(url, json={"reason": "复核", "results": same}, headers=h)
    assert r.status_code == 422 and "nothing to change" in r.json()["detail"]
    r = client.post(
        url, json={"reason": "复核", "results": [{"item_id": 999999, "outcome": "na"}]}, headers=h
    )
    assert r.status_code == 422
    assert client.get(f"{URL}/{insp.id}", headers=h).json()["amended"] is False


def test_who_may_amend(session: Session, world: World) -> None:
    insp, version = submitted(session, world)  # by the agency at enterprise A's gate station
    change = [{"item_id": item_id(version, "G-03"), "outcome": "na"}]
    for user in ("ent_a_admin", "ent_a_staff", "viewer", "grid_sup"):
        principal = who(session, world, user)
        with pytest.raises(Forbidden):
            amendments.amend(
                session=session, principal=principal, id=insp.id, reason="改", results=change
            )
    with pytest.raises(NotFound):  # out of scope: not even seen
        amendments.amend(
            session=session,
            principal=who(session, world, "ent_b_admin"),
            id=insp.id,
            reason="改",
            results=change,
        )
    a = amendments.amend(
        session=session,
        principal=who(session, world, "reg_staff"),
        id=insp.id,
        reason="监管复核",
        results=change,
    )
    assert a.changes["G-03.outcome"] == ["pass", "na"] and insp.n_na == 1
    # An enterprise amends its own self-inspection.
    own, v2 = submitted(session, world, user="ent_a_staff", site="box", fail=["G-01"])
    assert own.kind is InspectionKind.SELF
    amendments.amend(
        session=session,
        principal=who(session, world, "ent_a_admin"),
        id=own.id,
        reason="自查复核",
        results=[{"item_id": item_id(v2, "G-01"), "note": "已拍照"}],
    )
    assert own.amended and own.n_fail == 1
    with pytest.raises(NotFound):  # the agency is not assigned the regulator box
        amendments.amend(
            session=session,
            principal=who(session, world, "inspector"),
            id=own.id,
            reason="x",
            results=[{"item_id": item_id(v2, "G-01"), "outcome": "pass"}],
        )


def test_amending_twice_and_adding_photos(
    session: Session, world: World, settings: Settings
) -> None:
    insp, version = submitted(session, world)
    inspector = who(session, world, "inspector")
    pic = attachments.store_upload(
        session=session, principal=inspector, settings=settings, filename="a.png",
        source=io.BytesIO(PNG),
    )  # fmt: skip
    g2 = item_id(version, "G-02")
    amendments.amend(
        session=session,
        principal=inspector,
        id=insp.id,
        reason="补录不合格项",
        results=[
            {"item_id": g2, "outcome": "fail", "note": "灭火器压力不足", "photo_ids": [pic.id]}
        ],
    )
    (hazard,) = hazards_of(session, insp.id)
    attached = session.get(Attachment, pic.id)
    assert attached is not None and (attached.entity_type, attached.entity_id) == (
        "hazard",
        hazard.id,
    )
    amendments.amend(
        session=session,
        principal=inspector,
        id=insp.id,
        reason="误判",
        results=[{"item_id": g2, "outcome": "pass"}],
    )
    amendments.amend(
        session=session,
        principal=inspector,
        id=insp.id,
        reason="再次复核",
        results=[{"item_id": g2, "outcome": "fail"}],
    )
    assert len(hazards_of(session, insp.id)) == 1  # the open hazard is told, not duplicated
    trail = amendments.history(session, insp)
    assert [a.reason for a in trail] == ["补录不合格项", "误判", "再次复核"]
    assert insp.n_fail == 1 and {r.outcome for r in insp.results} == {Outcome.PASS, Outcome.FAIL}
    with pytest.raises(Invalid):  # the same photo twice
        amendments.amend(
            session=session, principal=inspector, id=insp.id, reason="x",
            results=[{"item_id": g2, "photo_ids": [pic.id]}],
        )  # fmt: skip
