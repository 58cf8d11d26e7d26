"""The home page: counts of what the caller can see, each linking to the filtered list."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.crud import CrudService
from gaswarden.core.enums import LabeledEnum
from gaswarden.core.i18n import t
from gaswarden.core.localtime import DEFAULT_TZ
from gaswarden.domains.asset.service import service as assets
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.service import service as sites
from gaswarden.domains.workforce.service import vehicles

EXPIRY_WINDOW_DAYS = 90


def counts_by(
    session: Session, principal: Principal, service: CrudService[Any], column: str
) -> dict[Any, int]:
    col = getattr(service.model, column)
    stmt = service.visible(principal).with_only_columns(col, func.count()).group_by(col)
    return {key: n for key, n in session.execute(stmt)}


def breakdown(
    session: Session,
    principal: Principal,
    service: CrudService[Any],
    column: str,
    path: str,
    title: str,
    lang: str,
) -> dict[str, Any]:
    counts = counts_by(session, principal, service, column)
    enum: type[LabeledEnum] = service.model.__table__.c[column].type.enum_class
    rows = [
        {
            "label": m.label(lang),
            "colour": m.colour,
            "count": counts.get(m, 0),
            "href": f"/{path}?{column}={m.value}",
        }
        for m in enum
        if counts.get(m, 0)
    ]
    return {
        "title": t(title, lang),
        "total": sum(counts.values()),
        "href": f"/{path}",
        "rows": rows,
    }


def expiring(session: Session, principal: Principal, lang: str) -> dict[str, Any]:
    """Licences (sites, organisations, vehicles) that run out within 90 days, and expired ones."""
    today = date.today()
    until = today + timedelta(days=EXPIRY_WINDOW_DAYS)
    rows = []
    expired_total = soon_total = 0
    for service, path, title in (
        (sites, "sites", "Sites"),
        (organizations, "organizations", "Organisations"),
        (vehicles, "vehicles", "Vehicles"),
    ):
        col = service.model.licence_expiry
        base = service.visible(principal).with_only_columns(func.count())
        soon = session.scalar(base.where(col >= today, col <= until)) or 0
        gone = session.scalar(base.where(col < today)) or 0
        soon_total += soon
        expired_total += gone
        if path == "organizations":
            href = f"/{path}"  # the organisation list has no expiry filter
        else:
            href = f"/{path}?licence_expiry_from={today}&licence_expiry_to={until}"
        rows.append({"label": t(title, lang), "count": soon, "expired": gone, "href": href})
    return {"soon": soon_total, "expired": expired_total, "rows": rows, "days": EXPIRY_WINDOW_DAYS}


def hazard_work(session: Session, principal: Principal, lang: str, tz: str) -> dict[str, Any]:
    """The hazard loop at a glance: open hazards, overdue ones, open major ones, and overdue
    inspection tasks, each linking to its filtered list."""
    from gaswarden.domains.hazard.enums import OPEN_STATUSES
    from gaswarden.domains.hazard.models import Hazard
    from gaswarden.domains.hazard.scope import hazard_scope
    from gaswarden.domains.inspection.enums import TaskStatus
    from gaswarden.domains.inspection.models import InspectionTask
    from gaswarden.domains.inspection.tasks import local_today, task_scope
    from gaswarden.standards.hazards import HazardGrade

    def hazards(*where: Any) -> int:
        stmt = select(func.count()).select_from(Hazard).where(hazard_scope(principal), *where)
        return session.scalar(stmt) or 0

    open_ = Hazard.status.in_(sorted(OPEN_STATUSES))
    statuses = "&".join(f"status={s.value}" for s in sorted(OPEN_STATUSES))
    overdue_tasks = session.scalar(
        select(func.count())
        .select_from(InspectionTask)
        .where(
            task_scope(principal),
            InspectionTask.status == TaskStatus.PENDING,
            InspectionTask.due_on < local_today(tz),
        )
    )
    rows = [
        ("Overdue hazards", hazards(open_, Hazard.overdue.is_(True)), "/hazards?overdue=true"),
        (
            "Open major hazards",
            hazards(open_, Hazard.grade == HazardGrade.MAJOR),
            f"/hazards?{statuses}&grade=major",
        ),
        ("Overdue inspection tasks", overdue_tasks or 0, "/inspection-tasks?overdue=true"),
    ]
    return {
        "title": t("Open hazards", lang),
        "total": hazards(open_),
        "href": f"/hazards?{statuses}",
        "rows": [{"label": t(m, lang), "count": n, "href": href} for m, n, href in rows],
    }


def home_counts(
    session: Session, principal: Principal, lang: str, tz: str = DEFAULT_TZ
) -> dict[str, Any]:
    return {
        "work": hazard_work(session, principal, lang, tz),
        "cards": [
            breakdown(session, principal, sites, "kind", "sites", "Sites by kind", lang),
            breakdown(session, principal, devices, "kind", "devices", "Devices by kind", lang),
            breakdown(session, principal, devices, "status", "devices", "Devices by status", lang),
            breakdown(session, principal, assets, "kind", "assets", "Assets by kind", lang),
            breakdown(
                session,
                principal,
                organizations,
                "kind",
                "organizations",
                "Organisations by kind",
                lang,
            ),
        ],
        "licences": expiring(session, principal, lang),
    }
