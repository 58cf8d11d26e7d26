"""Checklist templates: versioning, built-ins, permissions, import and export."""

from __future__ import annotations

import io
import json

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.core.errors import Conflict, Forbidden, Invalid
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.hazard.enums import SystemKind
from gaswarden.domains.inspection import checklists as service
from gaswarden.domains.inspection.builtin_checklists import BUILTINS
from gaswarden.domains.inspection.enums import ChecklistTarget
from gaswarden.domains.inspection.models import ChecklistItem, ChecklistTemplate, ChecklistVersion
from gaswarden.standards.hazards import HazardGrade
from tests.factories import World
from tests.inspection.support_checklists import ITEMS, template_body, who

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_publishing_leaves_the_old_version_unchanged(session: Session, world: World) -> None:
    reg = who(session, world, "reg_staff")
    template = service.create(session=session, principal=reg, data=template_body())
    v1 = service.current_version(session=session, template=template)
    assert v1 is not None and v1.number == 1
    before = [(i.id, i.code, i.text, i.hazard_grade) for i in v1.items]

    edited = [dict(ITEMS[0], text="储罐压力、液位超限报警"), {**ITEMS[1], "code": "T-03"}]
    v2 = service.publish(
        session=session, principal=reg, id=template.id, data={"note": "修订", "items": edited}
    )
    session.expire_all()
    assert v2.number == 2 and template.current_version_id == v2.id
    old = session.get(ChecklistVersion, v1.id)
    assert old is not None
    assert [(i.id, i.code, i.text, i.hazard_grade) for i in old.items] == before
    assert [i.code for i in v2.items] == ["T-01", "T-03"]
    assert v2.items[0].text == "储罐压力、液位超限报警"
    assert {i.id for i in v2.items}.isdisjoint({i.id for i in old.items})
    numbers = [v.number for v in service.versions(session=session, template=template)]
    assert numbers == [1, 2]
    entry = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "checklist_template",
            AuditEntry.entity_id == template.id,
            AuditEntry.action == "publish",
        )
    ).one()
    assert entry.changes["version"] == [1, 2]
    assert entry.changes["items_added"] == [None, ["T-03"]]
    assert entry.changes["items_removed"] == [["T-02"], None]
    assert entry.changes["items_changed"] == [["T-01"], ["T-01"]]


def test_only_regulators_edit(session: Session, world: World) -> None:
    template = service.create(
        session=session, principal=who(session, world, "reg_admin"), data=template_body()
    )
    for username in ("ent_a_admin", "inspector", "viewer", "grid_sup"):
        principal = who(session, world, username)
        with pytest.raises(Forbidden):
            service.create(session=session, principal=principal, data=template_body("T-X"))
        with pytest.raises(Forbidden):
            service.publish(
                session=session, principal=principal, id=template.id, data={"items": ITEMS}
            )
        with pytest.raises(Forbidden):
            service.update(session=session, principal=principal, id=template.id, data={"name": "x"})
        # ... but everyone reads
        assert service.get(session=session, principal=principal, id=template.id) is template


def test_duplicate_code_and_bad_items_are_rejected(session: Session, world: World) -> None:
    reg = who(session, world, "reg_staff")
    service.create(session=session, principal=reg, data=template_body())
    with pytest.raises(Conflict):
        service.create(session=session, principal=reg, data=template_body())
    with pytest.raises(Invalid, match="appears twice"):
        service.create(
            session=session,
            principal=reg,
            data={**template_body("T-DUP"), "items": [ITEMS[0], ITEMS[0]]},
        )
    with pytest.raises(Invalid, match="hazard_grade"):
        service.create(
            session=session,
            principal=reg,
            data={**template_body("T-BAD"), "items": [{**ITEMS[0], "hazard_grade": "huge"}]},
        )


