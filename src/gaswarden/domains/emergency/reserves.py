"""Equipment and material reserves (应急装备物资): kind, quantity, holder (team or store),
place, expiry and maintenance dates; expired and maintenance-due lines are flagged."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.crud import CrudService
from gaswarden.core.filters import Filter, FilterSet
from gaswarden.domains.emergency.clock import local_today
from gaswarden.domains.emergency.enums import ReserveCategory, ReserveKind
from gaswarden.domains.emergency.models import ReserveItem
from gaswarden.domains.emergency.schemas import ReserveCreate, ReserveRead, ReserveUpdate
from gaswarden.domains.emergency.scope import reserve_scope
from gaswarden.domains.emergency.teams import base_point
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.service import locate
from gaswarden.domains.site.service import service as sites
from gaswarden.domains.workforce.service import teams as team_service
from gaswarden.standards.emergency import EXPIRY_WARNING_DAYS, MAINTENANCE_WARNING_DAYS


def expired(item: ReserveItem, today: date) -> bool:
    return item.expires_on is not None and item.expires_on < today


def expiring(item: ReserveItem, today: date) -> bool:
    """Expires within the warning window (not yet expired)."""
    return item.expires_on is not None and today <= item.expires_on <= today + timedelta(
        days=EXPIRY_WARNING_DAYS
    )


def maintenance_due(item: ReserveItem, today: date) -> bool:
    """Maintenance overdue or due within the warning window."""
    return item.next_maintenance_on is not None and item.next_maintenance_on <= today + timedelta(
        days=MAINTENANCE_WARNING_DAYS
    )


def usable(item: ReserveItem, today: date | None = None) -> bool:
    return item.quantity > 0 and not expired(item, today or local_today())


def reserve_point(item: ReserveItem) -> tuple[float, float] | None:
    """Where the line is held: its own point, its store's, or its team's base."""
    if item.lon is not None and item.lat is not None:
        return item.lon, item.lat
    if item.site is not None and item.site.lon is not None and item.site.lat is not None:
        return item.site.lon, item.site.lat
    if item.team is not None:
        return base_point(item.team)
    return None


def read(item: ReserveItem, today: date) -> ReserveRead:
    out = ReserveRead.model_validate(item)
    return out.model_copy(
        update={"expired": expired(item, today), "maintenance_due": maintenance_due(item, today)}
    )


def flagged_clause(kind: str, today: date) -> ColumnElement[bool]:
    """SQL for the list filters: "expired" or "maintenance" (due within the window)."""
    if kind == "expired":
        return ReserveItem.expires_on < today
    return ReserveItem.next_maintenance_on <= today + timedelta(days=MAINTENANCE_WARNING_DAYS)


class ReserveService(CrudService[ReserveItem]):
    model = ReserveItem
    create_schema = ReserveCreate
    update_schema = ReserveUpdate
    entity = "reserve_item"
    zh, en = "应急装备物资", "Reserves"
    filters = FilterSet(
        filters=(
            Filter(
                "category", ReserveItem.category, choices=ReserveCategory, zh="类别", en="Category"
            ),
            Filter("kind", ReserveItem.kind, choices=ReserveKind, zh="种类", en="Kind"),
            Filter("owner_id", ReserveItem.owner_id, type=int, zh="所属单位", en="Owner"),
            Filter("team_id", ReserveItem.team_id, type=int, zh="队伍", en="Team"),
        ),
        search=(ReserveItem.name, ReserveItem.address, ReserveItem.note),
        sort={
            "name": ReserveItem.name,
            "kind": ReserveItem.kind,
            "expires_on": ReserveItem.expires_on,
            "next_maintenance_on": ReserveItem.next_maintenance_on,
        },
        default_sort=("kind", "name"),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        return reserve_scope(principal)

    def references(self) -> dict[str, CrudService[Any]]:
        return {"owner_id": organizations, "site_id": sites, "team_id": team_service}

    def prepare(
        self,
        *,
        session: Session,
        principal: Principal,
        obj: ReserveItem,
        data: dict[str, Any],
        creating: bool,
    ) -> None:
        """Placed at its store (site) or team base when no point is given; in the grid of its
        point, else its owner's area."""
        if creating and obj.lon is None:
            point = None
            if obj.site_id is not None:
                site = sites.get(session=session, principal=principal, id=obj.site_id)
                point = (site.lon, site.lat) if site.lon is not None else None
                obj.area_id = obj.area_id or site.area_id
                obj.address = obj.address or site.address
            elif obj.team_id is not None:
                point = base_point(
                    team_service.get(session=session, principal=principal, id=obj.team_id)
                )
            if point is not None:
                obj.lon, obj.lat = point
        locate(session, obj, data)
        if obj.area_id is None and obj.owner_id is not None:
            org = session.get(Organization, obj.owner_id)
            obj.area_id = org.area_id if org else None


service = ReserveService()


def totals(*, session: Session, principal: Principal) -> dict[str, Any]:
    """Equipment sets, lines, and the flagged counts in scope."""
    today = local_today()
    scope = reserve_scope(principal)
    sets, lines = session.execute(
        select(func.coalesce(func.sum(ReserveItem.sets), 0), func.count(ReserveItem.id)).where(
            scope
        )
    ).one()
    n_expired = session.scalar(
        select(func.count(ReserveItem.id)).where(scope, flagged_clause("expired", today))
    )
    n_maint = session.scalar(
        select(func.count(ReserveItem.id)).where(scope, flagged_clause("maintenance", today))
    )
    flagged = session.scalar(
        select(func.count(ReserveItem.id)).where(
            scope, or_(flagged_clause("expired", today), flagged_clause("maintenance", today))
        )
    )
    return {
        "sets": int(sets),
        "lines": int(lines),
        "expired": int(n_expired or 0),
        "maintenance_due": int(n_maint or 0),
        "flagged": int(flagged or 0),
    }
