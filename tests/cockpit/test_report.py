"""The weekly and monthly district report: its figures on the hand-built set, the XLSX and the
PDF read back, the API download and its scope."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO
from urllib.parse import unquote

import pypdf
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from gaswarden.cockpit import report_data, report_xlsx
from gaswarden.core.errors import Invalid
from tests.cockpit import records
from tests.cockpit.records import NOW
from tests.factories import World
from tests.hazard.helpers import who


@pytest.fixture
def recs(session: Session, world: World) -> records.Records:
    return records.build(session, world)


def gather(
    session: Session, world: World, username: str = "reg_admin", period: str = "month"
) -> report_data.DistrictReport:
    start = date(2026, 10, 1) if period == "month" else date(2026, 10, 12)
    return report_data.gather(
        session=session,
        principal=who(session, world, username),
        period=period,
        start=start,
        now=NOW,
    )


def test_month_figures(session: Session, world: World, recs: records.Records) -> None:
    r = gather(session, world)
    assert r.title == "全区燃气安全月报（2026年10月）"
    assert (r.since, r.until) == (date(2026, 10, 1), date(2026, 10, 31))
    v = r.value
    assert (v("devices", "devices"), v("devices", "online"), v("devices", "online_rate")) == (
        4,
        2,
        0.5,
    )
    assert v("alarms", "raised") == 4 and v("alarms", "red") == 2 and v("alarms", "yellow") == 1
    assert v("alarms", "avg_ack_min") == 2.7  # (120 + 300 + 60) s / 3
    assert v("alarms", "avg_on_site_min") == 10.0 and v("alarms", "resolved") == 1
    assert (v("hazards", "found"), v("hazards", "major"), v("hazards", "closed_in_period")) == (
        2,
        1,
        1,
    )
    assert (v("hazards", "open_total"), v("hazards", "overdue")) == (2, 1)
    assert (v("cylinders", "filled"), v("cylinders", "delivered")) == (3, 1)
    assert (v("cylinders", "refused_scans"), v("cylinders", "anomaly_scans")) == (1, 1)
    assert (v("emergency", "incidents"), v("emergency", "closed")) == (2, 1)
    assert v("emergency", "avg_dispatch_min") == 7.5  # (5 + 10) / 2
    assert v("emergency", "avg_arrival_min") == 30.0  # (20 + 40) / 2
    assert (v("emergency", "drills"), v("emergency", "drill_participants")) == (1, 30)
    assert (v("conversions", "applied"), v("conversions", "connected")) == (1, 0)
    assert (v("conversions", "connected_year"), v("conversions", "in_progress")) == (1, 1)
    assert (v("service", "received"), v("service", "resolved"), v("service", "on_time_rate")) == (
        3,
        1,
        1.0,
    )
    assert v("service", "open_at_end") == 2 and v("service", "satisfaction") == 5.0
    assert (v("coverage", "villages"), v("coverage", "villages_piped")) == (2, 1)
    assert (v("coverage", "households_piped"), v("coverage", "piped_share")) == (150, 0.5)
    towns = {t.name: t for t in r.towns}
    t1, t2 = towns["古楼街道"], towns["柳园街道"]
    assert (t1.alarms, t1.hazards_found, t1.incidents, t1.requests, t1.score) == (3, 1, 1, 2, 78.0)
    assert (t2.alarms, t2.hazards_found, t2.incidents, t2.requests, t2.score) == (1, 1, 1, 1, 83.0)
    assert [i.code for i in r.incidents] == ["YJ-T-2", "YJ-T-1"]
    assert [g.raised for g in r.grades] == [2, 1, 1, 0]


def test_week_and_enterprise_scope(session: Session, world: World, recs: records.Records) -> None:
    week = gather(session, world, period="week")  # 10-12 .. 10-18
    assert (week.since, week.until) == (date(2026, 10, 12), date(2026, 10, 18))
    assert week.title == "全区燃气安全周报（2026-10-12至2026-10-18）"
    assert week.value("emergency", "incidents") == 1 and week.value("alarms", "raised") == 4
    assert week.value("emergency", "drills") == 0  # held 10-09
    b = gather(session, world, "ent_b_admin")
    assert b.title == "聊城鲁通液化气有限公司燃气安全月报（2026年10月）"
    assert b.value("alarms", "raised") == 2 and b.value("conversions", "applied") == 0
    assert b.value("emergency", "incidents") == 1 and b.value("service", "received") == 1
    assert b.value("coverage", "villages") == 2  # coverage is public (service.scope)
    assert [i.code for i in b.incidents] == ["YJ-T-2"]


def test_xlsx_reads_back(session: Session, world: World, recs: records.Records) -> None:
    r = gather(session, world)
    wb = load_workbook(BytesIO(report_data.render(r, "xlsx")))
    assert wb.sheetnames == list(report_xlsx.SHEETS)
    summary = wb["概况 Summary"]
    assert summary["A1"].value == r.title
    by_key = {row[2]: row[1] for row in summary.iter_rows(min_row=5, values_only=True) if row[2]}
    assert by_key["alarms.raised"] == 4 and by_key["emergency.avg_arrival_min"] == 30.0
    assert by_key["service.on_time_rate"] == 1.0 and by_key["cylinders.filled"] == 3
    towns = wb["街镇 By town"]
    rows = {row[0]: row for row in towns.iter_rows(min_row=5, values_only=True)}
    assert rows["古楼街道"][1:] == (3, 1, 1, 1, 2, 78.0)
    incidents = wb["应急事件 Incidents"]
    assert incidents["A5"].value == "YJ-T-2" and incidents["F5"].value == 10.0


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(BytesIO(content))
    return "\n".join(p.extract_text() for p in reader.pages)


def test_pdf_reads_back(session: Session, world: World, recs: records.Records) -> None:
    content = report_data.render(gather(session, world), "pdf")
    assert content.startswith(b"%PDF")
    text = _pdf_text(content)
    assert "全区燃气安全月报" in text
    assert re.search(r"报警总数 Alarms raised\s*4", text)
    assert re.search(r"按时办结率 Resolved on time\s*100\.0%", text)
    assert "YJ-T-1" in text and "古楼街道" in text and "78.0" in text


def test_bad_period_and_start() -> None:
    with pytest.raises(Invalid):
        report_data.period_bounds("year", date(2026, 1, 1))
    with pytest.raises(Invalid):
        report_data.parse_start("2026-13-01")
    assert report_data.parse_start("2026-10") == date(2026, 10, 1)


def test_api_download(client: TestClient, world: World, recs: records.Records) -> None:
    res = client.get(
        "/api/v1/reports/district?period=month&start=2026-10-01&format=xlsx",
        headers=world.headers("ent_a_admin"),
    )
    assert res.status_code == 200
    assert res.headers["content-type"] == report_data.MEDIA_TYPES["xlsx"]
    disposition = res.headers["content-disposition"]
    assert 'filename="district-report-month-2026-10-01.xlsx"' in disposition
    assert "燃气安全月报" in unquote(disposition)
    summary = load_workbook(BytesIO(res.content))["概况 Summary"]
    by_key = {row[2]: row[1] for row in summary.iter_rows(min_row=5, values_only=True) if row[2]}
    assert by_key["alarms.raised"] == 2  # A1, A2: enterprise A's own
    res = client.get(
        "/api/v1/reports/district?period=week&start=2026-10-12&format=pdf",
        headers=world.headers("reg_admin"),
    )
    assert res.status_code == 200 and res.content.startswith(b"%PDF")
    bad = client.get(
        "/api/v1/reports/district?period=week&start=12-10-2026", headers=world.headers("reg_admin")
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