def test_builtins_cover_every_target_and_seed_once(session: Session, world: World) -> None:
    assert {b.target for b in BUILTINS} == set(ChecklistTarget)
    already = set(session.scalars(select(ChecklistTemplate.code)))
    created = service.seed_builtin(session)
    assert created == len({b.code for b in BUILTINS} - already)
    assert service.seed_builtin(session) == 0
    count = session.scalar(
        select(func.count())
        .select_from(ChecklistTemplate)
        .where(ChecklistTemplate.builtin, ChecklistTemplate.code.in_([b.code for b in BUILTINS]))
    )
    assert count == len(BUILTINS)
    codes = list(session.scalars(select(ChecklistItem.code)))
    assert len(codes) == len(set(codes)), "item codes are unique across the built-ins"
    enterprise = service.get_by_code(session=session, principal=SYSTEM, code="GW-ENT")
    version = service.current_version(session=session, template=enterprise)
    assert version is not None
    majors = {i.system_kind for i in version.items if i.hazard_grade is HazardGrade.MAJOR}
    assert majors == {k.value for k in SystemKind if k.major}
    for builtin in BUILTINS:
        for item in builtin.items:
            assert item.standard, f"{item.code} cites its source"
    home = service.get_by_code(session=session, principal=SYSTEM, code="GW-HOME")
    home_items = service.current_version(session=session, template=home)
    assert home_items is not None
    assert any("卧室" in i.text and i.hazard_grade is HazardGrade.MAJOR for i in home_items.items)


def test_json_round_trip_through_the_api(client: TestClient, world: World) -> None:
    reg = world.headers("reg_staff")
    r = client.post("/api/v1/checklists", json=template_body(), headers=reg)
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    assert r.json()["current_version"]["items"][1]["effective_deadline_days"] == 3
    assert r.json()["current_version"]["items"][0]["effective_deadline_days"] == 30

    r = client.get(f"/api/v1/checklists/{tid}/export?format=json", headers=reg)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    exported = r.json()
    assert exported["code"] == "T-GATE" and exported["version"] == 1
    assert [i["code"] for i in exported["items"]] == ["T-01", "T-02"]

    exported["items"][1]["text"] = "灭火器压力正常且在有效期内"
    content = json.dumps(exported, ensure_ascii=False).encode()
    r = client.post(
        "/api/v1/checklists/import",
        files={"file": ("checklist.json", content, "application/json")},
        headers=reg,
    )
    assert r.status_code == 200, r.text
    assert r.json()["created"] is False and r.json()["version"]["number"] == 2
    r = client.get(f"/api/v1/checklists/{tid}/export?format=json&version=1", headers=reg)
    assert r.json()["items"][1]["text"] == "灭火器在有效期内"
    r = client.get(f"/api/v1/checklists/{tid}/export", headers=reg)
    again = r.json()
    assert again["version"] == 2
    assert again["items"] == exported["items"]

    # A new code creates a new template.
    exported["code"] = "T-GATE-COPY"
    r = client.post(
        "/api/v1/checklists/import",
        files={"file": ("copy.json", json.dumps(exported).encode(), "application/json")},
        headers=reg,
    )
    assert r.status_code == 200 and r.json()["created"] is True
    assert r.json()["version"]["number"] == 1


