"""The monthly report: its figures, the XLSX and the PDF read back, and the API download."""

from __future__ import annotations

import re
from io import BytesIO
from urllib.parse import unquote

import pypdf
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf.generic import ContentStream
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.core.errors import Invalid, NotFound
from gaswarden.domains.hazard import report_data, report_xlsx
from tests.factories import World
from tests.hazard import stats_history
from tests.hazard.helpers import who
from tests.hazard.stats_history import MONTH, NOW


@pytest.fixture
def history(session: Session, world: World) -> stats_history.History:
    return stats_history.build(session, world)


def gather(session: Session, principal: object = SYSTEM, **kw: object) -> report_data.MonthlyReport:
    return report_data.gather(
        session=session,
        principal=principal,  # type: ignore[arg-type]
        month=MONTH,
        now=NOW,
        **kw,  # type: ignore[arg-type]
    )


def test_report_figures(session: Session, history: stats_history.History) -> None:
    r = gather(session)
    assert r.title == "全区燃气安全隐患排查治理月报（2026年10月）"
    assert r.filename("xlsx") == "hazard-report-2026-10-all.xlsx"
    assert r.trend[0].label == "2025-11" and len(r.trend) == 12
    assert [(t.label, t.counts.found) for t in r.trend[-2:]] == [("2026-09", 3), ("2026-10", 6)]
    hz = history.hazards
    assert [o.code for o in r.overdue] == [hz["H6"].code, hz["H4"].code]
    assert [o.days_overdue for o in r.overdue] == [34, 9]
    assert r.scores is not None and {s.score for s in r.scores.enterprises} == {75.0, 67.0}


def test_xlsx_reads_back(session: Session, world: World, history: stats_history.History) -> None:
    r = gather(session)
    wb = load_workbook(BytesIO(report_data.render(r, "xlsx")))
    assert wb.sheetnames == list(report_xlsx.SHEETS)
    assert wb.sheetnames[0] == "概况 Summary" and wb.sheetnames[4] == "逾期隐患 Overdue list"
    summary = wb["概况 Summary"]
    assert summary["A1"].value == r.title
    assert summary["A5"].value == "本月发现隐患 Hazards found" and summary["B5"].value == 6
    figures = {
        summary.cell(row=i, column=1).value: summary.cell(row=i, column=2) for i in range(5, 26)
    }
    assert figures["整改率 Rectification rate"].value == 0.5
    assert figures["整改率 Rectification rate"].number_format == "0.0%"
    assert figures["月末逾期隐患 Overdue at month end"].value == 2
    assert figures["完善企业制度 Enterprise systems improved"].value == 1
    assert summary["D16"].value == "2026-10" and summary["E16"].value == 6  # trend, last row
    assert len(summary._charts) == 1

    areas = wb["按区域 By area"]
    assert areas["A4"].value == "区域 Area" and areas["D4"].value == "发现 Found"
    names = {str(areas.cell(row=i, column=1).value).strip("\u3000"): i for i in range(5, 11)}
    assert areas.cell(row=names["东昌府区"], column=4).value == 6
    assert areas.cell(row=names["古楼一网格"], column=4).value == 4
    assert areas.cell(row=names["古楼一网格"], column=3).value == "网格"
    assert len(areas._charts) == 1

    ents = wb["按企业 By enterprise"]
    assert ents["A5"].value == "聊城东昌燃气有限公司" and ents["B5"].value == 75.0
    assert ents["C5"].value == 4  # found
    cats = wb["按类别 By category"]
    assert cats["A5"].value == "安全管理" and cats["B5"].value == 3

    overdue = wb["逾期隐患 Overdue list"]
    assert overdue["A5"].value == history.hazards["H6"].code
    assert overdue["J5"].value == 34 and overdue["A6"].value == history.hazards["H4"].code
    assert overdue["A7"].value is None


