"""Where all cylinders are now: by status, station and area; the overdue ones still with users
(read on the partial expression index ix_cylinder_user_recover_by); codes seen that name no
registered cylinder."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.domains.area.models import Area
from gaswarden.domains.cylinder import refs
from gaswarden.domains.cylinder.enums import (
    AnomalyKind,
    CylinderStatus,
)
from gaswarden.domains.cylinder.models import Cylinder, CylinderAnomaly
from gaswarden.domains.cylinder.scope import anomaly_scope, cylinder_scope
from gaswarden.domains.cylinder.tracing import aware
from gaswarden.domains.cylinder.tracing_schemas import (
    Count,
    OverduePage,
    OverdueRow,
    UnknownCode,
    Whereabouts,
)
from gaswarden.domains.site.models import Site


# ---- where are all cylinders now ---------------------------------------------------------------
def whereabouts(*, session: Session, principal: Principal, lang: str = "zh") -> Whereabouts:
    """Counts of the caller's cylinders by status, by the station holding them, by area."""
    scope = cylinder_scope(principal)
    by_status = dict(
        session.execute(
            select(Cylinder.status, func.count()).where(scope).group_by(Cylinder.status)
        ).all()
    )
    stations = session.execute(
        select(Site.id, Site.name, func.count(Cylinder.id))
        .join(Site, Site.id == Cylinder.site_id)
        .where(scope)
        .group_by(Site.id, Site.name)
        .order_by(func.count(Cylinder.id).desc(), Site.name)
    ).all()
    areas = session.execute(
        select(Cylinder.area_id, Area.name, func.count(Cylinder.id))
        .outerjoin(Area, Area.id == Cylinder.area_id)
        .where(scope)
        .group_by(Cylinder.area_id, Area.name)
        .order_by(func.count(Cylinder.id).desc())
    ).all()
    none = "未定位" if lang == "zh" else "Not placed"
    return Whereabouts(
        total=sum(by_status.values()),
        by_status=[
            Count(key=s.value, label=s.label(lang), count=by_status.get(s, 0))
            for s in CylinderStatus
        ],
        by_station=[Count(key=str(i), label=n, count=c) for i, n, c in stations],
        by_area=[
            Count(key=str(i) if i is not None else None, label=n or none, count=c)
            for i, n, c in areas
        ],
    )


def recover_by() -> ColumnElement[date]:
    """The earlier of the next inspection and the end of life: the expression the partial
    index ix_cylinder_user_recover_by holds (models.RECOVER_BY)."""
    return case(
        (Cylinder.next_inspection_on < Cylinder.life_ends_on, Cylinder.next_inspection_on),
        else_=Cylinder.life_ends_on,
    )


def overdue_condition(today: date) -> ColumnElement[bool]:
    return and_(Cylinder.status == CylinderStatus.WITH_USER, recover_by() < today)


def overdue_with_users(
    *,
    session: Session,
    principal: Principal,
    today: date,
    page: int = 1,
    size: int = 50,
) -> OverduePage:
    """Cylinders with a user although their inspection is overdue or their life is over:
    they must be recovered. Most overdue first."""
    page, size = max(page, 1), min(max(size, 1), 500)
    where = (overdue_condition(today), cylinder_scope(principal))
    total = session.scalar(select(func.count()).select_from(Cylinder).where(*where)) or 0
    rows = list(
        session.scalars(
            select(Cylinder)
            .where(*where)
            .order_by(recover_by(), Cylinder.id)
            .offset((page - 1) * size)
            .limit(size)
        )
    )
    names = refs.load(session, principal, customers=(c.customer_id for c in rows))
    return OverduePage(
        items=[
            OverdueRow(
                cylinder=refs.cylinder_ref(c),
                next_inspection_on=c.next_inspection_on,
                life_ends_on=c.life_ends_on,
                inspection_overdue=c.next_inspection_on < today,
                life_expired=c.life_ends_on < today,
                customer=names.customer(c.customer_id),
                since=c.last_event_at,
            )
            for c in rows
        ],
        total=total,
        page=page,
        size=size,
        today=today,
    )


def unknown_codes(*, session: Session, principal: Principal, limit: int = 200) -> list[UnknownCode]:
    """Codes scanned that name no registered cylinder (or another's), newest first."""
    stmt = (
        select(
            CylinderAnomaly.tag_code,
            func.count(),
            func.min(CylinderAnomaly.found_at),
            func.max(CylinderAnomaly.found_at),
            func.sum(case((CylinderAnomaly.reviewed.is_(False), 1), else_=0)),
        )
        .where(CylinderAnomaly.kind == AnomalyKind.UNKNOWN_CODE, anomaly_scope(principal))
        .group_by(CylinderAnomaly.tag_code)
        .order_by(func.max(CylinderAnomaly.found_at).desc())
        .limit(limit)
    )
    out = []
    for code, count, first, last, open_ in session.execute(stmt):
        out.append(
            UnknownCode(
                tag_code=code or "",
                count=count,
                first_seen=aware(first),
                last_seen=aware(last),
                open=int(open_ or 0),
            )
        )
    return out
