"""Values as the pages show them: enums as coloured badges, references as names with links,
times in the configured zone. Personal data arrives here already masked by the read schemas."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.crud import CrudService
from gaswarden.core.enums import LabeledEnum
from gaswarden.core.errors import NotFound
from gaswarden.core.i18n import field_label, local_time, t
from gaswarden.domains.area.service import service as areas
from gaswarden.web.resources import Resource, path_of

HIDDEN = frozenset({"id", "created_at", "updated_at", "path"})
MULTI_REFS: dict[str, CrudService[Any]] = {"grid_ids": areas}


@dataclass
class Cell:
    text: str = ""
    href: str | None = None
    colour: str | None = None  # shown as a badge of this colour
    muted: bool = False
    items: list[Cell] = field(default_factory=list)  # several values (a user's grids)


class Refs:
    """Names of referenced records, looked up once per page within the caller's scope."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self._cache: dict[tuple[str, int], str | None] = {}

    def prefetch(self, service: CrudService[Any], ref_ids: Iterable[int | None]) -> None:
        """Look up a page's references to one kind at once (one query, not one per row)."""
        wanted = {i for i in ref_ids if i is not None} - {
            i for entity, i in self._cache if entity == service.entity
        }
        if not wanted:
            return
        model = service.model
        stmt = service.visible(self.principal).where(model.id.in_(sorted(wanted)))
        for obj in self.session.scalars(stmt).unique():
            self._cache[(service.entity, obj.id)] = service.label(obj)
        for missing in wanted:  # out of the caller's scope, or gone
            self._cache.setdefault((service.entity, missing), None)

    def name(self, service: CrudService[Any], ref_id: int) -> str | None:
        """The record's label, or None when the caller may not see it."""
        key = (service.entity, ref_id)
        if key not in self._cache:
            try:
                obj = service.get(session=self.session, principal=self.principal, id=ref_id)
                self._cache[key] = service.label(obj)
            except NotFound:
                self._cache[key] = None
        return self._cache[key]

    def cell(self, service: CrudService[Any], ref_id: int, name: str | None = None) -> Cell:
        """A link to the record; its bare number, unlinked, when the caller may not see it
        (a link would only lead to "not found")."""
        path = path_of(service)
        label = self.name(service, ref_id)
        if label is None:
            return Cell(text=name or f"#{ref_id}", muted=name is None)
        return Cell(text=name or label, href=f"/{path}/{ref_id}" if path else None)


def value_cell(value: Any, lang: str, tz: str) -> Cell:
    if value is None or value == "" or value == []:
        return Cell("—", muted=True)
    if isinstance(value, LabeledEnum):
        return Cell(value.label(lang), colour=value.colour)
    if isinstance(value, bool):
        return Cell(t("Yes" if value else "No", lang), colour="green" if value else "grey")
    if isinstance(value, datetime):
        return Cell(local_time(value, tz))
    if isinstance(value, date):
        return Cell(value.isoformat())
    if isinstance(value, float):
        return Cell(f"{value:.6g}")
    if isinstance(value, dict) and "type" in value:
        return Cell(f"{value['type']} · {_count_points(value.get('coordinates'))} pts", muted=True)
    return Cell(str(value))


def _count_points(coords: Any) -> int:
    if isinstance(coords, list | tuple):
        if coords and isinstance(coords[0], int | float):
            return 1
        return sum(_count_points(c) for c in coords)
    return 0


class Presenter:
    """Turns a resource's read models into labelled cells."""

    def __init__(self, resource: Resource, refs: Refs, lang: str, tz: str) -> None:
        self.resource = resource
        self.refs = refs
        self.lang = lang
        self.tz = tz
        self.references = resource.service.references()

    def prefetch(self, items: Sequence[Any], columns: Iterable[str]) -> None:
        """The references a list page shows, looked up once per kind for the whole page."""
        for name in columns:
            if name.endswith("_id") and name in self.references:
                ids = [getattr(item, name, None) for item in items]
                self.refs.prefetch(self.references[name], ids)

    def cell(self, read: BaseModel, name: str) -> Cell:
        value = getattr(read, name, None)
        if name in MULTI_REFS and isinstance(value, list):
            service = MULTI_REFS[name]
            return (
                Cell(items=[self.refs.cell(service, v) for v in value])
                if value
                else Cell("—", muted=True)
            )
        if name.endswith("_id") and value is not None and name in self.references:
            given = getattr(read, name.removesuffix("_id") + "_name", None)
            return self.refs.cell(self.references[name], value, given)
        return value_cell(value, self.lang, self.tz)

    def detail_fields(self) -> list[str]:
        names = list(self.resource.read.model_fields)
        shown = []
        for name in names:
            if name in HIDDEN or self._is_sub_table(name):
                continue
            if name.endswith("_name") and name.removesuffix("_name") + "_id" in names:
                continue  # shown through the x_id field, as a link
            shown.append(name)
        return shown

    def _is_sub_table(self, name: str) -> bool:
        info = self.resource.read.model_fields[name]
        args = getattr(info.annotation, "__args__", ())
        return any(isinstance(a, type) and issubclass(a, BaseModel) for a in args)

    def rows(self, read: BaseModel) -> list[tuple[str, Cell]]:
        return [(field_label(n, self.lang), self.cell(read, n)) for n in self.detail_fields()]

    def sub_tables(self, read: BaseModel) -> list[dict[str, Any]]:
        """Lists of related records inside the read model (a person's certificates)."""
        tables = []
        for name in self.resource.read.model_fields:
            if name in HIDDEN or not self._is_sub_table(name):
                continue
            items = getattr(read, name) or []
            model = self.resource.read.model_fields[name].annotation.__args__[0]  # type: ignore[union-attr]
            cols = [c for c in model.model_fields if c not in HIDDEN and not c.endswith("_id")]
            tables.append(
                {
                    "name": name,
                    "title": field_label(name, self.lang)
                    if name != "certificates"
                    else t("Certificates", self.lang),
                    "headers": [field_label(c, self.lang) for c in cols],
                    "rows": [
                        [value_cell(getattr(i, c), self.lang, self.tz) for c in cols] for i in items
                    ],
                }
            )
        return tables
