"""Today's figures on the cockpit, in the caller's scope: one cheap set of aggregate queries
(counts and sums, each a single statement over indexed columns), so the page's first paint
does not wait for anything heavy; the map and the score trends load afterwards.

"Today", "this month" and "this year" are local calendar periods (Asia/Shanghai by default).
Response times are the alarm's measured `ack_s` / `on_site_s` (seconds from opening),
averaged over today's alarms that have them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from gaswarden.cockpit.scope import conversion_scope, incident_scope, request_scope
from gaswarden.core.auth import Principal
from gaswarden.core.localtime import DEFAULT_TZ
from gaswarden.domains.alarm.enums import OPEN_STAGES
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.alarm.scope import alarm_scope
from gaswarden.domains.conversion.enums import ConversionStatus
from gaswarden.domains.conversion.models import ConversionApplication
from gaswarden.domains.cylinder.enums import EventKind, EventResult
from gaswarden.domains.cylinder.models import CylinderEvent
from gaswarden.domains.cylinder.scope import event_scope
from gaswarden.domains.device.enums import DeviceStatus
from gaswarden.domains.device.models import Device
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.emergency.enums import IncidentStatus
from gaswarden.domains.emergency.models import Incident
from gaswarden.domains.hazard.enums import OPEN_STATUSES
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.hazard.scope import hazard_scope
from gaswarden.domains.service.enums import RequestStatus
from gaswarden.domains.service.models import ServiceRequest
from gaswarden.domains.telemetry.models import DeviceHealth
from gaswarden.domains.telemetry.service import is_online
from gaswarden.rules.grades import Grade
from gaswarden.standards.hazards import HazardGrade

TAKEN = (EventResult.ACCEPTED, EventResult.ANOMALY)  # scans that count (not refused)
IN_PROGRESS = tuple(s for s in ConversionStatus if s.in_progress)
OPEN_REQUESTS = tuple(s for s in RequestStatus if s.is_open)


@dataclass(frozen=True)
class Clock:
    """The local day the figures are for, and its boundaries as UTC instants."""

    now: datetime
    tz: str = DEFAULT_TZ

    @property
    def today(self) -> date:
        return self.now.astimezone(ZoneInfo(self.tz)).date()

    def instant(self, day: date) -> datetime:
        return datetime.combine(day, time.min, ZoneInfo(self.tz)).astimezone(UTC)

    @property
    def day_start(self) -> datetime:
        return self.instant(self.today)

    @property
    def day_end(self) -> datetime:
        return self.instant(self.today + timedelta(days=1))

    @property
    def month_start(self) -> datetime:
        return self.instant(self.today.replace(day=1))

    @property
    def year_start(self) -> datetime:
        return self.instant(self.today.replace(month=1, day=1))


@dataclass
class AlarmFigures:
    today: dict[str, int] = field(default_factory=dict)  # raised today, per grade
    open: dict[str, int] = field(default_factory=dict)  # not yet resolved, per grade
    total_today: int = 0
    open_total: int = 0
    acked_today: int = 0
    on_site_today: int = 0
    avg_ack_s: float | None = None
    avg_on_site_s: float | None = None
    ack_overdue_today: int = 0


@dataclass
class Figures:
    day: date
    generated_at: datetime
    devices: int = 0
    online: int = 0
    alarms: AlarmFigures = field(default_factory=AlarmFigures)
    hazards_open: int = 0
    hazards_overdue: int = 0
    hazards_major_open: int = 0
    hazards_closed_month: int = 0
    cylinders_filled_today: int = 0
    cylinders_delivered_today: int = 0
    conversions_connected_year: int = 0
    conversions_in_progress: int = 0
    requests_open: int = 0
    requests_overdue: int = 0
    incidents_open: int = 0
    incidents_today: int = 0

    @property
    def online_rate(self) -> float | None:
        return round(self.online / self.devices, 4) if self.devices else None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["day"] = self.day.isoformat()
        out["generated_at"] = self.generated_at.isoformat()
        out["online_rate"] = self.online_rate
        return out


def _n(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _ints(session: Session, stmt: Any) -> list[int]:
    return [int(v or 0) for v in session.execute(stmt).one()]


def device_counts(session: Session, principal: Principal, now: datetime) -> tuple[int, int]:
    """Devices in use and those online now (telemetry's rule: a message within three
    reporting intervals, at least five minutes)."""
    rows = session.execute(
        select(Device.report_interval_s, DeviceHealth)
        .select_from(Device)
        .outerjoin(DeviceHealth, DeviceHealth.device_id == Device.id)
        .where(devices.scope(principal), Device.status == DeviceStatus.ACTIVE)
    ).all()
    online = sum(1 for interval, health in rows if is_online(health, interval, now))
    return len(rows), online


def alarm_figures(session: Session, principal: Principal, clock: Clock) -> AlarmFigures:
    a = Alarm
    today = (a.raised_at >= clock.day_start, a.raised_at < clock.day_end)
    out = AlarmFigures(today={g.value: 0 for g in Grade}, open={g.value: 0 for g in Grade})
    stmt = (
        select(
            a.grade,
            func.count(),
            func.count(a.ack_s),
            func.count(a.on_site_s),
            func.sum(a.ack_s),
            func.sum(a.on_site_s),
            _n(a.ack_overdue.is_(True)),
        )
        .where(alarm_scope(principal), *today)
        .group_by(a.grade)
    )
    ack_sum = on_site_sum = 0.0
    for grade, n, n_ack, n_site, s_ack, s_site, overdue in session.execute(stmt):
        out.today[grade.value] = int(n)
        out.total_today += int(n)
        out.acked_today += int(n_ack)
        out.on_site_today += int(n_site)
        ack_sum += float(s_ack or 0)
        on_site_sum += float(s_site or 0)
        out.ack_overdue_today += int(overdue)
    out.avg_ack_s = round(ack_sum / out.acked_today, 1) if out.acked_today else None
    out.avg_on_site_s = round(on_site_sum / out.on_site_today, 1) if out.on_site_today else None
    open_now = (
        select(a.grade, func.count())
        .where(alarm_scope(principal), a.stage.in_(sorted(OPEN_STAGES)))
        .group_by(a.grade)
    )
    for grade, n in session.execute(open_now):
        out.open[grade.value] = int(n)
        out.open_total += int(n)
    return out


def compute(
    *, session: Session, principal: Principal, now: datetime | None = None, tz: str = DEFAULT_TZ
) -> Figures:
    """Today's figures in the caller's scope (see the module docstring)."""
    clock = Clock(now=now or datetime.now(UTC), tz=tz)
    figures = Figures(day=clock.today, generated_at=clock.now)
    figures.devices, figures.online = device_counts(session, principal, clock.now)
    figures.alarms = alarm_figures(session, principal, clock)

    h = Hazard
    is_open = h.status.in_(sorted(OPEN_STATUSES))
    row = _ints(
        session,
        select(
            _n(is_open),
            _n(is_open & (h.deadline < clock.today)),
            _n(is_open & (h.grade == HazardGrade.MAJOR)),
            _n((h.closed_at >= clock.month_start) & (h.closed_at < clock.day_end)),
        ).where(hazard_scope(principal)),
    )
    (
        figures.hazards_open,
        figures.hazards_overdue,
        figures.hazards_major_open,
        figures.hazards_closed_month,
    ) = row

    e = CylinderEvent
    row = _ints(
        session,
        select(_n(e.kind == EventKind.FILL), _n(e.kind == EventKind.DELIVER)).where(
            event_scope(principal),
            e.occurred_at >= clock.day_start,
            e.occurred_at < clock.day_end,
            e.kind.in_((EventKind.FILL, EventKind.DELIVER)),
            e.result.in_(TAKEN),
        ),
    )
    figures.cylinders_filled_today, figures.cylinders_delivered_today = row

    c = ConversionApplication
    row = _ints(
        session,
        select(
            _n((c.connected_at >= clock.year_start) & (c.connected_at < clock.day_end)),
            _n(c.status.in_(IN_PROGRESS)),
        ).where(conversion_scope(principal)),
    )
    figures.conversions_connected_year, figures.conversions_in_progress = row

    r = ServiceRequest
    open_request = r.status.in_(OPEN_REQUESTS)
    row = _ints(
        session,
        select(_n(open_request), _n(open_request & (r.resolve_due_at < clock.now))).where(
            request_scope(principal)
        ),
    )
    figures.requests_open, figures.requests_overdue = row

    i = Incident
    row = _ints(
        session,
        select(
            _n(i.status != IncidentStatus.CLOSED),
            _n((i.reported_at >= clock.day_start) & (i.reported_at < clock.day_end)),
        ).where(incident_scope(principal), i.drill.is_(False)),
    )
    figures.incidents_open, figures.incidents_today = row
    return figures
