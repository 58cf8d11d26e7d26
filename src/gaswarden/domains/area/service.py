from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from gaswarden.core.auth import Action, Principal
from gaswarden.core.crud import CrudService
from gaswarden.core.errors import Invalid
from gaswarden.core.filters import Filter, FilterSet
from gaswarden.domains.area.enums import AreaLevel
from gaswarden.domains.area.models import Area
from gaswarden.domains.area.schemas import AreaCreate, AreaUpdate

PARENT_LEVEL = {
    AreaLevel.DISTRICT: None,
    AreaLevel.TOWN: AreaLevel.DISTRICT,
    AreaLevel.GRID: AreaLevel.TOWN,
}


class AreaService(CrudService[Area]):
    model = Area
    create_schema = AreaCreate
    update_schema = AreaUpdate
    entity = "area"
    zh, en = "行政区划与网格", "Areas and grids"
    write_action = Action.AREA_WRITE
    unique = ("code",)
    filters = FilterSet(
        filters=(
            Filter("level", Area.level, choices=AreaLevel, zh="层级", en="Level"),
            Filter("parent_id", Area.parent_id, type=int, zh="上级", en="Parent"),
        ),
        search=(Area.name, Area.code),
        sort={"code": Area.code, "name": Area.name, "level": Area.level, "path": Area.path},
        default_sort=("path",),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        return true()  # areas and grids are reference data everyone may read

    def references(self) -> dict[str, CrudService[Any]]:
        return {"parent_id": self}

    def audit_place(self, obj: Area) -> tuple[int | None, int | None]:
        # Filed under the parent: the row of a deleted area must stay in its regulator's scope.
        return None, obj.parent_id or obj.id

    def prepare(
        self,
        *,
        session: Session,
        principal: Principal,
        obj: Area,
        data: dict[str, Any],
        creating: bool,
    ) -> None:
        parent = session.get(Area, obj.parent_id) if obj.parent_id else None
        expected = PARENT_LEVEL[obj.level]
        if (parent.level if parent else None) != expected:
            want = expected.en.lower() if expected else "no parent"
            raise Invalid(
                f"a {obj.level.en.lower()} must have {want} as its parent",
                errors=[{"loc": ["body", "parent_id"], "msg": f"parent must be: {want}"}],
            )
        if not creating and "parent_id" in data and parent and parent.path.startswith(obj.path):
            raise Invalid("an area cannot be moved under itself")

    def create(self, **kwargs: Any) -> Area:
        obj = super().create(**kwargs)
        self._set_paths(kwargs["session"], obj)
        return obj

    def update(self, **kwargs: Any) -> Area:
        obj = super().update(**kwargs)
        self._set_paths(kwargs["session"], obj)
        return obj

    def _set_paths(self, session: Session, obj: Area) -> None:
        """Materialise the path of the area and, if it moved, of everything under it."""
        parent_path = session.get(Area, obj.parent_id).path if obj.parent_id else "/"  # type: ignore[union-attr]
        new_path = f"{parent_path}{obj.id}/"
        old_path = obj.path
        if old_path == new_path:
            return
        if old_path:
            for child in session.scalars(select(Area).where(Area.path.startswith(old_path))):
                child.path = new_path + child.path[len(old_path) :]
        obj.path = new_path
        session.flush()


service = AreaService()


def grid_at(session: Session, lon: float, lat: float) -> Area | None:
    """The grid whose boundary contains the point (or, failing that, the town)."""
    from shapely.geometry import Point, shape

    point = Point(lon, lat)
    candidates = session.scalars(
        select(Area).where(Area.boundary.is_not(None), Area.level != AreaLevel.DISTRICT)
    ).all()
    for level in (AreaLevel.GRID, AreaLevel.TOWN):
        for area in candidates:
            if area.level is level and shape(area.boundary).covers(point):
                return area
    return None
