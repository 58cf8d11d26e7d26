"""The district report as a PDF (reportlab, the built-in CID font STSong-Light as in the
hazard report): the figures of every module in two columns per section, alarms by grade, the
towns, and the period's incidents."""

from __future__ import annotations

from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from gaswarden.cockpit.report_data import DistrictReport, Section, fmt_value
from gaswarden.domains.hazard.report_pdf import FONT, _font, build

PAGE = A4
INCIDENT_ROWS = 40  # the PDF lists the first; the XLSX has them all
WIDTH = PAGE[0] - 24 * mm


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    return {
        "title": ParagraphStyle(
            "title", fontName=font, fontSize=16, leading=22, alignment=1, wordWrap="CJK"
        ),
        "sub": ParagraphStyle(
            "sub", fontName=font, fontSize=8, leading=12, alignment=1, textColor=colors.grey
        ),
        "h2": ParagraphStyle(
            "h2", fontName=font, fontSize=11, leading=15, spaceBefore=6, spaceAfter=3
        ),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9.5, wordWrap="CJK"),
        "note": ParagraphStyle("note", fontName=font, fontSize=7.5, leading=10, wordWrap="CJK"),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text, quote=False), style)


def _table(data: list[list[Any]], widths: list[float]) -> Table:
    t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 7.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F7F7F7")]),
            ]
        )
    )
    return t


def _section(section: Section, st: dict[str, ParagraphStyle]) -> Flowable:
    cell = st["cell"]
    figures = section.figures
    half = (len(figures) + 1) // 2
    data: list[list[Any]] = [["指标 Figure", "数值 Value", "指标 Figure", "数值 Value"]]
    for i in range(half):
        left = figures[i]
        right = figures[half + i] if half + i < len(figures) else None
        data.append(
            [
                _p(left.label, cell),
                fmt_value(left.value, left.kind),
                _p(right.label, cell) if right else "",
                fmt_value(right.value, right.kind) if right else "",
            ]
        )
    w = WIDTH / 2
    table = _table(data, [w - 24 * mm, 24 * mm, w - 24 * mm, 24 * mm])
    return KeepTogether([_p(section.title, st["h2"]), table])


def render(report: DistrictReport) -> bytes:
    st = _styles()
    cell = st["cell"]
    zone = ZoneInfo(report.tz)
    local = report.generated_at.astimezone(zone)
    story: list[Flowable] = [
        _p(report.title, st["title"]),
        _p(
            f"统计期 Period {report.since.isoformat()} – {report.until.isoformat()}；"
            f"生成 Generated {local:%Y-%m-%d %H:%M}",
            st["sub"],
        ),
        Spacer(1, 3 * mm),
    ]
    for section in report.sections:
        story.append(_section(section, st))

    head = ["等级 Grade", "报警 Raised", "已确认 Acked", "平均确认(分) Ack", "平均到场(分) On site"]
    rows: list[list[Any]] = [[_p(h, cell) for h in head]]
    for g in report.grades:
        rows.append(
            [
                _p(g.label, cell),
                str(g.raised),
                str(g.acked),
                fmt_value(g.avg_ack_min, "min"),
                fmt_value(g.avg_on_site_min, "min"),
            ]
        )
    story.append(
        KeepTogether(
            [
                _p("报警分级与响应 Alarms by grade", st["h2"]),
                _table(rows, [50 * mm] + [32 * mm] * 4),
            ]
        )
    )

    day = report.score_day.isoformat() if report.score_day else ""
    head = ["街镇 Town", "报警 Alarms", "发现隐患 Found", "未销号 Open", "事件 Incidents"]
    head += ["工单 Requests", f"安全指数 Score {day}"]
    rows = [[_p(h, cell) for h in head]]
    for t in report.towns:
        rows.append(
            [
                _p(t.name, cell),
                str(t.alarms),
                str(t.hazards_found),
                str(t.hazards_open),
                str(t.incidents),
                str(t.requests),
                fmt_value(t.score, "score"),
            ]
        )
    story += [_p("各街镇 By town", st["h2"]), _table(rows, [40 * mm] + [24 * mm] * 6)]

    story.append(_p(f"应急事件 Incidents（{len(report.incidents)} 起）", st["h2"]))
    head = ["编号 Code", "事件 Incident", "等级", "状态", "接报 Reported", "派遣(分)", "到场(分)"]
    rows = [[_p(h, cell) for h in head]]
    for x in report.incidents[:INCIDENT_ROWS]:
        rows.append(
            [
                x.code,
                _p(x.title, cell),
                _p(x.grade, cell),
                x.status,
                x.reported.astimezone(zone).strftime("%m-%d %H:%M"),
                fmt_value(x.dispatch_min, "min"),
                fmt_value(x.arrival_min, "min"),
            ]
        )
    story.append(_table(rows, [28 * mm, 56 * mm, 22 * mm, 16 * mm, 24 * mm, 20 * mm, 20 * mm]))
    if len(report.incidents) > INCIDENT_ROWS:
        more = len(report.incidents) - INCIDENT_ROWS
        story.append(_p(f"另有 {more} 起见 XLSX 报表 / {more} more in the XLSX.", st["note"]))

    return build(story, title=report.title, page=PAGE)
