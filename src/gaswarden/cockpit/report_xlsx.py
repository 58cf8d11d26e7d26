"""The district report as an XLSX workbook (openpyxl): 概况 Summary (every module's figures),
报警 Alarms by grade, 街镇 By town, 应急事件 Incidents. Rates are numbers formatted as
percentages, so Excel can compute with them."""

from __future__ import annotations

from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from gaswarden.cockpit.report_data import DistrictReport

SHEETS = ("概况 Summary", "报警 Alarms by grade", "街镇 By town", "应急事件 Incidents")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
TABLE_TOP = 4  # the header row of every sheet's table
FORMATS = {"rate": "0.0%", "min": "0.0", "yuan": "#,##0.00", "score": "0.0"}


def render(report: DistrictReport) -> bytes:
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = SHEETS[0]
    _summary(summary, report)
    _grades(wb.create_sheet(SHEETS[1]), report)
    _towns(wb.create_sheet(SHEETS[2]), report)
    _incidents(wb.create_sheet(SHEETS[3]), report)
    wb.properties.title = report.title
    wb.properties.creator = "GasWarden"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _heading(ws: Worksheet, report: DistrictReport, subtitle: str) -> None:
    ws["A1"] = report.title
    ws["A1"].font = TITLE
    local = report.generated_at.astimezone(ZoneInfo(report.tz))
    ws["A2"] = (
        f"{subtitle} · 统计期 {report.since.isoformat()} 至 {report.until.isoformat()}"
        f" · 生成 Generated {local:%Y-%m-%d %H:%M}"
    )


def _header(ws: Worksheet, row: int, headers: list[str]) -> None:
    for i, text in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=i, value=text)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _put(ws: Worksheet, row: int, col: int, value: Any, kind: str = "n") -> None:
    cell = ws.cell(row=row, column=col, value=value)
    if value is not None and kind in FORMATS:
        cell.number_format = FORMATS[kind]


def _widths(ws: Worksheet, widths: dict[int, float]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width


def _summary(ws: Worksheet, report: DistrictReport) -> None:
    """Column A the label, B the value, C the figure's key (module.figure) for machines."""
    _heading(ws, report, "概况 Summary")
    _header(ws, TABLE_TOP, ["指标 Figure", "数值 Value", "键 Key"])
    row = TABLE_TOP
    for section in report.sections:
        row += 1
        cell = ws.cell(row=row, column=1, value=section.title)
        cell.font, cell.fill = BOLD, SECTION_FILL
        for f in section.figures:
            row += 1
            ws.cell(row=row, column=1, value=f.label)
            _put(ws, row, 2, f.value, f.kind)
            ws.cell(row=row, column=3, value=f"{section.key}.{f.key}")
    _widths(ws, {1: 52, 2: 16, 3: 28})


def _grades(ws: Worksheet, report: DistrictReport) -> None:
    _heading(ws, report, "报警 Alarms by grade")
    _header(
        ws,
        TABLE_TOP,
        [
            "等级 Grade",
            "报警 Raised",
            "已确认 Acknowledged",
            "平均确认(分钟) Mean to ack (min)",
            "平均到场(分钟) Mean on site (min)",
            "超时未确认 Acked late",
        ],
    )
    for i, g in enumerate(report.grades, start=TABLE_TOP + 1):
        ws.cell(row=i, column=1, value=g.label)
        ws.cell(row=i, column=2, value=g.raised)
        ws.cell(row=i, column=3, value=g.acked)
        _put(ws, i, 4, g.avg_ack_min, "min")
        _put(ws, i, 5, g.avg_on_site_min, "min")
        ws.cell(row=i, column=6, value=g.ack_overdue)
    _widths(ws, {1: 24, 2: 12, 3: 14, 4: 20, 5: 20, 6: 14})


def _towns(ws: Worksheet, report: DistrictReport) -> None:
    day = report.score_day.isoformat() if report.score_day else ""
    _heading(ws, report, "街镇 By town")
    _header(
        ws,
        TABLE_TOP,
        [
            "街镇 Town",
            "报警 Alarms",
            "发现隐患 Hazards found",
            "期末未销号 Open at end",
            "突发事件 Incidents",
            "服务工单 Requests",
            f"安全指数 Score {day}",
        ],
    )
    for i, t in enumerate(report.towns, start=TABLE_TOP + 1):
        values = (t.name, t.alarms, t.hazards_found, t.hazards_open, t.incidents, t.requests)
        for j, v in enumerate(values, start=1):
            ws.cell(row=i, column=j, value=v)
        _put(ws, i, 7, t.score, "score")
    ws.freeze_panes = ws.cell(row=TABLE_TOP + 1, column=2)
    _widths(ws, {1: 22, 2: 10, 3: 14, 4: 14, 5: 12, 6: 12, 7: 18})


def _incidents(ws: Worksheet, report: DistrictReport) -> None:
    zone = ZoneInfo(report.tz)
    _heading(ws, report, f"应急事件 Incidents（{len(report.incidents)} 起）")
    _header(
        ws,
        TABLE_TOP,
        [
            "编号 Code",
            "事件 Incident",
            "等级 Grade",
            "状态 Status",
            "接报 Reported",
            "派遣(分钟) Dispatch (min)",
            "到场(分钟) Arrival (min)",
            "结案 Closed",
        ],
    )
    for i, x in enumerate(report.incidents, start=TABLE_TOP + 1):
        ws.cell(row=i, column=1, value=x.code)
        ws.cell(row=i, column=2, value=x.title)
        ws.cell(row=i, column=3, value=x.grade)
        ws.cell(row=i, column=4, value=x.status)
        ws.cell(row=i, column=5, value=x.reported.astimezone(zone).strftime("%Y-%m-%d %H:%M"))
        _put(ws, i, 6, x.dispatch_min, "min")
        _put(ws, i, 7, x.arrival_min, "min")
        closed = x.closed.astimezone(zone).strftime("%Y-%m-%d %H:%M") if x.closed else None
        ws.cell(row=i, column=8, value=closed)
    _widths(ws, {1: 18, 2: 34, 3: 14, 4: 10, 5: 18, 6: 14, 7: 14, 8: 18})
