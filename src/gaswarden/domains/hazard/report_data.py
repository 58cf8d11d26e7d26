"""The figures of the monthly hazard report (隐患排查治理月报), per area or for the whole
district, in the caller's scope; report_xlsx and report_pdf lay them out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.db.base import utcnow
from gaswarden.domains.hazard import score, stats
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.hazard.stats import Counts, Period, Row, Stats

TREND_MONTHS = 12  # the trend chart: this month and the eleven before it
OVERDUE_LIMIT = 1000  # rows in the overdue list (the count above it stays exact)


@dataclass
class OverdueRow:
    code: str
    title: str
    grade: str
    category: str
    enterprise: str
    site: str
    area: str
    found_on: date
    deadline: date
    days_overdue: int
    status: str
    escalation_level: int


@dataclass
class MonthlyReport:
    month: str  # YYYY-MM
    title: str
    scope_name: str  # the area's name, or 全区 / the caller's scope
    area_code: str | None
    generated_at: datetime
    tz: str
    stats: Stats
    trend: list[Row] = field(default_factory=list)
    overdue: list[OverdueRow] = field(default_factory=list)
    scores: score.Scores | None = None

    @property
    def period(self) -> Period:
        return self.stats.period

    @property
    def totals(self) -> Counts:
        return self.stats.totals

    @property
    def month_zh(self) -> str:
        year, mon = self.month.split("-")
        return f"{year}年{int(mon)}月"

    def filename(self, fmt: str) -> str:
        """An ASCII file name: hazard-report-2026-10-371502001.xlsx."""
        return f"hazard-report-{self.month}-{self.area_code or 'all'}.{fmt}"

    def filename_zh(self, fmt: str) -> str:
        return f"{self.scope_name}隐患月报-{self.month}.{fmt}"

    def summary(self) -> list[tuple[str, int | float | None, bool]]:
        """The headline figures as (label, value, is_rate) in the order both layouts show."""
        t = self.totals
        st = self.stats
        return [
            ("本月发现隐患 Hazards found", t.found, False),
            ("其中重大隐患 Major", t.major, False),
            ("其中一般隐患 General", t.general, False),
            ("其中企业自查发现 Found by enterprises themselves", t.self_found, False),
            ("已整改销号 Rectified and closed", t.closed, False),
            ("未整改 Still open", t.open, False),
            ("整改率 Rectification rate", t.rectification_rate, True),
            ("按期整改率 On-time rate", t.on_time_rate, True),
            ("平均整改天数 Average days to close", t.avg_days_to_close, False),
            ("重复出现隐患 Recurring", t.recurring, False),
            ("本月销号(含往月发现) Closed this month", t.closed_in_period, False),
            ("月末未销号隐患 Open at month end", t.open_total, False),
            ("月末逾期隐患 Overdue at month end", t.overdue, False),
            ("计划检查任务 Inspection tasks due", t.planned, False),
            ("已完成 Done", t.done, False),
            ("检查完成率 Completion rate", t.completion_rate, True),
            ("逾期完成 Done late", t.late, False),
            ("逾期未检 Overdue tasks", t.tasks_overdue, False),
            ("实施检查 Inspections carried out", st.inspections, False),
            ("其中企业自查 Of them self-inspections", st.inspections_self, False),
            ("完善企业制度 Enterprise systems improved", st.systems_improved, False),
        ]


@dataclass(frozen=True)
class Column:
    header: str
    field: str  # a Counts attribute or property
    rate: bool = False


# The figures of every breakdown table (area, enterprise, category, source), in order.
COLUMNS: tuple[Column, ...] = (
    Column("发现 Found", "found"),
    Column("重大 Major", "major"),
    Column("一般 General", "general"),
    Column("已销号 Closed", "closed"),
    Column("未整改 Open", "open"),
    Column("整改率 Rate", "rectification_rate", True),
    Column("按期率 On time", "on_time_rate", True),
    Column("平均天数 Avg days", "avg_days_to_close"),
    Column("重复 Recurring", "recurring"),
    Column("月末未销号 Open at end", "open_total"),
    Column("逾期 Overdue", "overdue"),
    Column("计划检查 Tasks due", "planned"),
    Column("完成 Done", "done"),
    Column("完成率 Completion", "completion_rate", True),
)
# The PDF's narrower tables.
PDF_COLUMNS: tuple[Column, ...] = tuple(
    c
    for c in COLUMNS
    if c.field
    in ("found", "major", "closed", "open", "rectification_rate", "overdue", "completion_rate")
)


def value(counts: Counts, column: Column) -> int | float | None:
    v: int | float | None = getattr(counts, column.field)
    return v


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def gather(
    *,
    session: Session,
    principal: Principal,
    month: str,
    area_id: int | None = None,
    area_code: str | None = None,
    tz: str = stats.DEFAULT_TZ,
    now: datetime | None = None,
) -> MonthlyReport:
    """Everything the monthly report shows for `month` (YYYY-MM)."""
    now = now or utcnow()
    period = Period.month(month, tz=tz, now=now)
    figures = stats.compute(
        session=session,
        principal=principal,
        period=period,
        area_id=area_id,
        area_code=area_code,
        months=False,
    )
    where = stats.Where(principal=principal, area=figures.area)
    trend: list[Row] = []
    first = period.since
    for _ in range(TREND_MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    for p in Period.of(first, period.until, tz=tz, now=now).months():
        label = p.since.strftime("%Y-%m")
        trend.append(Row(key=label, label=label, counts=stats.totals(session, p, where)))
    scope_name = _scope_name(principal, figures)
    return MonthlyReport(
        month=period.since.strftime("%Y-%m"),
        title=f"{scope_name}燃气安全隐患排查治理月报（{_month_zh(period.since)}）",
        scope_name=scope_name,
        area_code=figures.area.code if figures.area is not None else None,
        generated_at=now,
        tz=tz,
        stats=figures,
        trend=trend,
        overdue=overdue_list(session, period, where),
        scores=score.daily(
            session=session,
            principal=principal,
            day=period.ref_day,
            tz=tz,
            area_id=figures.area.id if figures.area is not None else None,
        )
        if period.ref_day >= period.since
        else None,
    )


def _month_zh(first: date) -> str:
    return f"{first.year}年{first.month}月"


def _scope_name(principal: Principal, figures: Stats) -> str:
    if figures.area is not None:
        return figures.area.name
    if principal.scope_kind in (ScopeKind.ALL, ScopeKind.AREA) and principal.is_regulator:
        return "全区"
    return f"{principal.display_name}可见范围"


def overdue_list(session: Session, period: Period, where: stats.Where) -> list[OverdueRow]:
    """Hazards open at the period's end and past their deadline on its reference day."""
    h = Hazard
    stmt = (
        select(h)
        .where(
            where.hazards(),
            h.found_at < period.end,
            or_(h.closed_at.is_(None), h.closed_at >= period.end),
            h.deadline < period.ref_day,
        )
        .order_by(h.deadline, h.id)
        .limit(OVERDUE_LIMIT)
    )
    zone = ZoneInfo(period.tz)
    rows = []
    for hz in session.scalars(stmt).unique():
        rows.append(
            OverdueRow(
                code=hz.code,
                title=hz.title,
                grade=hz.grade.zh,
                category=hz.category,
                enterprise=hz.owner_name or stats.NO_OWNER,
                site=hz.site_name or (hz.address or ""),
                area=hz.area_name or "",
                found_on=hz.found_at.astimezone(zone).date(),
                deadline=hz.deadline,
                days_overdue=(period.ref_day - hz.deadline).days,
                status=hz.status.zh,
                escalation_level=hz.escalation_level,
            )
        )
    return rows


MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def render(report: MonthlyReport, fmt: str) -> bytes:
    """The report as `fmt` ("xlsx" or "pdf")."""
    from gaswarden.core.errors import Invalid
    from gaswarden.domains.hazard import report_pdf, report_xlsx

    if fmt == "xlsx":
        return report_xlsx.render(report)
    if fmt == "pdf":
        return report_pdf.render(report)
    raise Invalid(
        f"format: {fmt!r} is not xlsx or pdf",
        errors=[{"loc": ["query", "format"], "msg": "xlsx or pdf"}],
    )
