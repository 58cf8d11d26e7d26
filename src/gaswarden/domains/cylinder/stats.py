"""Cylinder statistics, in the caller's scope: cylinders filled per day (the last 30 days),
deliveries per supply station, overdue cylinders (inspection overdue, life expired; with users
or still with the enterprise) and real-name coverage (deliveries to registered customers among
delivery attempts; customers with a verified ID number among customers)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session, aliased

from gaswarden.core.auth import Principal
from gaswarden.domains.customer.models import Customer
from gaswarden.domains.customer.scope import customer_scope
from gaswarden.domains.cylinder.enums import CylinderStatus, EventKind, EventResult
from gaswarden.domains.cylinder.models import Cylinder, CylinderEvent
from gaswarden.domains.cylinder.scope import cylinder_scope, event_scope
from gaswarden.domains.site.models import Site

DAYS = 30
TAKEN = (EventResult.ACCEPTED, EventResult.ANOMALY)
OUT_OF_SERVICE = (CylinderStatus.SCRAPPED, CylinderStatus.LOST)


class DayCount(BaseModel):
    day: date
    count: int


class StationCount(BaseModel):
    site_id: int | None
    name: str
    deliveries: int


class Overdue(BaseModel):
    inspection_with_users: int
    inspection_in_stock: int  # with the enterprise: in stock, in transit, at a station ...
    life_with_users: int
    life_in_stock: int


class Coverage(BaseModel):
    delivery_attempts: int
    to_registered: int  # attempts naming a registered customer
    delivered: int  # accepted deliveries
    delivery_share: float | None
    customers: int  # active customers
    verified: int  # with a checked (GB 11643) ID number on record
    verified_share: float | None


class CylinderStats(BaseModel):
    since: date
    until: date
    filled_per_day: list[DayCount]
    filled_total: int
    deliveries_per_station: list[StationCount]
    deliveries_total: int
    overdue: Overdue
    coverage: Coverage


def _window(today: date, tz: str) -> tuple[date, datetime, datetime]:
    since = today - timedelta(days=DAYS - 1)
    zone = ZoneInfo(tz)
    start = datetime.combine(since, time.min, zone).astimezone(UTC)
    end = datetime.combine(today + timedelta(days=1), time.min, zone).astimezone(UTC)
    return since, start, end


def _local_day(session: Session, column: Any, tz: str, at: datetime) -> ColumnElement[Any]:
    """The local calendar day of a UTC timestamp column, computed by the database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(tz, column))
    offset = ZoneInfo(tz).utcoffset(at.replace(tzinfo=None)) or timedelta(0)
    return func.date(column, f"{int(offset.total_seconds()):+d} seconds")


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def compute(*, session: Session, principal: Principal, today: date, tz: str) -> CylinderStats:
    since, start, end = _window(today, tz)
    scope = event_scope(principal)
    in_window = (CylinderEvent.occurred_at >= start, CylinderEvent.occurred_at < end)

    day = _local_day(session, CylinderEvent.occurred_at, tz, end)
    counted: dict[Any, int] = dict(
        session.execute(
            select(day, func.count())
            .where(
                scope,
                *in_window,
                CylinderEvent.kind == EventKind.FILL,
                CylinderEvent.result.in_(TAKEN),
            )
            .group_by(day)
        ).all()
    )
    by_day = {
        (d if isinstance(d, date) else date.fromisoformat(str(d))): n for d, n in counted.items()
    }
    filled = [
        DayCount(day=since + timedelta(days=i), count=by_day.get(since + timedelta(days=i), 0))
        for i in range(DAYS)
    ]

    # A delivery scanned without a station counts for the supply station its gas arrived at.
    arrive = aliased(CylinderEvent)
    arrived_at = (
        select(arrive.site_id)
        .where(
            arrive.fill_event_id == CylinderEvent.fill_event_id,
            arrive.kind == EventKind.ARRIVE,
            arrive.result.in_(TAKEN),
        )
        .order_by(arrive.occurred_at.desc())
        .limit(1)
        .correlate(CylinderEvent)
        .scalar_subquery()
    )
    station = func.coalesce(CylinderEvent.site_id, arrived_at)
    counts = session.execute(
        select(station, func.count())
        .where(
            scope,
            *in_window,
            CylinderEvent.kind == EventKind.DELIVER,
            CylinderEvent.result.in_(TAKEN),
        )
        .group_by(station)
    ).all()
    site_names = dict(
        session.execute(
            select(Site.id, Site.name).where(Site.id.in_([s for s, _ in counts if s is not None]))
        ).all()
    )
    per_station = sorted(
        (
            StationCount(site_id=sid, name=site_names.get(sid, "—"), deliveries=n)
            for sid, n in counts
        ),
        key=lambda s: (-s.deliveries, s.name),
    )

    cyl = cylinder_scope(principal)
    with_user = Cylinder.status == CylinderStatus.WITH_USER
    in_stock = Cylinder.status.not_in((CylinderStatus.WITH_USER, *OUT_OF_SERVICE))

    def n(*where: ColumnElement[bool]) -> int:
        return session.scalar(select(func.count()).select_from(Cylinder).where(cyl, *where)) or 0

    due = Cylinder.next_inspection_on < today
    life = Cylinder.life_ends_on < today
    overdue = Overdue(
        inspection_with_users=n(with_user, due),
        inspection_in_stock=n(in_stock, due),
        life_with_users=n(with_user, life),
        life_in_stock=n(in_stock, life),
    )

    attempts, registered, delivered = session.execute(
        select(
            func.count(),
            func.sum(case((CylinderEvent.customer_id.is_not(None), 1), else_=0)),
            func.sum(case((CylinderEvent.result.in_(TAKEN), 1), else_=0)),
        ).where(scope, *in_window, CylinderEvent.kind == EventKind.DELIVER)
    ).one()
    customers, verified = session.execute(
        select(
            func.count(),
            func.sum(case((Customer.id_number.is_not(None), 1), else_=0)),
        ).where(customer_scope(principal), Customer.active.is_(True))
    ).one()
    attempts, registered, delivered = attempts or 0, int(registered or 0), int(delivered or 0)
    customers, verified = customers or 0, int(verified or 0)
    return CylinderStats(
        since=since,
        until=today,
        filled_per_day=filled,
        filled_total=sum(d.count for d in filled),
        deliveries_per_station=per_station,
        deliveries_total=sum(s.deliveries for s in per_station),
        overdue=overdue,
        coverage=Coverage(
            delivery_attempts=attempts,
            to_registered=registered,
            delivered=delivered,
            delivery_share=_share(registered, attempts),
            customers=customers,
            verified=verified,
            verified_share=_share(verified, customers),
        ),
    )
