from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.crud import CrudService
from gaswarden.core.errors import Invalid
from gaswarden.core.filters import Filter, FilterSet, date_range
from gaswarden.core.protect import Protector
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.service import service as sites
from gaswarden.domains.workforce.enums import (
    CertificateKind,
    Position,
    TeamKind,
    VehicleKind,
    VehicleStatus,
)
from gaswarden.domains.workforce.models import Certificate, Person, Team, Vehicle
from gaswarden.domains.workforce.schemas import (
    CertificateCreate,
    CertificateUpdate,
    PersonCreate,
    PersonUpdate,
    TeamCreate,
    TeamUpdate,
    VehicleCreate,
    VehicleUpdate,
)


def owned_scope(principal: Principal, owner: Any) -> ColumnElement[bool]:
    """Staff, teams and vehicles: regulators see those of the organisations they see."""
    if principal.scope_kind is ScopeKind.ALL:
        return true()
    if principal.scope_kind is ScopeKind.AREA:
        return owner.in_(select(Organization.id).where(organizations.scope(principal)))
    return owner == principal.org_id


def org_place(obj: Team | Vehicle) -> tuple[int | None, int | None]:
    """Audit rows of records with no area of their own go under their owner's area, so that
    the regulator of that area reads them."""
    return obj.owner_id, obj.owner.area_id if obj.owner else None


class TeamService(CrudService[Team]):
    model = Team
    create_schema = TeamCreate
    update_schema = TeamUpdate
    entity = "team"
    zh, en = "队伍", "Teams"
    unique = ("name",)
    filters = FilterSet(
        filters=(
            Filter("kind", Team.kind, choices=TeamKind, zh="类型", en="Kind"),
            Filter("owner_id", Team.owner_id, type=int, zh="所属单位", en="Organisation"),
        ),
        search=(Team.name, Team.leader_name),
        sort={"name": Team.name, "kind": Team.kind},
        default_sort=("name",),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        return owned_scope(principal, Team.owner_id)

    def references(self) -> dict[str, CrudService[Any]]:
        return {"owner_id": organizations, "base_site_id": sites}

    def audit_place(self, obj: Team) -> tuple[int | None, int | None]:
        return org_place(obj)


class PersonService(CrudService[Person]):
    model = Person
    create_schema = PersonCreate
    update_schema = PersonUpdate
    entity = "person"
    zh, en = "从业人员", "Staff"
    filters = FilterSet(
        filters=(
            Filter("position", Person.position, choices=Position, zh="岗位", en="Position"),
            Filter("owner_id", Person.owner_id, type=int, zh="所属单位", en="Organisation"),
            Filter("team_id", Person.team_id, type=int, zh="队伍", en="Team"),
            Filter("active", Person.active, op="is", type=bool, zh="在职", en="Active"),
        ),
        search=(Person.name,),
        sort={"name": Person.name, "position": Person.position},
        default_sort=("name",),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        return owned_scope(principal, Person.owner_id)

    def references(self) -> dict[str, CrudService[Any]]:
        return {"owner_id": organizations, "team_id": teams}

    def prepare(
        self,
        *,
        session: Session,
        principal: Principal,
        obj: Person,
        data: dict[str, Any],
        creating: bool,
    ) -> None:
        if "id_number" in data:
            protector: Protector = session.get_bind().dialect.gaswarden_protector  # type: ignore[attr-defined]
            obj.id_number_digest = protector.digest(obj.id_number) if obj.id_number else None

    def audit_place(self, obj: Person) -> tuple[int | None, int | None]:
        return obj.owner_id, obj.owner.area_id if obj.owner else None


class CertificateService(CrudService[Certificate]):
    model = Certificate
    create_schema = CertificateCreate
    update_schema = CertificateUpdate
    entity = "certificate"
    zh, en = "资格证书", "Certificates"
    filters = FilterSet(
        filters=(
            Filter("person_id", Certificate.person_id, type=int, zh="人员", en="Person"),
            Filter("kind", Certificate.kind, choices=CertificateKind, zh="证书类型", en="Kind"),
            *date_range("expires", Certificate.expires_on, "有效期至", "Expires"),
        ),
        search=(Certificate.number,),
        sort={"expires_on": Certificate.expires_on, "kind": Certificate.kind},
        default_sort=("expires_on",),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        return Certificate.person_id.in_(select(Person.id).where(people.scope(principal)))

    def references(self) -> dict[str, CrudService[Any]]:
        return {"person_id": people}

    def prepare(
        self,
        *,
        session: Session,
        principal: Principal,
        obj: Certificate,
        data: dict[str, Any],
        creating: bool,
    ) -> None:
        if obj.issued_on and obj.expires_on and obj.expires_on < obj.issued_on:
            raise Invalid(
                "a certificate cannot expire before it is issued",
                errors=[{"loc": ["body", "expires_on"], "msg": "before issued_on"}],
            )

    def audit_place(self, obj: Certificate) -> tuple[int | None, int | None]:
        person = obj.person
        return (person.owner_id, person.owner.area_id) if person else (None, None)

    def label(self, obj: Certificate) -> str:
        return f"{obj.kind.zh} {obj.number}"


class VehicleService(CrudService[Vehicle]):
    model = Vehicle
    create_schema = VehicleCreate
    update_schema = VehicleUpdate
    entity = "vehicle"
    zh, en = "车辆", "Vehicles"
    unique = ("plate",)
    filters = FilterSet(
        filters=(
            Filter("kind", Vehicle.kind, choices=VehicleKind, zh="类型", en="Kind"),
            Filter("status", Vehicle.status, choices=VehicleStatus, zh="状态", en="Status"),
            Filter("owner_id", Vehicle.owner_id, type=int, zh="所属单位", en="Organisation"),
            Filter("team_id", Vehicle.team_id, type=int, zh="队伍", en="Team"),
            *date_range("licence_expiry", Vehicle.licence_expiry, "证件到期", "Licence expiry"),
        ),
        search=(Vehicle.plate, Vehicle.licence_no),
        sort={
            "plate": Vehicle.plate,
            "kind": Vehicle.kind,
            "licence_expiry": Vehicle.licence_expiry,
        },
        default_sort=("plate",),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        return owned_scope(principal, Vehicle.owner_id)

    def references(self) -> dict[str, CrudService[Any]]:
        return {"owner_id": organizations, "team_id": teams}

    def audit_place(self, obj: Vehicle) -> tuple[int | None, int | None]:
        return org_place(obj)


teams = TeamService()
people = PersonService()
certificates = CertificateService()
vehicles = VehicleService()
