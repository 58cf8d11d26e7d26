"""The inspection pages through the TestClient: the task list (scope, overdue count, filters,
Start buttons), the plan form (create, refuse, edit, generate now), checklists (items,
versions, import), the phone form's page (the task's items embedded as JSON), an inspection's
page (results, photos, hazards) and its amendment form (done, refused for others)."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.domains.attachment import service as attachments
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.inspection import checklists, submission
from gaswarden.domains.inspection.enums import InspectionKind, TaskStatus
from gaswarden.domains.inspection.models import (
    ChecklistTemplate,
    ChecklistVersion,
    Inspection,
    InspectionAmendment,
    InspectionPlan,
    InspectionTask,
)
from gaswarden.settings import Settings
from tests.attachment.images import PNG
from tests.factories import World
from tests.hazard.helpers import who
from tests.inspection.builders import answers, checklist, hours_ago, new_client_id, task
from tests.test_web_pages import sign_in


def as_user(client: TestClient, username: str) -> str:
    client.cookies.clear()
    return sign_in(client, username)


def task_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'<tr data-task-id="(\d+)"', html)}


def embedded(html: str) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="inspection-data">(.*?)</script>', html, re.S
    )
    assert match, "the form page embeds no data"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def photo(session: Session, principal: Principal, settings: Settings) -> int:
    stored = attachments.store_upload(
        session=session,
        principal=principal,
        settings=settings,
        filename="leak.png",
        source=io.BytesIO(PNG),
    )
    return stored.id


def inspect_gate(
    session: Session,
    world: World,
    settings: Settings,
    version: ChecklistVersion,
    *,
    fail: str = "G-02",
) -> tuple[Inspection, int]:
    """The inspector's inspection of the gate station: `fail` failed with a note and a photo."""
    inspector = who(session, world, "inspector")
    pid = photo(session, inspector, settings)
    done = submission.submit(
        session=session,
        principal=inspector,
        client_id=new_client_id(),
        site_id=world.ids["gate"],
        inspected_at=hours_ago(2),
        version_id=version.id,
        results=answers(version, fail=[fail], photos={fail: [pid]}, notes={fail: "灭火器压力不足"}),
        note="站内整体情况良好",
    )
    session.flush()
    return done.inspection, pid


# ---- tasks --------------------------------------------------------------------------------------
def test_task_list_is_scoped_counts_overdue_and_offers_start(
    client: TestClient, session: Session, world: World
) -> None:
    version = checklist(session)
    yesterday = date.today() - timedelta(days=2)
    late = task(session, version, world.ids["gate"], assignee_org_id=world.ids["agency"],
                due_on=yesterday)  # fmt: skip
    gate = task(session, version, world.ids["gate"], assignee_org_id=world.ids["agency"])
    box = task(session, version, world.ids["box"], kind=InspectionKind.SPOT_CHECK)
    filling = task(session, version, world.ids["filling"], kind=InspectionKind.SELF)
    late.period_start = yesterday.replace(day=1) - timedelta(days=40)  # another period
    session.flush()
    mine = {late.id, gate.id, box.id, filling.id}

    as_user(client, "inspector")  # the agency: its tasks and its site (the gate)
    r = client.get("/inspection-tasks")
    assert r.status_code == 200
    assert task_ids(r.text) & mine == {late.id, gate.id}
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', r.text))
    assert int(counts["overdue"]) >= 1
    row = re.search(rf'<tr data-task-id="{late.id}"[^>]*class="([^"]*)"', r.text)
    assert row and "overdue" in row.group(1)
    assert f'href="/inspections/new?task_id={late.id}" data-start' in r.text
    assert 'aria-current="page">检查<' in r.text  # the navigation entry is lit

    def ids(query: str) -> set[int]:
        page = client.get(f"/inspection-tasks?{query}")
        assert page.status_code == 200, page.text[:300]
        return task_ids(page.text) & mine

    assert ids("overdue=true") == {late.id}
    assert ids("overdue=false") == {gate.id}
    assert ids(f"due_to={yesterday.isoformat()}") == {late.id}
    assert ids("status=done") == set()
    assert ids("kind=third_party") == {late.id, gate.id}
    bad = client.get("/inspection-tasks?due_from=not-a-date")
    assert bad.status_code == 200 and 'class="error"' in bad.text

    as_user(client, "ent_a_staff")  # the enterprise: tasks at its sites, starts only its own
    r = client.get("/inspection-tasks")
    assert task_ids(r.text) & mine == {late.id, gate.id, box.id}
    assert "data-start=" not in r.text  # none is a self-inspection
    as_user(client, "ent_b_admin")
    r = client.get("/inspection-tasks")
    assert task_ids(r.text) & mine == {filling.id}
    assert f'data-start="{filling.id}"' in r.text
    as_user(client, "reg_staff")
    assert task_ids(client.get("/inspection-tasks").text) >= mine
    client.cookies.set("lang", "en")  # English second
    english = client.get("/inspection-tasks").text
    assert "<h1>Inspection tasks</h1>" in english and "Overdue tasks" in english


