from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from gaswarden.core.auth import Action, Principal
from gaswarden.core.crud import CrudService
from gaswarden.core.errors import Invalid
from gaswarden.core.filters import Filter, FilterSet, date_range
from gaswarden.core.scope import located
from gaswarden.domains.area.service import grid_at
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.enums import SiteKind, SiteStatus
from gaswarden.domains.site.models import Site, SiteAssignment
from gaswarden.domains.site.schemas import (
    SiteAssignmentCreate,
    SiteAssignmentUpdate,
    SiteCreate,
    SiteUpdate,
)


def locate(session: Session, obj: Any, data: dict[str, Any]) -> None:
    """Put a record with coordinates but no area into the grid that contains it."""
    if obj.area_id is None and obj.lon is not None and obj.lat is not None:
        grid = grid_at(session, obj.lon, obj.lat)
        if grid is not None:
            obj.area_id = grid.id
    if (obj.lon is None) != (obj.lat is None):
        raise Invalid(
            "give both lon and lat, or neither",
            errors=[{"loc": ["body", "lat" if obj.lat is None else "lon"], "msg": "missing"}],
        )


class SiteService(CrudService[Site]):
    model = Site
    create_schema = SiteCreate
    update_schema = SiteUpdate
    entity = "site"
    zh, en = "场站与用户", "Sites"
    write_action = Action.SITE_WRITE
    unique = ("code",)
    filters = FilterSet(
        filters=(
            Filter("kind", Site.kind, choices=SiteKind, zh="类型", en="Kind"),
            Filter("status", Site.status, choices=SiteStatus, zh="状态", en="Status"),
            Filter("owner_id", Site.owner_id, type=int, zh="所属企业", en="Enterprise"),
            Filter("area_id", Site.area_id, type=int, zh="网格", en="Grid"),
            *date_range("licence_expiry", Site.licence_expiry, "许可证到期", "Licence expiry"),
        ),
        search=(Site.name, Site.code, Site.address, Site.licence_no),
        sort={
            "code": Site.code,
            "name": Site.name,
            "kind": Site.kind,
            "licence_expiry": Site.licence_expiry,
            "created_at": Site.created_at,
        },
        default_sort=("code",),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        return located(principal, owner=Site.owner_id, area=Site.area_id, site=Site.id)

    def references(self) -> dict[str, CrudService[Any]]:
        return {"owner_id": organizations, "area_id": areas}

    def prepare(
        self,
        *,
        session: Session,
        principal: Principal,
        obj: Site,
        data: dict[str, Any],
        creating: bool,
    ) -> None:
        locate(session, obj, data)
        if obj.owner_id is not None:
            owner = session.get(Organization, obj.owner_id)
            if owner is not None and not owner.kind.is_enterprise:
                raise Invalid(
                    f"a site is owned by a gas enterprise, not a {owner.kind.en.lower()}",
                    errors=[{"loc": ["body", "owner_id"], "msg": "must be a gas enterprise"}],
                )


class SiteAssignmentService(CrudService[SiteAssignment]):
    model = SiteAssignment
    create_schema = SiteAssignmentCreate
    update_schema = SiteAssignmentUpdate
    entity = "site_assignment"
    zh, en = "第三方巡检委托", "Agency assignments"
    write_action = Action.ASSIGNMENT_WRITE
    filters = FilterSet(
        filters=(
            Filter("agency_id", SiteAssignment.agency_id, type=int, zh="检查机构", en="Agency"),
            Filter("site_id", SiteAssignment.site_id, type=int, zh="场站", en="Site"),
        ),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        from sqlalchemy import select

        visible_sites = select(Site.id).where(site_service.scope(principal))
        return SiteAssignment.site_id.in_(visible_sites)

    def references(self) -> dict[str, CrudService[Any]]:
        return {"agency_id": organizations, "site_id": site_service}

    def prepare(
        self,
        *,
        session: Session,
        principal: Principal,
        obj: SiteAssignment,
        data: dict[str, Any],
        creating: bool,
    ) -> None:
        agency = session.get(Organization, obj.agency_id)
        if agency is None or agency.kind is not OrgKind.AGENCY:
            raise Invalid(
                "sites are assigned to inspection agencies only",
                errors=[{"loc": ["body", "agency_id"], "msg": "must be an inspection agency"}],
            )

    def audit_place(self, obj: SiteAssignment) -> tuple[int | None, int | None]:
        return obj.agency_id, obj.site.area_id if obj.site else None

    def label(self, obj: SiteAssignment) -> str:
        agency, site = obj.agency, obj.site
        if agency is None or site is None:  # not flushed yet
            return f"{obj.agency_id} -> {obj.site_id}"
        return f"{agency.name} → {site.name}"


service = site_service = SiteService()
assignment_service = SiteAssignmentService()
