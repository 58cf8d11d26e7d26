"""The monthly hazard report as an XLSX workbook (openpyxl): 概况 Summary, 按区域 By area,
按企业 By enterprise, 按类别 By category, 逾期隐患 Overdue list; native bar charts of the trend
and of the areas. Rates are numbers formatted as percentages, so Excel can compute with them."""

from __future__ import annotations

from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from gaswarden.domains.area.enums import AreaLevel
from gaswarden.domains.hazard.report_data import COLUMNS, Column, MonthlyReport, value
from gaswarden.domains.hazard.stats import Row

SHEETS = (
    "概况 Summary",
    "按区域 By area",
    "按企业 By enterprise",
    "按类别 By category",
    "逾期隐患 Overdue list",
)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
PCT = "0.0%"
TABLE_TOP = 4  # the header row of every sheet's table


def render(report: MonthlyReport) -> bytes:
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = SHEETS[0]
    _summary(summary, report)
    _areas(wb.create_sheet(SHEETS[1]), report)
    _enterprises(wb.create_sheet(SHEETS[2]), report)
    _categories(wb.create_sheet(SHEETS[3]), report)
    _overdue(wb.create_sheet(SHEETS[4]), report)
    wb.properties.title = report.title
    wb.properties.creator = "GasWarden"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _heading(ws: Worksheet, report: MonthlyReport, subtitle: str) -> None:
    ws["A1"] = report.title
    ws["A1"].font = TITLE
    p = report.period
    local = report.generated_at.astimezone(ZoneInfo(report.tz))
    ws["A2"] = (
        f"{subtitle} · 统计期 {p.since.isoformat()} 至 {p.until.isoformat()}"
        f"（逾期判定日 {p.ref_day.isoformat()}） · 生成 Generated {local:%Y-%m-%d %H:%M}"
    )


def _header(ws: Worksheet, row: int, headers: list[str], col: int = 1) -> None:
    for i, text in enumerate(headers):
        cell = ws.cell(row=row, column=col + i, value=text)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _put(ws: Worksheet, row: int, col: int, v: Any, rate: bool = False) -> None:
    cell = ws.cell(row=row, column=col, value=v)
    if rate and v is not None:
        cell.number_format = PCT


def _widths(ws: Worksheet, widths: dict[int, float]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width


def _summary(ws: Worksheet, report: MonthlyReport) -> None:
    _heading(ws, report, "概况 Summary")
    _header(ws, TABLE_TOP, ["指标 Figure", "数值 Value"])
    row = TABLE_TOP
    for label, v, rate in report.summary():
        row += 1
        ws.cell(row=row, column=1, value=label)
        _put(ws, row, 2, v, rate)
    # The trend: twelve months of found / closed / overdue, and its chart.
    _header(ws, TABLE_TOP, ["月份 Month", "发现 Found", "销号 Closed", "月末逾期 Overdue"], col=4)
    for i, r in enumerate(report.trend, start=1):
        c = r.counts
        for j, cell in enumerate((r.label, c.found, c.closed_in_period, c.overdue)):
            ws.cell(row=TABLE_TOP + i, column=4 + j, value=cell)
    if report.trend:
        last = TABLE_TOP + len(report.trend)
        chart = BarChart()
        chart.type, chart.grouping = "col", "clustered"
        chart.title = "近12个月隐患 Hazards, last 12 months"
        chart.y_axis.title, chart.x_axis.title = "数量 Count", "月份 Month"
        data = Reference(ws, min_col=5, max_col=7, min_row=TABLE_TOP, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=4, min_row=TABLE_TOP + 1, max_row=last))
        chart.width, chart.height = 22, 9
        ws.add_chart(chart, f"D{last + 3}")
    # Hazards per source (the enterprises' own findings against the others').
    row += 2
    _header(ws, row, ["来源 Source", "发现 Found", "已销号 Closed", "整改率 Rate"])
    for r in report.stats.by_source:
        row += 1
        ws.cell(row=row, column=1, value=r.label)
        ws.cell(row=row, column=2, value=r.counts.found)
        ws.cell(row=row, column=3, value=r.counts.closed)
        _put(ws, row, 4, r.counts.rectification_rate, True)
    _widths(ws, {1: 44, 2: 14, 3: 14, 4: 14, 5: 12, 6: 12, 7: 16})


def _table(
    ws: Worksheet, rows: list[Row], first: list[str], lead: Any, columns: tuple[Column, ...]
) -> int:
    """A breakdown table at TABLE_TOP; `lead(row)` gives the leading cells. Returns the last
    row written."""
    _header(ws, TABLE_TOP, first + [c.header for c in columns])
    n = TABLE_TOP
    for r in rows:
        n += 1
        cells = lead(r)
        for j, v in enumerate(cells, start=1):
            ws.cell(row=n, column=j, value=v)
        for j, col in enumerate(columns, start=len(cells) + 1):
            _put(ws, n, j, value(r.counts, col), col.rate)
    ws.freeze_panes = ws.cell(row=TABLE_TOP + 1, column=len(first) + 1)
    return n


