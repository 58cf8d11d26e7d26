"""The registry tables that can be imported and exported, and how their columns map to fields.

A table's columns are `id` plus its service's create-schema fields, except that a reference
(`owner_id`, `area_id`, ...) is written by its natural key (`owner_name`, `area_code`, ...) so
that a person can edit the file in Excel; the id column is accepted on import as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import inspect

from gaswarden.core.crud import CrudService
from gaswarden.db.types import ProtectedText
from gaswarden.domains.account.service import users
from gaswarden.domains.area.models import Area
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.asset.models import Asset
from gaswarden.domains.asset.service import service as assets
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.models import Site
from gaswarden.domains.site.service import assignment_service
from gaswarden.domains.site.service import service as sites
from gaswarden.domains.workforce.models import Person, Team
from gaswarden.domains.workforce.service import certificates, people, teams, vehicles

Geo = Literal["point", "asset", "area"]


@dataclass(frozen=True)
class Ref:
    """A reference field written as the natural key of the record it names."""

    field: str  # the service's field, e.g. "owner_id" (also accepted as a column)
    column: str  # the file's column, e.g. "owner_name"
    model: type[Any]
    key: str  # the referenced model's attribute holding the natural key
    service: CrudService[Any]  # whose scope decides which records may be named
    zh: str
    en: str
    many: bool = False  # a list of ids, written as keys separated by ";"
    org_column: str | None = None  # people: the name is unique only within an organisation
    export_id: bool = False  # also write the id column (when the natural key is not unique)


def _org(field: str = "owner_id", column: str = "owner_name") -> Ref:
    return Ref(field, column, Organization, "name", organizations, "单位", "organisation")


def _area(field: str = "area_id", column: str = "area_code") -> Ref:
    return Ref(field, column, Area, "code", areas, "区域", "area")


def _site(field: str = "site_id", column: str = "site_code") -> Ref:
    return Ref(field, column, Site, "code", sites, "场站", "site")


def _team() -> Ref:
    return Ref("team_id", "team_name", Team, "name", teams, "队伍", "team")


@dataclass(frozen=True)
class Resource:
    name: str  # as in the URL: /api/v1/<name>
    service: CrudService[Any]
    refs: tuple[Ref, ...] = ()
    key: tuple[str, ...] = ()  # fields that find the existing record (upsert)
    geo: Geo | None = None
    write_only: tuple[str, ...] = ()  # accepted on import, never exported (passwords)

    @property
    def zh(self) -> str:
        return self.service.zh

    @property
    def en(self) -> str:
        return self.service.en

    @property
    def fields(self) -> list[str]:
        return list(self.service.create_schema.model_fields)

    @property
    def update_fields(self) -> set[str]:
        return set(self.service.update_schema.model_fields)

    def ref(self, field: str) -> Ref | None:
        return next((r for r in self.refs if r.field == field), None)

    @property
    def columns(self) -> list[str]:
        """The exported header, in the create schema's order."""
        out = ["id"]
        for field in self.fields:
            ref = self.ref(field)
            if ref is None:
                out.append(field)
                continue
            if ref.export_id:
                out.append(ref.field)
            out.append(ref.column)
            if ref.org_column:
                out.append(ref.org_column)
        return out

    @property
    def accepted_columns(self) -> set[str]:
        return set(self.columns) | {r.field for r in self.refs}

    def column_of(self, field: str) -> str:
        """The column an error about `field` is reported on."""
        ref = self.ref(field)
        return ref.column if ref else field

    @property
    def protected(self) -> frozenset[str]:
        """Fields holding personal data: masked on export, kept when a mask comes back."""
        columns = inspect(self.service.model).columns
        return frozenset(
            f for f in self.fields if f in columns and isinstance(columns[f].type, ProtectedText)
        )

    @property
    def geometry_field(self) -> str | None:
        return {"asset": "geometry", "area": "boundary"}.get(self.geo or "")


ORGANIZATION = _org()  # how a person's organisation is named in a certificate row
_PERSON = Ref(
    "person_id",
    "person_name",
    Person,
    "name",
    people,
    "人员",
    "person",
    org_column="person_org",
    export_id=True,
)

RESOURCES: dict[str, Resource] = {
    r.name: r
    for r in (
        Resource("areas", areas, (_area("parent_id", "parent_code"),), ("code",), geo="area"),
        Resource("organizations", organizations, (_area(),), ("name",)),
        Resource("sites", sites, (_org(), _area()), ("code",), geo="point"),
        Resource(
            "site-assignments",
            assignment_service,
            (_org("agency_id", "agency_name"), _site()),
            ("agency_id", "site_id"),
        ),
        Resource("assets", assets, (_org(), _area(), _site()), ("code",), geo="asset"),
        Resource(
            "devices",
            devices,
            (
                _org(),
                _area(),
                _site(),
                Ref("asset_id", "asset_code", Asset, "code", assets, "设施", "asset"),
            ),
            ("serial",),
        ),
        Resource("people", people, (_org(), _team()), ("owner_id", "name")),
        Resource("certificates", certificates, (_PERSON,), ("person_id", "kind", "number")),
        Resource("teams", teams, (_org(), _site("base_site_id", "base_site_code")), ("name",)),
        Resource("vehicles", vehicles, (_org(), _team()), ("plate",)),
        Resource(
            "users",
            users,
            (
                _org("org_id", "org_name"),
                Ref("grid_ids", "grid_codes", Area, "code", areas, "网格", "grid", many=True),
            ),
            ("username",),
            write_only=("password",),
        ),
    )
}


def resource(name: str) -> Resource:
    from gaswarden.core.errors import NotFound

    try:
        return RESOURCES[name]
    except KeyError:
        known = ", ".join(RESOURCES)
        raise NotFound(f"no registry table {name!r}; known: {known}") from None
