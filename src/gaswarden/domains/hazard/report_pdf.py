"""The monthly hazard report as a PDF (reportlab): Chinese text in the built-in CID font
STSong-Light (no font file needed; readers supply the glyphs), tables, and bar charts drawn
with reportlab.graphics."""

from __future__ import annotations

from html import escape
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from gaswarden.domains.hazard.report_data import PDF_COLUMNS, MonthlyReport, pct, value
from gaswarden.domains.hazard.stats import Row

FONT = "STSong-Light"
PAGE = landscape(A4)
OVERDUE_ROWS = 60  # the PDF lists the first rows; the XLSX has them all
AREA_BARS = 12  # areas in the chart (grids with the most found)
FOUND, CLOSED = colors.HexColor("#4472C4"), colors.HexColor("#70AD47")
OVERDUE = colors.HexColor("#C00000")


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    return {
        "title": ParagraphStyle(
            "title", fontName=font, fontSize=18, leading=24, alignment=1, wordWrap="CJK"
        ),
        "sub": ParagraphStyle(
            "sub", fontName=font, fontSize=9, leading=13, alignment=1, textColor=colors.grey
        ),
        "h2": ParagraphStyle(
            "h2", fontName=font, fontSize=13, leading=18, spaceBefore=8, spaceAfter=4
        ),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8, leading=10, wordWrap="CJK"),
        "note": ParagraphStyle("note", fontName=font, fontSize=8, leading=11, wordWrap="CJK"),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (names and titles may hold "<" or "&": not markup)."""
    return Paragraph(escape(text, quote=False), style)


def _fmt(v: Any, rate: bool = False) -> str:
    if rate:
        return pct(v)
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.1f}"
    return str(v)


def _table(data: list[list[Any]], widths: list[float] | None = None) -> Table:
    t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F7F7F7")]),
            ]
        )
    )
    return t


def _breakdown(rows: list[Row], first: str, cell: ParagraphStyle, extra: Any = None) -> Table:
    head = [first] + ([extra[0]] if extra else []) + [c.header for c in PDF_COLUMNS]
    data: list[list[Any]] = [[_p(h, cell) for h in head]]
    for r in rows:
        label = "\u3000" * r.depth + r.label
        lead = [_p(label, cell)] + ([extra[1](r)] if extra else [])
        data.append(lead + [_fmt(value(r.counts, c), c.rate) for c in PDF_COLUMNS])
    first_w = 70 * mm
    widths = [first_w] + ([22 * mm] if extra else []) + [24 * mm] * len(PDF_COLUMNS)
    return _table(data, widths)


def _legend(x: float, y: float, pairs: list[tuple[Any, str]]) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = FONT, 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 90
    legend.colorNamePairs = pairs
    return legend


def trend_chart(report: MonthlyReport) -> Drawing:
    """Found and closed per month, last twelve months."""
    d = Drawing(250 * mm, 70 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 15 * mm, 12 * mm
    chart.width, chart.height = 225 * mm, 48 * mm
    chart.data = [
        [r.counts.found for r in report.trend] or [0],
        [r.counts.closed_in_period for r in report.trend] or [0],
    ]
    chart.categoryAxis.categoryNames = [r.label for r in report.trend] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor, chart.bars[1].fillColor = FOUND, CLOSED
    d.add(chart)
    d.add(
        String(
            15 * mm, 64 * mm, "近12个月隐患发现与销号 Found and closed", fontName=FONT, fontSize=10
        )
    )
    d.add(_legend(240 * mm, 66 * mm, [(FOUND, "发现 Found"), (CLOSED, "销号 Closed")]))
    return d


def area_chart(report: MonthlyReport) -> Drawing | None:
    """Found and overdue per grid (the grids with the most found)."""
    rows = [r for r in report.stats.by_area if r.level == "grid" and r.counts.found]
    rows = sorted(rows, key=lambda r: (-r.counts.found, r.code or ""))[:AREA_BARS]
    if not rows:
        return None
    rows.reverse()  # the largest at the top
    height = max(40.0, 9.0 * len(rows) + 20) * mm
    d = Drawing(250 * mm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 45 * mm, 10 * mm
    chart.width, chart.height = 190 * mm, height - 22 * mm
    chart.data = [[r.counts.found for r in rows], [r.counts.overdue for r in rows]]
    chart.categoryAxis.categoryNames = [r.label for r in rows]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor, chart.bars[1].fillColor = FOUND, OVERDUE
    d.add(chart)
    title = "各网格隐患发现与逾期 Found and overdue per grid"
    d.add(String(45 * mm, height - 8 * mm, title, fontName=FONT, fontSize=10))
    d.add(_legend(240 * mm, height - 6 * mm, [(FOUND, "发现 Found"), (OVERDUE, "逾期 Overdue")]))
    return d


def render(report: MonthlyReport) -> bytes:
    st = _styles()
    cell = st["cell"]
    local = report.generated_at.astimezone(ZoneInfo(report.tz))
    p = report.period
    story: list[Flowable] = [
        _p(report.title, st["title"]),
        _p(
            f"统计期 Period {p.since.isoformat()} – {p.until.isoformat()}；"
            f"逾期判定日 Overdue as of {p.ref_day.isoformat()}；"
            f"生成 Generated {local:%Y-%m-%d %H:%M}",
            st["sub"],
        ),
        Spacer(1, 4 * mm),
        _p("一、概况 Summary", st["h2"]),
    ]
    summary = report.summary()
    half = (len(summary) + 1) // 2
    data: list[list[Any]] = [["指标 Figure", "数值 Value", "指标 Figure", "数值 Value"]]
    for i in range(half):
        left = summary[i]
        right = summary[half + i] if half + i < len(summary) else ("", None, False)
        data.append(
            [
                left[0],
                _fmt(left[1], left[2]),
                right[0],
                _fmt(right[1], right[2]) if right[0] else "",
            ]
        )
    story += [_table(data, [95 * mm, 28 * mm, 95 * mm, 28 * mm]), Spacer(1, 4 * mm)]
    story.append(trend_chart(report))

    story += [PageBreak(), _p("二、按区域 By area", st["h2"])]
    story.append(_breakdown(report.stats.by_area, "区域 Area", cell))
    chart = area_chart(report)
    if chart is not None:
        story += [Spacer(1, 4 * mm), chart]

    scores = {s.id: s.score for s in report.scores.enterprises} if report.scores is not None else {}
    story += [PageBreak(), _p("三、按企业 By enterprise", st["h2"])]
    story.append(
        _breakdown(
            report.stats.by_enterprise,
            "企业 Enterprise",
            cell,
            extra=("安全指数 Score", lambda r: _fmt(scores.get(r.key))),
        )
    )
    story += [Spacer(1, 4 * mm), _p("四、按类别 By category", st["h2"])]
    story.append(_breakdown(report.stats.by_category, "类别 Category", cell))
    story += [Spacer(1, 4 * mm), _p("五、按来源 By source", st["h2"])]
    story.append(_breakdown(report.stats.by_source, "来源 Source", cell))

    story += [
        PageBreak(),
        _p(f"六、逾期隐患 Overdue hazards（{len(report.overdue)} 项）", st["h2"]),
    ]
    head = ["编号 Code", "隐患 Hazard", "级别", "责任企业 Enterprise", "网格 Area"]
    head += ["期限 Deadline", "逾期天数 Days", "状态 Status"]
    rows: list[list[Any]] = [[_p(h, cell) for h in head]]
    for o in report.overdue[:OVERDUE_ROWS]:
        rows.append(
            [
                o.code,
                _p(o.title, cell),
                o.grade,
                _p(o.enterprise, cell),
                _p(o.area, cell),
                o.deadline.isoformat(),
                str(o.days_overdue),
                o.status,
            ]
        )
    widths = [30 * mm, 60 * mm, 20 * mm, 55 * mm, 30 * mm, 24 * mm, 20 * mm, 22 * mm]
    story.append(_table(rows, widths))
    if len(report.overdue) > OVERDUE_ROWS:
        more = len(report.overdue) - OVERDUE_ROWS
        story.append(_p(f"另有 {more} 项见 XLSX 报表 / {more} more in the XLSX.", st["note"]))

    return build(story, title=report.title)


def build(story: list[Any], *, title: str, page: tuple[float, float] = PAGE) -> bytes:
    """The PDF of a report's flowables: 12 mm margins, the page number at the foot."""
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
        author="GasWarden",
    )

    def footer(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawRightString(page[0] - 12 * mm, 7 * mm, f"第 {canvas.getPageNumber()} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