def _bar(ws: Worksheet, title: str, last: int, label_col: int, data_cols: tuple[int, int]) -> None:
    if last <= TABLE_TOP:
        return
    chart = BarChart()
    chart.type, chart.grouping = "bar", "clustered"
    chart.title = title
    for col in data_cols:
        chart.add_data(
            Reference(ws, min_col=col, min_row=TABLE_TOP, max_row=last), titles_from_data=True
        )
    chart.set_categories(Reference(ws, min_col=label_col, min_row=TABLE_TOP + 1, max_row=last))
    chart.width, chart.height = 20, max(7.5, 0.7 * (last - TABLE_TOP) + 3)
    ws.add_chart(chart, f"B{last + 3}")


def _areas(ws: Worksheet, report: MonthlyReport) -> None:
    _heading(ws, report, "按区域 By area")

    def lead(r: Row) -> list[Any]:
        level = AreaLevel(r.level).zh if r.level else ""
        return ["　" * r.depth + r.label, r.code, level]

    last = _table(ws, report.stats.by_area, ["区域 Area", "编码 Code", "级别 Level"], lead, COLUMNS)
    found = 4 + [c.field for c in COLUMNS].index("found")
    closed = 4 + [c.field for c in COLUMNS].index("closed")
    _bar(ws, "各区域发现与销号 Found and closed per area", last, 1, (found, closed))
    _widths(ws, {1: 26, 2: 16, 3: 10})


def _enterprises(ws: Worksheet, report: MonthlyReport) -> None:
    _heading(ws, report, "按企业 By enterprise")
    scores = {s.id: s.score for s in report.scores.enterprises} if report.scores is not None else {}
    day = report.scores.day.isoformat() if report.scores is not None else ""

    def lead(r: Row) -> list[Any]:
        return [r.label, scores.get(r.key) if isinstance(r.key, int) else None]

    rows = report.stats.by_enterprise
    last = _table(ws, rows, ["企业 Enterprise", f"安全指数 Score {day}"], lead, COLUMNS)
    found = 3 + [c.field for c in COLUMNS].index("found")
    overdue = 3 + [c.field for c in COLUMNS].index("overdue")
    _bar(ws, "各企业发现与逾期 Found and overdue per enterprise", last, 1, (found, overdue))
    _widths(ws, {1: 34, 2: 14})


def _categories(ws: Worksheet, report: MonthlyReport) -> None:
    _heading(ws, report, "按类别 By category")
    last = _table(ws, report.stats.by_category, ["类别 Category"], lambda r: [r.label], COLUMNS)
    row = last + 2
    ws.cell(row=row, column=1, value="按检查类型 By inspection kind").font = BOLD
    row += 1
    _header(
        ws,
        row,
        [
            "检查类型 Kind",
            "计划 Due",
            "完成 Done",
            "逾期完成 Late",
            "逾期未检 Overdue",
            "完成率 Completion",
        ],
    )
    for r in report.stats.by_kind:
        row += 1
        c = r.counts
        for j, v in enumerate((r.label, c.planned, c.done, c.late, c.tasks_overdue), start=1):
            ws.cell(row=row, column=j, value=v)
        _put(ws, row, 6, c.completion_rate, True)
    _widths(ws, {1: 34})


def _overdue(ws: Worksheet, report: MonthlyReport) -> None:
    _heading(ws, report, f"逾期隐患 Overdue list（{len(report.overdue)} 项）")
    headers = [
        "编号 Code",
        "隐患 Hazard",
        "级别 Grade",
        "类别 Category",
        "责任企业 Enterprise",
        "场站/地址 Site",
        "网格 Area",
        "发现日期 Found",
        "整改期限 Deadline",
        "逾期天数 Days overdue",
        "状态 Status",
        "督办级别 Escalation",
    ]
    _header(ws, TABLE_TOP, headers)
    for i, o in enumerate(report.overdue, start=TABLE_TOP + 1):
        cells = (
            o.code,
            o.title,
            o.grade,
            o.category,
            o.enterprise,
            o.site,
            o.area,
            o.found_on,
            o.deadline,
            o.days_overdue,
            o.status,
            o.escalation_level,
        )
        for j, v in enumerate(cells, start=1):
            cell = ws.cell(row=i, column=j, value=v)
            if j in (8, 9):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = ws.cell(row=TABLE_TOP + 1, column=2)
    ws.auto_filter.ref = f"A{TABLE_TOP}:L{TABLE_TOP + max(1, len(report.overdue))}"
    _widths(ws, {1: 18, 2: 30, 4: 12, 5: 30, 6: 22, 7: 14, 8: 12, 9: 12})
