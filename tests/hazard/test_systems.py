"""Enterprise systems (规章制度): every kind listed, who may set what, improved only from
missing, audited, counted."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.hazard import systems
from gaswarden.domains.hazard.enums import SystemKind, SystemStatus
from tests.factories import World
from tests.hazard.helpers import who

URL = "/api/v1/enterprise-systems"


def test_every_kind_is_listed_recorded_or_not(client: TestClient, world: World) -> None:
    r = client.get(URL, headers=world.headers("reg_staff"))
    assert r.status_code == 200
    by_org = {e["org_id"]: e for e in r.json()}
    # Enterprises only: not the regulator, not the agency.
    assert set(by_org) == {world.ids["ent_a"], world.ids["ent_b"]}
    ent_a = by_org[world.ids["ent_a"]]
    assert [s["kind"] for s in ent_a["systems"]] == [k.value for k in SystemKind]
    assert all(s["status"] is None for s in ent_a["systems"])
    assert ent_a["not_recorded"] == len(SystemKind)
    majors = {s["kind"] for s in ent_a["systems"] if s["major"]}
    assert "emergency_plan" in majors and "safety_training" not in majors
    mine = client.get(URL, headers=world.headers("ent_b_admin")).json()
    assert [e["org_id"] for e in mine] == [world.ids["ent_b"]]
    r = client.get(f"{URL}/{world.ids['ent_a']}", headers=world.headers("ent_b_admin"))
    assert r.status_code == 404
    r = client.get(f"{URL}/{world.ids['agency']}", headers=world.headers("reg_staff"))
    assert r.status_code == 404  # not an enterprise


def test_missing_then_improved(client: TestClient, session: Session, world: World) -> None:
    ent_a = world.ids["ent_a"]
    put = f"{URL}/{ent_a}/emergency_plan"
    r = client.put(put, json={"status": "improved"}, headers=world.headers("reg_staff"))
    assert r.status_code == 409  # not recorded as missing first
    r = client.put(
        put,
        json={"status": "missing", "note": "检查未见应急预案"},
        headers=world.headers("reg_staff"),
    )
    assert r.status_code == 200, r.text
    row = next(s for s in r.json()["systems"] if s["kind"] == "emergency_plan")
    assert row["status"] == "missing" and r.json()["missing"] == 1
    r = client.put(
        put,
        json={
            "status": "improved",
            "document": "东昌燃气应急预案(2026版)",
            "improved_on": "2026-04-02",
            "note": "已编制并备案",
        },
        headers=world.headers("ent_a_admin"),
    )
    assert r.status_code == 200, r.text
    row = next(s for s in r.json()["systems"] if s["kind"] == "emergency_plan")
    assert row["status"] == "improved" and row["improved_on"] == "2026-04-02"
    assert r.json()["improved"] == 1
    r = client.put(put, json={"status": "improved"}, headers=world.headers("reg_staff"))
    assert r.status_code == 409  # improved once, from missing
    audits = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "enterprise_system", AuditEntry.owner_id == ent_a)
        .order_by(AuditEntry.id)
    ).all()
    assert [a.changes["status"] for a in audits] == [[None, "missing"], ["missing", "improved"]]
    assert audits[1].reason == "已编制并备案" and audits[1].actor_name == "ent_a_admin"

    count = client.get(f"{URL}/improved", headers=world.headers("reg_admin")).json()
    assert count["improved"] == 1
    april = {"since": "2026-04-01", "until": "2026-04-30"}
    assert (
        client.get(f"{URL}/improved", params=april, headers=world.headers("reg_admin")).json()[
            "improved"
        ]
        == 1
    )
    may = {"since": "2026-05-01"}
    assert (
        client.get(f"{URL}/improved", params=may, headers=world.headers("reg_admin")).json()[
            "improved"
        ]
        == 0
    )
    assert (
        client.get(f"{URL}/improved", headers=world.headers("ent_b_admin")).json()["improved"] == 0
    )


def test_who_may_set(session: Session, world: World) -> None:
    ent_a, ent_b = world.ids["ent_a"], world.ids["ent_b"]

    def put(username: str, org: int, status: SystemStatus = SystemStatus.PRESENT) -> object:
        return systems.put(
            session=session,
            principal=who(session, world, username),
            org_id=org,
            kind=SystemKind.RISK_CONTROL,
            status=status,
        )

    put("reg_admin", ent_b)
    put("ent_a_admin", ent_a)
    with pytest.raises(NotFound):
        put("ent_a_admin", ent_b)
    for username in ("ent_a_staff", "grid_sup", "inspector", "viewer"):
        with pytest.raises(Forbidden):
            put(username, ent_a)
    with pytest.raises(Invalid):  # improved_on belongs to improved only
        systems.put(
            session=session,
            principal=who(session, world, "reg_admin"),
            org_id=ent_a,
            kind=SystemKind.RISK_CONTROL,
            status=SystemStatus.PRESENT,
            improved_on=date(2026, 1, 1),
        )
    with pytest.raises(Conflict):
        put("reg_admin", ent_a, SystemStatus.IMPROVED)  # it is present
    views = dict(
        systems.for_enterprises(session=session, principal=who(session, world, "reg_admin"))
    )
    assert len(views) == 2
