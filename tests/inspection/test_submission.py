"""Submitting inspections: failed items open hazards linked to the inspection, item and photos;
the same client_id twice is one inspection; incomplete answers, out-of-scope sites, bad times,
wrong roles are refused; tasks are done (late or not); lists and details are scoped."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.domains.attachment import service as attachments
from gaswarden.domains.attachment.models import Attachment
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.hazard.enums import HazardSource, HazardStatus
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.inspection import submission
from gaswarden.domains.inspection.enums import (
    ChecklistTarget,
    InspectionKind,
    Outcome,
    TaskStatus,
)
from gaswarden.domains.inspection.models import ChecklistVersion, Inspection
from gaswarden.settings import Settings
from gaswarden.standards.hazards import HazardGrade
from tests.attachment.images import JPEG, PNG
from tests.factories import World
from tests.hazard.helpers import who
from tests.inspection.builders import (
    GATE_ITEMS,
    answers,
    checklist,
    hours_ago,
    new_client_id,
    publish,
    task,
)

URL = "/api/v1/inspections"


def photo(session: Session, principal: Principal, settings: Settings, data: bytes = PNG) -> int:
    a = attachments.store_upload(
        session=session, principal=principal, settings=settings, filename="p.png",
        source=io.BytesIO(data),
    )  # fmt: skip
    return a.id


def submit(
    session: Session, principal: Principal, version: ChecklistVersion, site_id: int, **kw: Any
) -> submission.Submission:
    kw.setdefault("results", answers(version))
    kw.setdefault("inspected_at", hours_ago(1))
    kw.setdefault("client_id", new_client_id())
    kw.setdefault("version_id", version.id)
    return submission.submit(session=session, principal=principal, site_id=site_id, **kw)


def hazards_of(session: Session, inspection_id: int) -> list[Hazard]:
    stmt = select(Hazard).where(Hazard.inspection_id == inspection_id).order_by(Hazard.id)
    return list(session.scalars(stmt))


def test_failed_items_open_hazards_linked_with_photos(
    session: Session, world: World, settings: Settings
) -> None:
    version = checklist(session)
    inspector = who(session, world, "inspector")
    fail_photo, pass_photo, overview = (photo(session, inspector, settings) for _ in range(3))
    done = submit(
        session,
        inspector,
        version,
        world.ids["gate"],
        results=answers(
            version,
            fail=["G-01", "G-02"],
            photos={"G-02": [fail_photo], "G-03": [pass_photo]},
            notes={"G-02": "2具灭火器过期", "G-01": "站长证书过期"},
        ),
        photo_ids=[overview],
        lon=115.911,
        lat=36.411,
        note="例行巡检",
    )
    insp = done.inspection
    assert not done.duplicate
    assert (insp.n_pass, insp.n_fail, insp.n_na) == (1, 2, 0)
    assert insp.kind is InspectionKind.THIRD_PARTY and insp.inspector_org_id == world.ids["agency"]
    assert insp.owner_id == world.ids["ent_a"] and insp.area_id == world.ids["g11"]

    found = hazards_of(session, insp.id)
    assert len(found) == 2
    by_code = {h.item_code: h for h in found}
    major, general = by_code["G-01"], by_code["G-02"]
    assert major.grade is HazardGrade.MAJOR and general.grade is HazardGrade.GENERAL
    assert general.title == GATE_ITEMS[1][2] and general.category == "消防"
    assert general.description == "2具灭火器过期"
    assert general.source is HazardSource.INSPECTION
    assert general.status is HazardStatus.ASSIGNED and general.owner_id == world.ids["ent_a"]
    assert general.found_at == insp.inspected_at
    found_day = submission.hazards.local_date(insp.inspected_at)
    assert general.deadline == found_day + timedelta(days=3)  # the item's own deadline
    assert major.deadline == found_day + timedelta(days=30)  # the grade's default
    results = {r.item.code: r for r in insp.results}
    assert results["G-02"].hazard_id == general.id and results["G-03"].hazard_id is None

    def where(att_id: int) -> tuple[str | None, int | None]:
        a = session.get(Attachment, att_id)
        assert a is not None
        return a.entity_type, a.entity_id

    assert where(fail_photo) == ("hazard", general.id)
    assert where(pass_photo) == ("inspection_result", results["G-03"].id)
    assert where(overview) == ("inspection", insp.id)
    pics = submission.photos(session, insp)
    assert pics.overview == [overview]
    assert pics.by_result[results["G-02"].id] == [fail_photo]
    assert pics.by_result[results["G-03"].id] == [pass_photo]

    audit = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "inspection", AuditEntry.entity_id == insp.id
        )
    ).one()
    assert audit.action == "inspection_submit" and audit.changes["n_fail"] == [None, 2]


def test_offline_submission_sent_twice_is_one_inspection(
    client: TestClient, world: World, session: Session
) -> None:
    version = checklist(session)
    h = world.headers("inspector")
    up = client.post(
        "/api/v1/attachments", files={"file": ("f.jpg", JPEG, "image/jpeg")}, headers=h
    )
    assert up.status_code == 201
    body = {
        "client_id": new_client_id(),
        "site_id": world.ids["gate"],
        "version_id": version.id,
        "inspected_at": hours_ago(30).isoformat(),
        "results": answers(version, fail=["G-03"], photos={"G-03": [up.json()["id"]]}),
    }
    first = client.post(URL, json=body, headers=h)
    assert first.status_code == 201, first.text
    assert first.json()["duplicate"] is False and first.json()["n_fail"] == 1
    again = client.post(URL, json=body, headers=h)  # the phone did not hear the answer
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["results"] == first.json()["results"]
    changed = {**body, "results": answers(version), "note": "改了"}  # same id, other content
    third = client.post(URL, json=changed, headers=h)
    assert third.status_code == 200 and third.json()["duplicate"] is True
    assert third.json()["n_fail"] == 1 and third.json()["note"] is None

    n = session.scalar(
        select(func.count())
        .select_from(Inspection)
        .where(Inspection.client_id == body["client_id"])
    )
    assert n == 1
    assert len(hazards_of(session, first.json()["id"])) == 1
    fail = next(r for r in first.json()["results"] if r["item_code"] == "G-03")
    assert fail["hazard_code"].startswith("YH-") and fail["photo_ids"] == [up.json()["id"]]
    # The hazard's photo reads back for the enterprise responsible.
    r = client.get(f"/api/v1/attachments/{up.json()['id']}", headers=world.headers("ent_a_staff"))
    assert r.status_code == 200 and r.content == JPEG


def test_incomplete_or_foreign_answers_are_refused(session: Session, world: World) -> None:
    version = checklist(session)
    other = checklist(session, items=[("X-01", "其他", "别的检查表", HazardGrade.GENERAL, None)])
    inspector = who(session, world, "inspector")
    full = answers(version)
    cases = {
        "not answered: G-03": full[:2],
        "answered twice": [*full, full[0]],
        f"not in checklist version {version.id}": [*full, *answers(other)],
    }
    for msg, results in cases.items():
        with pytest.raises(Invalid) as err:
            submit(session, inspector, version, world.ids["gate"], results=results)
        assert msg in err.value.detail
    with pytest.raises(Invalid):
        bad = [{**full[0], "outcome": "maybe"}, *full[1:]]
        submit(session, inspector, version, world.ids["gate"], results=bad)
    made = select(func.count()).select_from(Inspection).where(Inspection.version_id == version.id)
    assert session.scalar(made) == 0


def test_incomplete_answers_through_the_api(
    client: TestClient, world: World, session: Session
) -> None:
    version = checklist(session)
    body = {
        "client_id": new_client_id(),
        "site_id": world.ids["gate"],
        "version_id": version.id,
        "inspected_at": hours_ago(1).isoformat(),
        "results": answers(version)[1:],
    }
    r = client.post(URL, json=body, headers=world.headers("inspector"))
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["loc"] == ["body", "results"]
    assert "G-01" in r.json()["detail"]


@pytest.mark.parametrize(
    ("user", "site"),
    [
        ("inspector", "filling"),  # an agency: only the sites assigned to it
        ("inspector", "box"),
        ("ent_a_staff", "filling"),  # an enterprise: only its own sites
        ("grid_sup", "filling"),  # a grid supervisor: only its grid
    ],
)
def test_a_site_out_of_scope_is_not_found(
    client: TestClient, world: World, session: Session, user: str, site: str
) -> None:
    version = checklist(session)
    body = {
        "client_id": new_client_id(),
        "site_id": world.ids[site],
        "version_id": version.id,
        "inspected_at": hours_ago(1).isoformat(),
        "results": answers(version),
    }
    r = client.post(URL, json=body, headers=world.headers(user))
    assert r.status_code == 404, r.text


def test_enterprise_self_inspection(session: Session, world: World) -> None:
    version = checklist(session, target=ChecklistTarget.REGULATOR)
    ent = who(session, world, "ent_a_staff")
    done = submit(
        session,
        ent,
        version,
        world.ids["box"],
        kind=InspectionKind.THIRD_PARTY,  # asked for, but an enterprise inspects itself
        results=answers(version, fail=["G-02"], na=["G-03"]),
    )
    insp = done.inspection
    assert insp.kind is InspectionKind.SELF and (insp.n_pass, insp.n_fail, insp.n_na) == (1, 1, 1)
    (hazard,) = hazards_of(session, insp.id)
    assert hazard.source is HazardSource.SELF_INSPECTION
    assert hazard.status is HazardStatus.ASSIGNED and hazard.owner_id == world.ids["ent_a"]
    with pytest.raises(NotFound):  # another enterprise's site
        submit(session, who(session, world, "worker_b"), version, world.ids["box"])
    # A field worker of enterprise B at its own site.
    version_b = checklist(session, target=ChecklistTarget.LPG_SUPPLY)
    own = submit(session, who(session, world, "worker_b"), version_b, world.ids["supply"])
    assert own.inspection.kind is InspectionKind.SELF


def test_who_may_submit(session: Session, world: World) -> None:
    version = checklist(session)
    with pytest.raises(Forbidden):
        submit(session, who(session, world, "viewer"), version, world.ids["gate"])
    reg = submit(session, who(session, world, "reg_staff"), version, world.ids["gate"])
    assert reg.inspection.kind is InspectionKind.SPOT_CHECK
    enf = submit(
        session,
        who(session, world, "reg_admin"),
        version,
        world.ids["gate"],
        kind=InspectionKind.ENFORCEMENT,
    )
    assert enf.inspection.kind is InspectionKind.ENFORCEMENT
    grid = submit(session, who(session, world, "grid_sup"), version, world.ids["gate"])
    assert grid.inspection.inspector_org_id == world.ids["reg"]
    with pytest.raises(Invalid):  # only the enterprise inspects itself
        submit(
            session,
            who(session, world, "reg_staff"),
            version,
            world.ids["gate"],
            kind=InspectionKind.SELF,
        )


def test_the_time_of_the_inspection_is_checked(session: Session, world: World) -> None:
    version = checklist(session)
    inspector = who(session, world, "inspector")
    now = datetime.now(UTC)
    for when, msg in (
        (now + timedelta(hours=1), "future"),
        (now - timedelta(days=31), "30 days"),
        (now.replace(tzinfo=None) - timedelta(hours=1), "UTC offset"),
    ):
        with pytest.raises(Invalid) as err:
            submit(session, inspector, version, world.ids["gate"], inspected_at=when)
        assert msg in err.value.detail
    ok = submit(
        session, inspector, version, world.ids["gate"], inspected_at=now + timedelta(minutes=2)
    )
    assert ok.inspection.id  # a phone clock a little ahead is fine
    old = submit(
        session, inspector, version, world.ids["gate"], inspected_at=now - timedelta(days=29)
    )
    assert old.inspection.id


def test_a_task_is_done_and_flagged_late(session: Session, world: World) -> None:
    version = checklist(session)
    inspector = who(session, world, "inspector")
    today = datetime.now(UTC).date()
    on_time = task(session, version, world.ids["gate"], assignee_org_id=world.ids["agency"])
    late = task(
        session,
        version,
        world.ids["gate"],
        due_on=today - timedelta(days=5),
        assignee_org_id=world.ids["agency"],
    )
    late.period_start = today.replace(day=1) - timedelta(days=40)
    session.flush()
    a = submit(session, inspector, version, world.ids["gate"], task_id=on_time.id, version_id=None)
    assert on_time.status is TaskStatus.DONE and on_time.late is False
    assert a.inspection.task_id == on_time.id and a.inspection.version_id == version.id
    assert on_time.done_at == a.inspection.inspected_at
    submit(session, inspector, version, world.ids["gate"], task_id=late.id)
    assert late.status is TaskStatus.DONE and late.late is True
    with pytest.raises(Conflict):  # done already, by another inspection
        submit(session, inspector, version, world.ids["gate"], task_id=on_time.id)
    other = task(session, version, world.ids["gate"], assignee_org_id=world.ids["agency"])
    other.period_start = today.replace(day=1) + timedelta(days=40)
    session.flush()
    with pytest.raises(Invalid):  # a task for the gate station, submitted for the box
        submit(
            session, who(session, world, "reg_staff"), version, world.ids["box"], task_id=other.id
        )
    with pytest.raises(Forbidden):  # the agency's task, not the grid supervisor's
        submit(
            session, who(session, world, "grid_sup"), version, world.ids["gate"], task_id=other.id
        )


def test_an_offline_form_keeps_its_version(session: Session, world: World) -> None:
    v1 = checklist(session)
    v2 = publish(
        session,
        v1.template,
        [*GATE_ITEMS, ("G-04", "标识", "警示标志齐全", HazardGrade.GENERAL, None)],
    )
    inspector = who(session, world, "inspector")
    kept = submit(session, inspector, v1, world.ids["gate"])  # opened before v2 was published
    assert kept.inspection.version_id == v1.id
    current = submission.submit(
        session=session,
        principal=inspector,
        client_id=new_client_id(),
        site_id=world.ids["gate"],
        inspected_at=hours_ago(1),
        results=answers(v2),
    )
    assert current.inspection.version_id == v2.id
    with pytest.raises(Invalid):  # v1's answers do not complete v2
        submission.submit(
            session=session,
            principal=inspector,
            client_id=new_client_id(),
            site_id=world.ids["gate"],
            inspected_at=hours_ago(1),
            results=answers(v1),
        )
    lpg = checklist(session, target=ChecklistTarget.LPG_FILLING)
    with pytest.raises(Invalid):  # a checklist for another kind of site
        submit(session, inspector, lpg, world.ids["gate"])


def test_photos_must_be_the_callers_own_and_unused(
    session: Session, world: World, settings: Settings
) -> None:
    version = checklist(session)
    inspector = who(session, world, "inspector")
    theirs = photo(session, who(session, world, "ent_a_staff"), settings)
    with pytest.raises(Invalid):
        submit(session, inspector, version, world.ids["gate"], photo_ids=[theirs])
    mine = photo(session, inspector, settings)
    submit(session, inspector, version, world.ids["gate"], photo_ids=[mine])
    with pytest.raises(Invalid):  # used already
        submit(session, inspector, version, world.ids["gate"], photo_ids=[mine])


def test_list_and_detail_are_scoped_and_filtered(
    client: TestClient, world: World, session: Session
) -> None:
    version = checklist(session)
    gate = submit(
        session,
        who(session, world, "inspector"),
        version,
        world.ids["gate"],
        results=answers(version, fail=["G-01"]),
    ).inspection
    version_b = checklist(session, target=ChecklistTarget.LPG_FILLING)
    fill = submit(session, who(session, world, "ent_b_admin"), version_b, world.ids["filling"])
    fill_id = fill.inspection.id
    session.flush()

    def ids(user: str, **params: Any) -> set[int]:
        r = client.get(URL, params={"size": 500, **params}, headers=world.headers(user))
        assert r.status_code == 200, r.text
        return {i["id"] for i in r.json()["items"]}

    assert {gate.id, fill_id} <= ids("reg_staff")
    assert gate.id in ids("inspector") and fill_id not in ids("inspector")
    assert fill_id in ids("ent_b_admin") and gate.id not in ids("ent_b_admin")
    assert gate.id in ids("grid_sup") and fill_id not in ids("grid_sup")
    assert ids("reg_staff", kind="self") >= {fill_id} and gate.id not in ids(
        "reg_staff", kind="self"
    )
    assert gate.id in ids("reg_staff", site_id=world.ids["gate"])
    assert fill_id not in ids("reg_staff", site_id=world.ids["gate"])
    assert gate.id in ids("reg_staff", owner_id=world.ids["ent_a"])
    assert gate.id in ids("reg_staff", inspector_org_id=world.ids["agency"])
    assert fill_id not in ids("reg_staff", inspector_org_id=world.ids["agency"])
    assert gate.id in ids("reg_staff", area_id=world.ids["t1"])  # a town takes in its grids
    assert gate.id not in ids("reg_staff", area_id=world.ids["t2"])
    day = gate.inspected_at.date()
    assert gate.id in ids("reg_staff", inspected_from=day.isoformat(), inspected_to=day.isoformat())
    later = (day + timedelta(days=2)).isoformat()
    assert gate.id not in ids("reg_staff", inspected_from=later)

    r = client.get(f"{URL}/{gate.id}", headers=world.headers("ent_a_staff"))
    assert r.status_code == 200
    d = r.json()
    assert d["site_name"] == "东昌门站" and d["version_number"] == 1 and d["amendments"] == []
    assert [x["item_code"] for x in d["results"]] == ["G-01", "G-02", "G-03"]
    first = d["results"][0]
    assert first["text"] == GATE_ITEMS[0][2] and first["outcome"] == Outcome.FAIL.value
    assert first["hazard_grade"] == "major" and first["hazard_id"] is not None
    assert client.get(f"{URL}/{gate.id}", headers=world.headers("ent_b_admin")).status_code == 404
    assert client.get(f"{URL}/{fill_id}", headers=world.headers("inspector")).status_code == 404


def test_a_retry_racing_the_first_submission_returns_it(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The retry's look-up ran before the first submission was stored; its insert then hits
    the unique client_id and it answers with the first inspection (savepoint rolled back)."""
    version = checklist(session)
    inspector = who(session, world, "inspector")
    first = submit(
        session, inspector, version, world.ids["gate"], results=answers(version, fail=["G-01"])
    ).inspection
    real = submission._existing
    calls: list[str] = []

    def too_early(s: Session, p: Principal, client_id: str) -> Inspection | None:
        calls.append(client_id)
        return None if len(calls) == 1 else real(s, p, client_id)

    monkeypatch.setattr(submission, "_existing", too_early)
    again = submit(
        session,
        inspector,
        version,
        world.ids["gate"],
        client_id=first.client_id,
        results=answers(version, fail=["G-02", "G-03"]),
    )
    assert len(calls) == 2 and again.duplicate and again.inspection.id == first.id
    assert [h.item_code for h in hazards_of(session, first.id)] == ["G-01"]
    assert (
        session.scalar(
            select(func.count())
            .select_from(Inspection)
            .where(Inspection.client_id == first.client_id)
        )
        == 1
    )
