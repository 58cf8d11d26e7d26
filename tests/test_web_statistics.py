"""The statistics page and the enterprise systems page through the TestClient: the figure
cards equal stats.py's for a known history (tests/hazard/stats_history.py), filters by area
and enterprise, an enterprise seeing only itself, the score and comparison tables, the report
links, and the systems' set-status form with its rules."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.hazard import score, stats
from gaswarden.domains.hazard.enums import SystemKind, SystemStatus
from gaswarden.domains.hazard.models import EnterpriseSystem
from gaswarden.domains.hazard.web_stats import FIGURES
from gaswarden.domains.inspection.models import Inspection
from tests.factories import World
from tests.hazard import stats_history
from tests.hazard.helpers import who
from tests.hazard.stats_history import MONTH
from tests.test_web_pages import sign_in


@pytest.fixture
def history(session: Session, world: World) -> stats_history.History:
    h = stats_history.build(session, world)
    session.flush()
    return h


def as_user(client: TestClient, username: str) -> str:
    client.cookies.clear()
    return sign_in(client, username)


def cards(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', html))


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def expected(s: stats.Stats) -> dict[str, str]:
    c = s.totals
    return {
        "found": str(c.found),
        "closed": str(c.closed),
        "open": str(c.open),
        "overdue": str(c.overdue),
        "rectification_rate": rate(c.rectification_rate),
        "on_time_rate": rate(c.on_time_rate),
        "avg_days_to_close": "—" if c.avg_days_to_close is None else f"{c.avg_days_to_close:.1f}",
        "recurring": str(c.recurring),
        "self_found": str(c.self_found),
        "tasks_planned": str(c.planned),
        "tasks_done": str(c.done),
        "completion_rate": rate(c.completion_rate),
        "systems_improved": str(s.systems_improved),
    }


def chart_data(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="stats-data">(.*?)</script>', html, re.S)
    assert m, "the charts' data is on the page"
    return dict(json.loads(m.group(1)))


def test_figures_of_the_month_equal_the_service(
    client: TestClient, session: Session, world: World, history: stats_history.History
) -> None:
    sign_in(client, "reg_admin")
    r = client.get(f"/statistics?month={MONTH}")
    assert r.status_code == 200, r.text[:500]
    shown = cards(r.text)
    assert set(shown) == {name for name, *_ in FIGURES}
    period = stats.Period.month(MONTH)
    s = stats.compute(session=session, principal=who(session, world, "reg_admin"), period=period)
    assert shown == expected(s)
    # the known history, worked out in tests/hazard/test_stats.py
    assert shown["found"] == "6" and shown["closed"] == "3" and shown["open"] == "3"
    assert shown["rectification_rate"] == "50.0%" and shown["on_time_rate"] == "66.7%"
    assert shown["avg_days_to_close"] == "6.3" and shown["overdue"] == "2"
    assert shown["recurring"] == "1" and shown["self_found"] == "1"
    assert (shown["tasks_planned"], shown["tasks_done"], shown["completion_rate"]) == (
        "4",
        "2",
        "50.0%",
    )
    assert shown["systems_improved"] == "1"  # ent_a's emergency plan, improved 10-18

    # the charts' data: one month, the areas, the categories, the sources
    data = chart_data(r.text)
    assert data["months"]["x"] == [MONTH] and data["months"]["found"] == [6]
    assert data["months"]["closed"] == [s.totals.closed_in_period]
    assert sum(data["areas"]["found"]) == 6
    assert dict(zip(data["categories"]["x"], data["categories"]["found"], strict=True)) == {
        r.label: r.counts.found for r in s.by_category
    }
    assert sum(data["sources"]["values"]) == 6
    assert 'id="chart-months"' in r.text and "/static/vendor/plotly.min.js" in r.text

    # the report's downloads for the month
    assert f'href="/api/v1/reports/hazards?month={MONTH}&amp;format=xlsx"' in r.text
    assert f'href="/api/v1/reports/hazards?month={MONTH}&amp;format=pdf"' in r.text
    xlsx = client.get(f"/api/v1/reports/hazards?month={MONTH}&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_tables_carry_the_daily_score_and_the_comparison(
    client: TestClient, session: Session, world: World, history: stats_history.History
) -> None:
    sign_in(client, "reg_admin")
    html = client.get(f"/statistics?month={MONTH}").text
    scores = score.daily(
        session=session,
        principal=who(session, world, "reg_admin"),
        day=stats.Period.month(MONTH).ref_day,
    )
    per_org = dict(re.findall(r'<tr data-owner-id="(\d+)">.*?data-score="([\d.]*)"', html, re.S))
    for s in scores.enterprises:
        if str(s.id) in per_org:
            assert per_org[str(s.id)] == str(s.score)
    assert per_org[str(world.ids["ent_b"])]  # ent_b has hazards in October: it is listed
    per_area = dict(
        re.findall(r'<tr data-area-id="(\d+)"[^>]*>.*?data-score="([\d.]*)"', html, re.S)
    )
    district = next(a for a in scores.areas if a.id == world.ids["district"])
    assert per_area[str(world.ids["district"])] == str(district.score)
    assert 'data-table="comparison"' in html
    rows = re.findall(r'data-owner-id="(\d+)" data-site-id="(\d*)" data-flagged="([01])"', html)
    assert (str(world.ids["ent_a"]), "", "0") in rows  # no hazard linked to an inspection yet


def test_comparison_flags_an_enterprise_that_finds_less(
    client: TestClient, session: Session, world: World, history: stats_history.History
) -> None:
    # the agency's inspection at the gate found H1; ent_a's own (at the box) found nothing
    agency = session.scalars(select(Inspection).where(Inspection.client_id == "stats-0")).one()
    history.hazards["H1"].inspection_id = agency.id
    session.flush()
    sign_in(client, "reg_admin")
    html = client.get(f"/statistics?month={MONTH}").text
    rows = re.findall(r'data-owner-id="(\d+)" data-site-id="(\d*)" data-flagged="([01])"', html)
    ent_a, gate, box = (str(world.ids[k]) for k in ("ent_a", "gate", "box"))
    assert (ent_a, "", "1") in rows and (ent_a, gate, "1") in rows and (ent_a, box, "0") in rows
    assert "st-flagged" in html


def test_filters_by_area_and_enterprise(
    client: TestClient, session: Session, world: World, history: stats_history.History
) -> None:
    reg = who(session, world, "reg_admin")
    period = stats.Period.month(MONTH)
    sign_in(client, "reg_admin")
    for query, kw in (
        (f"area_id={world.ids['g11']}", {"area_id": world.ids["g11"]}),
        (f"owner_id={world.ids['ent_b']}", {"owner_id": world.ids["ent_b"]}),
    ):
        r = client.get(f"/statistics?month={MONTH}&{query}")
        assert r.status_code == 200
        s = stats.compute(session=session, principal=reg, period=period, **kw)  # type: ignore[arg-type]
        assert cards(r.text) == expected(s)
    # since/until: September and October together
    r = client.get("/statistics?since=2026-09-01&until=2026-10-31")
    s = stats.compute(
        session=session, principal=reg, period=stats.Period.of(*_dates("2026-09-01", "2026-10-31"))
    )
    assert cards(r.text) == expected(s) and cards(r.text)["found"] == "9"
    assert chart_data(r.text)["months"]["x"] == ["2026-09", "2026-10"]
    assert "data-download" not in r.text  # two months: no single monthly report
    # a bad date, or a period too long, is said on the page
    bad = client.get("/statistics?since=not-a-date")
    assert bad.status_code == 200 and 'class="error"' in bad.text
    long = client.get("/statistics?since=2020-01-01&until=2026-10-31")
    assert long.status_code == 200 and 'class="error"' in long.text
    # an unknown area is not found
    assert client.get("/statistics?area_id=999999").status_code == 404


def _dates(a: str, b: str) -> tuple[Any, Any]:
    from datetime import date

    return date.fromisoformat(a), date.fromisoformat(b)


def test_an_enterprise_sees_only_itself(
    client: TestClient, session: Session, world: World, history: stats_history.History
) -> None:
    sign_in(client, "ent_a_admin")
    r = client.get(f"/statistics?month={MONTH}&owner_id={world.ids['ent_b']}")
    assert r.status_code == 200
    ent = who(session, world, "ent_a_admin")
    s = stats.compute(session=session, principal=ent, period=stats.Period.month(MONTH))
    assert cards(r.text) == expected(s)
    # ent_a's October: H1 H4 H5 H8 found; H1 H5 closed by the month's end
    assert cards(r.text)["found"] == "4" and cards(r.text)["closed"] == "2"
    assert 'name="owner_id"' not in r.text  # no enterprise filter for an enterprise
    owners = set(re.findall(r'<tr data-owner-id="(\d+)">', r.text))
    assert owners == {str(world.ids["ent_a"])}


# ---- enterprise systems -------------------------------------------------------------------------
def system_row(session: Session, org_id: int, kind: SystemKind) -> EnterpriseSystem | None:
    session.expire_all()
    return session.scalars(
        select(EnterpriseSystem).where(
            EnterpriseSystem.org_id == org_id, EnterpriseSystem.kind == kind
        )
    ).first()


def test_systems_page_lists_every_kind_and_sets_status(
    client: TestClient, session: Session, world: World
) -> None:
    token = sign_in(client, "reg_staff")
    r = client.get("/enterprise-systems")
    assert r.status_code == 200
    ent_a = world.ids["ent_a"]
    section = r.text[r.text.index(f'id="org-{ent_a}"') :]
    section = section[: section.index("</section>")]
    assert re.findall(r'<tr data-kind="(\w+)"', section) == [k.value for k in SystemKind]
    assert f'data-set-system="{SystemKind.RISK_CONTROL.value}"' in section
    before = int(re.search(r"data-improved>(\d+)<", r.text).group(1))  # type: ignore[union-attr]

    url = f"/enterprise-systems/{ent_a}/{SystemKind.RISK_CONTROL.value}"
    # improving a system that is not recorded as missing is refused, said on the page
    r = client.post(url, data={"csrf_token": token, "status": "improved"}, follow_redirects=False)
    assert r.status_code == 409 and "data-error" in r.text
    assert system_row(session, ent_a, SystemKind.RISK_CONTROL) is None
    r = client.post(
        url,
        data={"csrf_token": token, "status": "missing", "note": "未建立分级管控制度"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    row = system_row(session, ent_a, SystemKind.RISK_CONTROL)
    assert row is not None and row.status is SystemStatus.MISSING
    r = client.post(
        url,
        data={"csrf_token": token, "status": "improved", "document": "东昌燃气〔2026〕3号"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    row = system_row(session, ent_a, SystemKind.RISK_CONTROL)
    assert row is not None and row.status is SystemStatus.IMPROVED and row.improved_on
    html = client.get("/enterprise-systems").text
    assert int(re.search(r"data-improved>(\d+)<", html).group(1)) == before + 1  # type: ignore[union-attr]
    assert '<tr data-kind="risk_control" data-status="improved"' in html
    assert "东昌燃气〔2026〕3号" in html


def test_systems_rules_by_role(client: TestClient, session: Session, world: World) -> None:
    ent_a, ent_b = world.ids["ent_a"], world.ids["ent_b"]
    token = sign_in(client, "ent_a_admin")
    html = client.get("/enterprise-systems").text
    assert f'id="org-{ent_a}"' in html and f'id="org-{ent_b}"' not in html
    assert 'name="org_id"' not in html  # an enterprise has no enterprise filter
    kind = SystemKind.EMERGENCY_PLAN.value
    r = client.post(
        f"/enterprise-systems/{ent_a}/{kind}",
        data={"csrf_token": token, "status": "present", "adopted_on": "2026-01-05"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    row = system_row(session, ent_a, SystemKind.EMERGENCY_PLAN)
    assert row is not None and row.status is SystemStatus.PRESENT
    assert row.adopted_on is not None and row.adopted_on.isoformat() == "2026-01-05"
    # another enterprise's systems read as not found
    r = client.post(
        f"/enterprise-systems/{ent_b}/{kind}",
        data={"csrf_token": token, "status": "present"},
        follow_redirects=False,
    )
    assert r.status_code == 404 and system_row(session, ent_b, SystemKind.EMERGENCY_PLAN) is None
    # staff of an enterprise read, but get no form and may not set
    token = as_user(client, "ent_a_staff")
    html = client.get("/enterprise-systems").text
    assert f'id="org-{ent_a}"' in html and "data-set-system" not in html
    r = client.post(
        f"/enterprise-systems/{ent_a}/{kind}",
        data={"csrf_token": token, "status": "missing"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    row = system_row(session, ent_a, SystemKind.EMERGENCY_PLAN)
    assert row is not None and row.status is SystemStatus.PRESENT
