"""/api/v1/coverage: per town and per year with known numbers; a regulator's update (audited,
this year's row written); who reads and who writes."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.service.models import CoverageYear
from tests.factories import World
from tests.service.helpers import village

API = "/api/v1/coverage"


def three_villages(session: Session, world: World) -> list[int]:
    """Town t1: 甲村 (200 households) piped since 2018, clean heating since 2019;
    乙村 (100) clean heating only, since 2020. Town t2: 丙村 (50), nothing yet."""
    a = village(
        session,
        world.ids["t1"],
        "甲村",
        200,
        {2018: (80, 0), 2019: (150, 120), 2020: (180, 170)},
        piped_since=2018,
        heated_since=2019,
    )
    b = village(session, world.ids["t1"], "乙村", 100, {2020: (0, 60)}, heated_since=2020)
    c = village(session, world.ids["t2"], "丙村", 50, {})
    session.commit()
    return [a.id, b.id, c.id]


def test_per_town_and_per_year(client: TestClient, session: Session, world: World) -> None:
    three_villages(session, world)
    r = client.get(f"{API}/towns", headers=world.headers("reg_staff"))
    assert r.status_code == 200, r.text
    towns = {t["town"]: t for t in r.json()["towns"]}
    t1 = towns["古楼街道"]
    assert (t1["villages"], t1["villages_piped"], t1["villages_clean_heating"]) == (2, 1, 2)
    assert (t1["households"], t1["households_piped"], t1["households_clean_heating"]) == (
        300,
        180,
        230,
    )
    t2 = towns["柳园街道"]
    assert (t2["villages"], t2["households"], t2["households_piped"]) == (1, 50, 0)
    total = r.json()["total"]
    assert (total["villages"], total["households"], total["households_clean_heating"]) == (
        3,
        350,
        230,
    )

    r = client.get(f"{API}/years", headers=world.headers("grid_sup"))
    assert r.status_code == 200
    assert r.json() == [
        {
            "year": 2018,
            "villages_piped": 1,
            "households_piped": 80,
            "villages_clean_heating": 0,
            "households_clean_heating": 0,
        },
        {
            "year": 2019,
            "villages_piped": 1,
            "households_piped": 150,
            "villages_clean_heating": 1,
            "households_clean_heating": 120,
        },
        {
            "year": 2020,
            "villages_piped": 1,
            "households_piped": 180,
            "villages_clean_heating": 2,
            "households_clean_heating": 230,
        },
    ]
    r = client.get(
        f"{API}/years", params={"area_id": world.ids["t2"]}, headers=world.headers("reg_staff")
    )
    assert r.json() == []
    r = client.get(
        f"{API}/villages", params={"area_id": world.ids["t1"]}, headers=world.headers("ent_b_admin")
    )
    assert [v["name"] for v in r.json()] == ["甲村", "乙村"]  # enterprises may read


def test_a_regulator_updates_a_village(client: TestClient, session: Session, world: World) -> None:
    _, _, c = three_villages(session, world)
    body = {"households_piped": 30, "households_clean_heating": 20, "reason": "年度核查"}
    r = client.patch(f"{API}/villages/{c}", json=body, headers=world.headers("reg_staff"))
    assert r.status_code == 200, r.text
    v = r.json()
    year = date.today().year  # the service writes the row of the current (local) year
    assert v["households_piped"] == 30 and v["pipe_gas_since"] is not None
    assert v["clean_heating_since"] is not None
    rows = session.scalars(select(CoverageYear).where(CoverageYear.village_id == c)).all()
    assert [(y.households_piped, y.households_clean_heating, y.piped) for y in rows] == [
        (30, 20, True)
    ]
    assert rows[0].year in (year, year + 1)  # the local year may be ahead of the UTC date
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "village", AuditEntry.entity_id == c)
    ).one()
    assert entry.changes["households_piped"] == [0, 30] and entry.reason == "年度核查"
    r = client.get(f"{API}/towns", headers=world.headers("reg_staff"))
    t2 = next(t for t in r.json()["towns"] if t["area_id"] == world.ids["t2"])
    assert t2["households_piped"] == 30 and t2["villages_piped"] == 1

    r = client.patch(
        f"{API}/villages/{c}", json={"households_piped": 51}, headers=world.headers("reg_staff")
    )
    assert r.status_code == 422  # more than the village's households


def test_who_writes_and_who_reads(client: TestClient, session: Session, world: World) -> None:
    a, _, _ = three_villages(session, world)
    body = {"households_piped": 190}
    for who in ("ent_a_admin", "grid_sup", "viewer"):
        r = client.patch(f"{API}/villages/{a}", json=body, headers=world.headers(who))
        assert r.status_code == 403, who
    r = client.get(f"{API}/villages/{a}", headers=world.headers("inspector"))
    assert r.status_code == 404
    assert client.get(f"{API}/towns", headers=world.headers("inspector")).json()["towns"] == []
    assert client.get(f"{API}/villages/{a}", headers=world.headers("ent_a_staff")).is_success