# ---- plans --------------------------------------------------------------------------------------
def test_plan_form_creates_edits_and_generates(
    client: TestClient, session: Session, world: World
) -> None:
    checklists.seed_builtin(session)
    session.flush()
    gate_template = session.scalar(
        select(ChecklistTemplate.id).where(ChecklistTemplate.code == "GW-GATE")
    )
    token = as_user(client, "reg_staff")
    page = client.get("/inspection-plans/new")
    assert page.status_code == 200 and 'name="template_id"' in page.text
    assert 'name="assignee_team_id"' in page.text  # an agency, or a team
    form = {
        "csrf_token": token,
        "name": "门站季度第三方检查",
        "kind": "third_party",
        "template_id": str(gate_template),
        "frequency": "quarterly",
        "starts_on": (date.today() - timedelta(days=3)).isoformat(),
        "assignee_org_id": str(world.ids["agency"]),
        "site_kinds": "",
    }
    # an agency that is not one: refused on the form, nothing made
    wrong = client.post(
        "/inspection-plans/new", data={**form, "assignee_org_id": str(world.ids["ent_a"])}
    )
    assert wrong.status_code == 422 and "data-form-error" in wrong.text
    missing = client.post("/inspection-plans/new", data={**form, "name": ""})
    assert missing.status_code == 422
    r = client.post("/inspection-plans/new", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    plan_id = int(re.search(r"/inspection-plans/(\d+)", r.headers["location"]).group(1))  # type: ignore[union-attr]
    plan = session.get(InspectionPlan, plan_id)
    assert plan is not None and plan.kind is InspectionKind.THIRD_PARTY
    assert plan.assignee_org_id == world.ids["agency"]
    listed = client.get("/inspection-plans")
    assert f'data-plan-id="{plan_id}"' in listed.text

    # generate now: the gate station's task for this quarter
    r = client.post(f"/inspection-plans/{plan_id}/generate", data={"csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and "made=1" in r.headers["location"]
    made = session.scalars(select(InspectionTask).where(InspectionTask.plan_id == plan_id)).all()
    assert [t.site_id for t in made] == [world.ids["gate"]]
    detail = client.get(r.headers["location"])
    assert "data-made>1<" in detail.text

    # edit: deactivate
    edit = client.get(f"/inspection-plans/{plan_id}/edit")
    assert edit.status_code == 200 and "门站季度第三方检查" in edit.text
    r = client.post(
        f"/inspection-plans/{plan_id}/edit",
        data={
            **form,
            "active": "false",
            "notes": "暂停",
            "assignee_team_id": str(world.ids["team_a"]),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    session.expire_all()
    plan = session.get(InspectionPlan, plan_id)
    assert plan is not None and plan.active is False and plan.notes == "暂停"
    assert plan.assignee_team_id == world.ids["team_a"]

    # others: the viewer may not plan; the agency reads the plan but may not change it
    as_user(client, "viewer")
    assert client.get("/inspection-plans/new").status_code == 403
    token = as_user(client, "inspector")
    assert client.get(f"/inspection-plans/{plan_id}").status_code == 200
    assert client.get(f"/inspection-plans/{plan_id}/edit").status_code == 403
    assert client.post(f"/inspection-plans/{plan_id}/generate",
                       data={"csrf_token": token}).status_code == 403  # fmt: skip
    as_user(client, "ent_b_admin")
    assert client.get(f"/inspection-plans/{plan_id}").status_code == 404


def test_enterprise_admin_plans_its_own_self_inspections(
    client: TestClient, session: Session, world: World
) -> None:
    version = checklist(session)
    token = as_user(client, "ent_a_admin")
    page = client.get("/inspection-plans/new")
    assert 'name="kind"' not in page.text and 'name="assignee_org_id"' not in page.text
    r = client.post(
        "/inspection-plans/new",
        data={
            "csrf_token": token,
            "name": "门站月度自查",
            "template_id": str(version.template_id),
            "frequency": "monthly",
            "starts_on": date.today().isoformat(),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, re.findall(r'(?:class="error"|field-error)[^>]*>([^<]*)<', r.text)
    plan = session.scalar(select(InspectionPlan).where(InspectionPlan.name == "门站月度自查"))
    assert plan is not None and plan.kind is InspectionKind.SELF
    assert plan.owner_id == plan.assignee_org_id == world.ids["ent_a"]


# ---- checklists ---------------------------------------------------------------------------------
def test_checklists_show_items_versions_and_import(
    client: TestClient, session: Session, world: World
) -> None:
    checklists.seed_builtin(session)
    session.flush()
    gate = session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.code == "GW-GATE"))
    assert gate is not None
    as_user(client, "ent_a_staff")  # everyone reads the checklists
    r = client.get("/checklists")
    assert r.status_code == 200 and f'data-checklist-id="{gate.id}"' in r.text
    assert 'action="/checklists/import"' not in r.text
    r = client.get(f"/checklists/{gate.id}")
    assert r.status_code == 200
    assert 'data-item-code="GS-01"' in r.text and "重大隐患" in r.text
    assert f"/api/v1/checklists/{gate.id}/export?format=xlsx" in r.text
    token = csrf(r.text)
    exported = client.get(f"/api/v1/checklists/{gate.id}/export?format=json").content
    refused = client.post(
        "/checklists/import",
        data={"csrf_token": token},
        files={"file": ("gate.json", exported, "application/json")},
    )
    assert refused.status_code == 403

    token = as_user(client, "reg_staff")
    assert 'action="/checklists/import"' in client.get("/checklists").text
    body = json.loads(exported)
    body["items"][0]["text"] = "储气设施压力监测及超限报警（修订）"
    r = client.post(
        "/checklists/import",
        data={"csrf_token": token},
        files={"file": ("gate.json", json.dumps(body).encode(), "application/json")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    assert r.headers["location"] == f"/checklists/{gate.id}?version=2&done=import"
    page = client.get(r.headers["location"]).text
    assert "（修订）" in page and 'data-version="2"' in page
    old = client.get(f"/checklists/{gate.id}?version=1").text
    assert "（修订）" not in old and 'data-version="1"' in old
    broken = client.post(
        "/checklists/import",
        data={"csrf_token": token},
        files={"file": ("gate.json", b"{not json", "application/json")},
    )
    assert broken.status_code == 422


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


# ---- the phone form's page ----------------------------------------------------------------------
def test_form_page_embeds_the_task_checklist(
    client: TestClient, session: Session, world: World, settings: Settings
) -> None:
    version = checklist(session)
    job = task(session, version, world.ids["gate"], assignee_org_id=world.ids["agency"])
    as_user(client, "inspector")
    r = client.get(f"/inspections/new?task_id={job.id}")
    assert r.status_code == 200
    data = embedded(r.text)
    assert data["task_id"] == job.id and data["site_id"] == world.ids["gate"]
    assert data["version_id"] == version.id and data["kind"] == "third_party"
    assert [i["id"] for i in data["items"]] == [i.id for i in version.items]
    assert data["draft_key"] == f"task:{job.id}" and data["user"] == "inspector"
    for item in version.items:  # every item with its three toggles, grouped by category
        assert f'data-item-id="{item.id}"' in r.text
        assert f'name="o-{item.id}" value="fail"' in r.text
    assert r.text.count('<fieldset class="ins-group">') == 4  # 3 categories + general
    assert "/static/inspection_form.js" in r.text

    # the enterprise may not carry out the agency's task; another enterprise does not see it
    as_user(client, "ent_a_staff")
    assert client.get(f"/inspections/new?task_id={job.id}").status_code == 403
    as_user(client, "ent_b_admin")
    assert client.get(f"/inspections/new?task_id={job.id}").status_code == 404
    as_user(client, "viewer")
    assert client.get(f"/inspections/new?task_id={job.id}").status_code == 403

    # a regulator's spot check at a site, without a task: the site kind's newest checklist
    as_user(client, "reg_staff")
    r = client.get(f"/inspections/new?site_id={world.ids['gate']}&kind=spot_check")
    assert r.status_code == 200
    data = embedded(r.text)
    assert data["task_id"] is None and data["kind"] == "spot_check"
    assert data["version_id"] == version.id
    chooser = client.get("/inspections/new")
    assert chooser.status_code == 200 and "data-choose-site" in chooser.text

    # once done, the task's form says so and links the inspection
    inspection, _ = inspect_gate(session, world, settings, version)
    job.status = TaskStatus.DONE
    inspection.task_id = job.id
    session.flush()
    as_user(client, "inspector")
    r = client.get(f"/inspections/new?task_id={job.id}")
    assert r.status_code == 200 and 'data-task-closed="done"' in r.text
    assert f'href="/inspections/{inspection.id}"' in r.text


def test_the_api_takes_the_form_s_json_with_the_session_cookie(
    client: TestClient, session: Session, world: World
) -> None:
    """What inspection_form.js sends: the page's cookie signs it in; a retry is the same."""
    version = checklist(session)
    job = task(session, version, world.ids["gate"], assignee_org_id=world.ids["agency"])
    as_user(client, "inspector")
    upload = client.post("/api/v1/attachments", files={"file": ("a.png", PNG, "image/png")})
    assert upload.status_code == 201, upload.text
    results = answers(version, fail=["G-03"], photos={"G-03": [upload.json()["id"]]})
    body = {
        "client_id": new_client_id(),
        "site_id": world.ids["gate"],
        "task_id": job.id,
        "kind": "third_party",
        "version_id": version.id,
        "inspected_at": hours_ago(1).isoformat(),
        "lon": None,
        "lat": None,
        "note": None,
        "results": results,
    }
    first = client.post("/api/v1/inspections", json=body)
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/inspections", json=body)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    n = session.scalar(
        select(func.count())
        .select_from(Inspection)
        .where(Inspection.client_id == body["client_id"])
    )
    assert n == 1
    opened = [r for r in first.json()["results"] if r["hazard_id"]]
    assert len(opened) == 1 and opened[0]["hazard_code"]


# ---- an inspection's page and its amendments ----------------------------------------------------
def test_detail_shows_results_photos_and_hazards(
    client: TestClient, session: Session, world: World, settings: Settings
) -> None:
    version = checklist(session)
    inspection, pid = inspect_gate(session, world, settings, version)
    hazard = session.scalar(select(Hazard).where(Hazard.inspection_id == inspection.id))
    assert hazard is not None
    as_user(client, "reg_admin")
    listed = client.get("/inspections")
    assert f'data-inspection-id="{inspection.id}"' in listed.text
    r = client.get(f"/inspections/{inspection.id}")
    assert r.status_code == 200
    html = r.text
    for item in version.items:
        assert item.text in html
    assert 'data-item-code="G-02" data-outcome="fail"' in html
    assert "灭火器压力不足" in html and "站内整体情况良好" in html
    assert f'<img src="/api/v1/attachments/{pid}"' in html
    assert f'href="/hazards/{hazard.id}"' in html and hazard.code in html
    assert "data-amend-form" in html  # a regulator may amend

    as_user(client, "ent_a_staff")  # the site's enterprise reads it, may not amend it
    r = client.get(f"/inspections/{inspection.id}")
    assert r.status_code == 200 and "data-amend-form" not in r.text
    as_user(client, "ent_b_admin")
    assert client.get(f"/inspections/{inspection.id}").status_code == 404
    assert f'data-inspection-id="{inspection.id}"' not in client.get("/inspections").text


def test_amendment_form_corrects_with_a_reason_and_is_refused_for_others(
    client: TestClient, session: Session, world: World, settings: Settings
) -> None:
    version = checklist(session)
    inspection, _ = inspect_gate(session, world, settings, version)
    g03 = next(i for i in version.items if i.code == "G-03")
    token = as_user(client, "inspector")
    page = client.get(f"/inspections/{inspection.id}")
    assert "data-amend-form" in page.text
    form = {"csrf_token": token, f"outcome-{g03.id}": "fail", f"note-{g03.id}": "调压器漏气"}
    # no reason: refused on the page, nothing changed
    r = client.post(f"/inspections/{inspection.id}/amend", data=form)
    assert r.status_code == 422 and "data-amend-error" in r.text
    assert "调压器漏气" in r.text  # what was typed stays in the form
    r = client.post(
        f"/inspections/{inspection.id}/amend",
        data={**form, "reason": "复核照片发现调压器漏气"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    session.expire_all()
    trail = session.scalars(
        select(InspectionAmendment).where(InspectionAmendment.inspection_id == inspection.id)
    ).all()
    assert len(trail) == 1 and trail[0].changes["G-03.outcome"] == ["pass", "fail"]
    html = client.get(f"/inspections/{inspection.id}").text
    assert "data-amended" in html and "复核照片发现调压器漏气" in html
    assert len(re.findall(r'<li data-hazard-id="\d+"', html)) == 2  # the new failure's hazard

    # the site's enterprise may read but not amend
    token = as_user(client, "ent_a_staff")
    r = client.post(
        f"/inspections/{inspection.id}/amend",
        data={"csrf_token": token, "reason": "不同意", f"outcome-{g03.id}": "pass"},
    )
    assert r.status_code == 403
    session.expire_all()
    assert session.scalar(
        select(func.count()).select_from(InspectionAmendment)
        .where(InspectionAmendment.inspection_id == inspection.id)
    ) == 1  # fmt: skip
