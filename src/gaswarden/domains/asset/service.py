from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.crud import CrudService
from gaswarden.core.errors import Invalid
from gaswarden.core.filters import Filter, FilterSet
from gaswarden.core.geo import line_length_m, representative_point
from gaswarden.core.scope import located
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.asset.enums import AssetKind, AssetStatus, PipeMaterial
from gaswarden.domains.asset.models import Asset
from gaswarden.domains.asset.schemas import AssetCreate, AssetUpdate
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.models import Site
from gaswarden.domains.site.service import locate
from gaswarden.domains.site.service import service as sites
from gaswarden.standards.pressure import PressureClass, pressure_class_for


def inherit_from_site(session: Session, obj: Any) -> None:
    """A record at a site belongs to the site's owner and grid unless told otherwise."""
    if obj.site_id is None:
        return
    site = session.get(Site, obj.site_id)
    if site is None:
        return
    for field in ("owner_id", "area_id", "lon", "lat", "address"):
        if getattr(obj, field) is None:
            setattr(obj, field, getattr(site, field))


class AssetService(CrudService[Asset]):
    model = Asset
    create_schema = AssetCreate
    update_schema = AssetUpdate
    entity = "asset"
    zh, en = "设施", "Assets"
    unique = ("code",)
    filters = FilterSet(
        filters=(
            Filter("kind", Asset.kind, choices=AssetKind, zh="类型", en="Kind"),
            Filter("status", Asset.status, choices=AssetStatus, zh="状态", en="Status"),
            Filter(
                "pressure_class",
                Asset.pressure_class,
                choices=PressureClass,
                zh="压力级制",
                en="Pressure class",
            ),
            Filter("material", Asset.material, choices=PipeMaterial, zh="管材", en="Material"),
            Filter("owner_id", Asset.owner_id, type=int, zh="所属企业", en="Enterprise"),
            Filter("area_id", Asset.area_id, type=int, zh="网格", en="Grid"),
            Filter("site_id", Asset.site_id, type=int, zh="场站", en="Site"),
        ),
        search=(Asset.name, Asset.code, Asset.address),
        sort={
            "code": Asset.code,
            "name": Asset.name,
            "kind": Asset.kind,
            "install_date": Asset.install_date,
        },
        default_sort=("code",),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        return located(principal, owner=Asset.owner_id, area=Asset.area_id, site=Asset.site_id)

    def references(self) -> dict[str, CrudService[Any]]:
        return {"owner_id": organizations, "area_id": areas, "site_id": sites}

    def prepare(
        self,
        *,
        session: Session,
        principal: Principal,
        obj: Asset,
        data: dict[str, Any],
        creating: bool,
    ) -> None:
        inherit_from_site(session, obj)
        if obj.geometry and obj.lon is None:
            obj.lon, obj.lat = representative_point(obj.geometry)
        locate(session, obj, data)
        geometry = obj.geometry
        is_line = geometry is not None and geometry["type"] != "Point"
        if obj.kind is AssetKind.PIPE_SEGMENT and is_line and "length_m" not in data:
            obj.length_m = round(line_length_m(geometry), 1)  # type: ignore[arg-type]
        design = (
            obj.inlet_design_mpa if obj.kind is AssetKind.REGULATOR else obj.design_pressure_mpa
        )
        inlet, outlet = obj.inlet_design_mpa, obj.outlet_design_mpa
        if obj.kind is AssetKind.REGULATOR and inlet and outlet and outlet > inlet:
            raise Invalid(
                "a regulator's outlet design pressure cannot exceed its inlet's",
                errors=[{"loc": ["body", "outlet_design_mpa"], "msg": "above inlet"}],
            )
        if design is not None:
            derived = pressure_class_for(design)
            if "pressure_class" in data and data["pressure_class"] not in (None, derived):
                raise Invalid(
                    f"{design} MPa is {derived.en} ({derived.zh}) under GB 50028-2006, "
                    f"not {PressureClass(data['pressure_class']).en}",
                    errors=[
                        {"loc": ["body", "pressure_class"], "msg": f"should be {derived.value}"}
                    ],
                )
            obj.pressure_class = derived


service = AssetService()
