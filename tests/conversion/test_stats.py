"""Progress statistics through the API: converted, in progress by state, refused by reason,
cancelled; per town and per month (Asia/Shanghai); in the caller's scope."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gaswarden.domains.conversion import applications, quote, survey
from gaswarden.domains.conversion.enums import RefusalReason
from tests.conversion.helpers import id_number, make_table, who
from tests.factories import World


def at(day: str, hour: int = 2) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=UTC)


def build(session: Session, world: World) -> None:
    """Six households: two connected (t1, months 2025-03 and 2025-04), one quoted (t1), one
    applied (t2), one refused too far (t2), one cancelled (t1)."""
    staff = who(session, "ent_a_staff")
    n = iter(range(100))

    def new(grid: str, applied: datetime) -> Any:
        return applications.apply(
            session=session,
            principal=staff,
            applicant_name="统计户",
            applicant_phone="13800001111",
            applicant_id_number=id_number(f"371502198001{next(n):02d}001"),
            area_id=world.ids[grid],
            address="测试路",
            applied_at=applied,
            now=applied,
        )

    def to_quoted(app: Any, day: datetime) -> None:
        survey.survey(session=session, principal=staff, id=app.id, main_distance_m=12, now=day)
        quote.make_quote(session=session, principal=staff, id=app.id, now=day)

    def connected(grid: str, applied: datetime, on: datetime) -> None:
        app = new(grid, applied)
        to_quoted(app, applied)
        for fn in (applications.contract, applications.start_works, applications.connect):
            fn(session=session, principal=staff, id=app.id, now=on)

    # 2025-03-31 18:00 UTC is already April 1st in Shanghai
    connected("g11", at("2025-02-10"), at("2025-03-31", 18))
    connected("g12", at("2025-03-01"), at("2025-03-20"))
    to_quoted(new("g11", at("2025-03-05")), at("2025-03-06"))
    new("g21", at("2025-04-02"))
    far = new("g21", at("2025-04-03"))
    survey.survey(
        session=session, principal=staff, id=far.id, main_distance_m=250, now=at("2025-04-04")
    )
    gone = new("g11", at("2025-04-05"))
    applications.cancel(session=session, principal=staff, id=gone.id, note="撤回")
    session.flush()


def test_progress(client: TestClient, world: World, session: Session) -> None:
    make_table(client, world)
    build(session, world)
    r = client.get("/api/v1/conversions/statistics", headers=world.headers("reg_admin"))
    assert r.status_code == 200, r.text
    s = r.json()
    assert (s["applications"], s["converted"], s["in_progress"], s["refused"], s["cancelled"]) == (
        6,
        2,
        2,
        1,
        1,
    )
    assert s["in_progress_by_status"] == {
        "applied": 1,
        "surveyed": 0,
        "quoted": 1,
        "contracted": 0,
        "constructing": 0,
    }
    assert s["refused_by_reason"][RefusalReason.TOO_FAR_FROM_MAIN.value] == 1
    assert sum(s["refused_by_reason"].values()) == 1
    towns = {t["name"]: t for t in s["by_town"]}
    assert {
        k: towns["古楼街道"][k] for k in ("converted", "in_progress", "refused", "cancelled")
    } == {
        "converted": 2,
        "in_progress": 1,
        "refused": 0,
        "cancelled": 1,
    }
    assert (towns["柳园街道"]["in_progress"], towns["柳园街道"]["refused"]) == (1, 1)
    months = {m["month"]: (m["applied"], m["connected"]) for m in s["by_month"]}
    assert months == {"2025-02": (1, 0), "2025-03": (2, 1), "2025-04": (3, 1)}
    assert s["by_channel"]["counter"] == 6
    # a grid supervisor counts its grid only; enterprise B has none
    mine = client.get("/api/v1/conversions/statistics", headers=world.headers("grid_sup")).json()
    assert (mine["applications"], mine["converted"]) == (3, 1)
    other = client.get("/api/v1/conversions/statistics", headers=world.headers("ent_b_admin"))
    assert other.json()["applications"] == 0
    # filtered by area
    r = client.get(
        "/api/v1/conversions/statistics",
        params={"area_id": world.ids["t2"]},
        headers=world.headers("reg_admin"),
    )
    assert (r.json()["applications"], r.json()["refused"]) == (2, 1)