def test_xlsx_round_trip_through_the_api(client: TestClient, world: World) -> None:
    reg = world.headers("reg_admin")
    tid = client.post("/api/v1/checklists", json=template_body(), headers=reg).json()["id"]
    r = client.get(f"/api/v1/checklists/{tid}/export?format=xlsx", headers=reg)
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    assert "attachment" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["检查项 Items"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "编号 Code" and "Hazard grade" in rows[0][5]
    assert [row[0] for row in rows[1:]] == ["T-01", "T-02"]
    assert rows[1][2] == "储罐液位超限报警" and rows[1][5] == "major" and rows[2][6] == 3

    # Edit in the spreadsheet: a Chinese grade label, a new row; then import it back.
    ws.cell(row=3, column=6, value="重大隐患")
    ws.append(["T-09", "安全标志", "警示标志清晰", None, "GB 2894-2008", "一般", None, None])
    buffer = io.BytesIO()
    wb.save(buffer)
    r = client.post(
        "/api/v1/checklists/import",
        files={"file": ("edited.xlsx", buffer.getvalue(), XLSX)},
        headers=reg,
    )
    assert r.status_code == 200, r.text
    items = r.json()["version"]["items"]
    assert r.json()["version"]["number"] == 2
    assert [(i["code"], i["hazard_grade"]) for i in items] == [
        ("T-01", "major"),
        ("T-02", "major"),
        ("T-09", "general"),
    ]
    assert items[2]["text_en"] is None and items[1]["deadline_days"] == 3

    # Export the new version and read it back: the same items.
    r = client.get(f"/api/v1/checklists/{tid}/export?format=xlsx", headers=reg)
    rows = list(load_workbook(io.BytesIO(r.content))["检查项 Items"].iter_rows(values_only=True))
    assert [(row[0], row[5]) for row in rows[1:]] == [
        ("T-01", "major"),
        ("T-02", "major"),
        ("T-09", "general"),
    ]
    meta = dict(
        (str(k).split("|")[0].strip(), v)
        for k, v in load_workbook(io.BytesIO(r.content))["模板 Template"].iter_rows(
            min_row=2, values_only=True
        )
    )
    assert meta["code"] == "T-GATE" and meta["version"] == 2


def _xlsx(rows: list[list[object]], sheet: str = "检查项 Items") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_bad_imports_are_rejected_with_a_clear_422(client: TestClient, world: World) -> None:
    reg = world.headers("reg_staff")
    cases: list[tuple[str, bytes, str, str]] = [
        ("broken.json", b"{not json", "application/json", "not a JSON checklist"),
        ("list.json", b"[1, 2]", "application/json", "is an object"),
        (
            "nogrades.json",
            json.dumps(
                {**template_body("T-NEW"), "items": [{**ITEMS[0], "hazard_grade": "x"}]}
            ).encode(),
            "application/json",
            "hazard_grade",
        ),
        (
            "noitems.json",
            json.dumps({**template_body("T-NEW"), "items": []}).encode(),
            "application/json",
            "items",
        ),
        ("fake.xlsx", b"PK not really a zip", XLSX, "not an XLSX workbook"),
        ("huge.json", b" " * (5 * 1024 * 1024 + 1), "application/json", "larger than 5 MB"),
        ("wrong.xlsx", _xlsx([["a"]], sheet="Sheet"), XLSX, "no sheet"),
        (
            "noheader.xlsx",
            _xlsx([["foo", "bar"], ["x", "y"]]),
            XLSX,
            "header row",
        ),
        (
            "nocode.xlsx",
            # No template sheet and no ?code=: the template cannot be named.
            _xlsx([["编号 Code", "检查内容 Check"], ["A-1", "检查"]]),
            XLSX,
            "code",
        ),
        ("notes.txt", b"hello", "text/plain", "format"),
    ]
    for filename, content, media, message in cases:
        r = client.post(
            "/api/v1/checklists/import", files={"file": (filename, content, media)}, headers=reg
        )
        assert r.status_code == 422, (filename, r.text)
        problem = r.json()
        assert r.headers["content-type"].startswith("application/problem+json")
        assert message in problem["detail"] or message in json.dumps(problem), (filename, problem)
    listed = client.get("/api/v1/checklists?q=T-NEW", headers=reg).json()
    assert listed["total"] == 0, "nothing was imported"


def test_enterprise_reads_but_may_not_edit_through_the_api(
    client: TestClient, world: World
) -> None:
    tid = client.post(
        "/api/v1/checklists", json=template_body(), headers=world.headers("reg_staff")
    ).json()["id"]
    ent = world.headers("ent_a_admin")
    assert client.get(f"/api/v1/checklists/{tid}", headers=ent).status_code == 200
    assert client.get("/api/v1/checklists", headers=ent).json()["total"] >= 1
    r = client.post(f"/api/v1/checklists/{tid}/versions", json={"items": ITEMS}, headers=ent)
    assert r.status_code == 403
    r = client.patch(f"/api/v1/checklists/{tid}", json={"name": "改名"}, headers=ent)
    assert r.status_code == 403
    r = client.post(
        "/api/v1/checklists/import",
        files={"file": ("c.json", json.dumps(template_body("T-ENT")).encode(), "application/json")},
        headers=ent,
    )
    assert r.status_code == 403
    assert client.get(f"/api/v1/checklists/{tid}/versions", headers=ent).json()[0]["number"] == 1


def test_xlsx_import_with_a_code_given(client: TestClient, world: World) -> None:
    content = _xlsx(
        [
            ["编号 Code", "类别 Category", "检查内容 Check", "隐患级别 Hazard grade"],
            ["W-1", "阀门", "阀门无泄漏", "general"],
            [None, None, None, None],
            ["W-2", "占压", "无占压", "重大"],
        ]
    )
    r = client.post(
        "/api/v1/checklists/import?code=T-WELL&name=阀井表&target=valve_well",
        files={"file": ("w.xlsx", content, XLSX)},
        headers=world.headers("reg_staff"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["template"]["target"] == "valve_well"
    assert [i["hazard_grade"] for i in r.json()["version"]["items"]] == ["general", "major"]