def _pdf_text(content: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(BytesIO(content))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


def test_pdf_reads_back(session: Session, history: stats_history.History) -> None:
    history.hazards["H4"].title = "阀门<损坏> & 漏气"  # not markup
    session.flush()
    r = gather(session)
    content = report_data.render(r, "pdf")
    assert content.startswith(b"%PDF")
    pages, text = _pdf_text(content)
    assert pages == 4  # summary; areas; enterprises, categories, sources; overdue list
    assert "全区燃气安全隐患排查治理月报" in text  # the CID font's text extracts
    assert re.search(r"本月发现隐患 Hazards found\s*6", text)
    assert re.search(r"整改率 Rectification rate\s*50\.0%", text)
    assert "聊城东昌燃气有限公司" in text and "75.0" in text
    assert "阀门<损坏> & 漏气" in text
    assert history.hazards["H6"].code in text and "逾期隐患 Overdue hazards（2 项）" in text
    assert "STSong-Light" in content.decode("latin-1")


def test_an_area_report_and_an_enterprise_report(
    session: Session, world: World, history: stats_history.History
) -> None:
    grid = gather(session, area_code="371502001-01")
    assert grid.title.startswith("古楼一网格") and grid.totals.found == 4
    assert grid.filename("pdf") == "hazard-report-2026-10-371502001-01.pdf"
    assert grid.overdue == []
    ent = gather(session, who(session, world, "ent_b_admin"))
    assert ent.totals.found == 2 and [o.code for o in ent.overdue] == [history.hazards["H6"].code]
    wb = load_workbook(BytesIO(report_data.render(ent, "xlsx")))
    assert wb["概况 Summary"]["B5"].value == 2
    with pytest.raises(NotFound):
        gather(session, area_code="nope")
    with pytest.raises(Invalid):
        report_data.render(grid, "docx")


def test_report_and_stats_api(client: TestClient, world: World) -> None:
    # The API commits in its own SAVEPOINTs; the history is built by the service beforehand.
    from sqlalchemy.orm import sessionmaker

    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    assert isinstance(factory, sessionmaker)
    with factory() as s:
        stats_history.build(s, world)
        s.commit()

    reg = world.headers("reg_staff")
    res = client.get(f"/api/v1/reports/hazards?month={MONTH}&format=xlsx", headers=reg)
    assert res.status_code == 200, res.text
    assert res.headers["content-type"].startswith("application/vnd.openxmlformats")
    disposition = res.headers["content-disposition"]
    assert 'filename="hazard-report-2026-10-all.xlsx"' in disposition
    assert unquote(disposition.split("''")[1]) == "全区隐患月报-2026-10.xlsx"
    assert load_workbook(BytesIO(res.content))["概况 Summary"]["B5"].value == 6

    res = client.get(
        f"/api/v1/reports/hazards?month={MONTH}&format=pdf&area_id={world.ids['t2']}",
        headers=world.headers("ent_a_admin"),
    )
    assert res.status_code == 200 and res.headers["content-type"] == "application/pdf"
    _, text = _pdf_text(res.content)
    assert "柳园街道燃气安全隐患排查治理月报" in text
    assert re.search(r"本月发现隐患 Hazards found\s*0", text)  # nothing of ent_a's there

    bad = client.get("/api/v1/reports/hazards?month=2026-13", headers=reg)
    assert bad.status_code == 422
    missing = client.get(f"/api/v1/reports/hazards?month={MONTH}&area_id=999999", headers=reg)
    assert missing.status_code == 404
    assert client.get(f"/api/v1/reports/hazards?month={MONTH}").status_code == 401

    res = client.get(
        "/api/v1/hazard-stats?since=2026-10-01&until=2026-10-31",
        headers=world.headers("ent_a_admin"),
    )
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["totals"]["found"] == 4 and body["totals"]["rectification_rate"] == 0.5
    assert [r["key"] for r in body["by_enterprise"]] == [world.ids["ent_a"]]
    assert body["by_month"][0]["key"] == "2026-10"
    res = client.get("/api/v1/hazard-stats/scores?day=2026-10-31", headers=reg)
    assert res.status_code == 200
    scores = {s["id"]: s["score"] for s in res.json()["enterprises"]}
    assert scores == {world.ids["ent_a"]: 75.0, world.ids["ent_b"]: 67.0}
    assert res.json()["weights"]["open_major"] == 15.0
    assert (
        client.get(
            "/api/v1/hazard-stats?since=2026-10-02&until=2026-10-01", headers=reg
        ).status_code
        == 422
    )


def test_pdf_content_stream_carries_the_cid_text(
    session: Session, history: stats_history.History
) -> None:
    """Below text extraction: the first page's text operators show the title in the
    STSong-Light CID font, as UCS-2 codes (UniGB-UCS2-H)."""
    reader = pypdf.PdfReader(BytesIO(report_data.render(gather(session), "pdf")))
    page = reader.pages[0]
    ops = ContentStream(page.get_contents(), reader).operations
    shown = b"".join(
        getattr(arg, "original_bytes", b"") for args, op in ops if op == b"Tj" for arg in args
    )
    assert "全区燃气安全隐患排查治理月报".encode("utf-16-be") in shown
    fonts = page["/Resources"]["/Font"]  # type: ignore[index]
    assert any("STSong-Light" in str(f.get_object()["/BaseFont"]) for f in fonts.values())
