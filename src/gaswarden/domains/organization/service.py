from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, select, true

from gaswarden.core.auth import Action, Principal, ScopeKind
from gaswarden.core.crud import CrudService
from gaswarden.core.filters import Filter, FilterSet
from gaswarden.core.scope import areas_under
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.organization.schemas import OrganizationCreate, OrganizationUpdate


class OrganizationService(CrudService[Organization]):
    model = Organization
    create_schema = OrganizationCreate
    update_schema = OrganizationUpdate
    entity = "organization"
    zh, en = "单位", "Organisations"
    write_action = Action.ORGANIZATION_WRITE
    unique = ("name", "credit_code")
    filters = FilterSet(
        filters=(
            Filter("kind", Organization.kind, choices=OrgKind, zh="类型", en="Kind"),
            Filter("area_id", Organization.area_id, type=int, zh="所在区域", en="Area"),
            Filter("active", Organization.active, op="is", type=bool, zh="有效", en="Active"),
        ),
        search=(Organization.name, Organization.short_name, Organization.credit_code),
        sort={"name": Organization.name, "kind": Organization.kind},
        default_sort=("name",),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        # Imported here: the site domain builds on this one.
        from gaswarden.domains.site.models import Site, SiteAssignment

        kind = principal.scope_kind
        if kind is ScopeKind.ALL:
            return true()
        if kind is ScopeKind.AREA:
            under = areas_under(principal.area_paths)
            owners_here = select(Site.owner_id).where(Site.area_id.in_(under))
            return Organization.area_id.in_(under) | Organization.id.in_(owners_here)
        own: ColumnElement[bool] = false()
        if principal.org_id:
            # An enterprise also sees the agencies it engaged for its sites (第三方巡检委托).
            engaged = (
                select(SiteAssignment.agency_id)
                .join(Site, Site.id == SiteAssignment.site_id)
                .where(Site.owner_id == principal.org_id)
            )
            own = (Organization.id == principal.org_id) | Organization.id.in_(engaged)
        if kind is ScopeKind.SITES and principal.site_ids:
            owners = select(Site.owner_id).where(Site.id.in_(sorted(principal.site_ids)))
            return own | Organization.id.in_(owners)
        return own

    def references(self) -> dict[str, CrudService[Any]]:
        return {"area_id": areas}

    def audit_place(self, obj: Organization) -> tuple[int | None, int | None]:
        return obj.id, obj.area_id


service = OrganizationService()
