"""Names behind the ids an event carries (sites, vehicles, workers, customers, batches, areas),
fetched in one query per kind, and customers as the tracing queries show them: ID number and
phone always masked; a household's name masked too unless the caller is the enterprise the
customer is registered with or a regulator (a grid supervisor sees 孙**)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.protect import mask_id_number
from gaswarden.domains.area.models import Area
from gaswarden.domains.customer.models import Customer
from gaswarden.domains.cylinder.lookups import among
from gaswarden.domains.cylinder.models import GasBatch
from gaswarden.domains.cylinder.tracing_schemas import CustomerRef, CylinderRef, Named
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.site.models import Site
from gaswarden.domains.workforce.models import Person, Vehicle


def mask_name(name: str) -> str:
    """孙居民 -> 孙**: the first character kept."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else name


def sees_names(principal: Principal, owner_id: int | None) -> bool:
    if principal.scope_kind is ScopeKind.ALL or principal.is_regulator:
        return True
    return principal.scope_kind is ScopeKind.ORG and owner_id == principal.org_id


_CUSTOMER_COLUMNS = (
    Customer.id,
    Customer.code,
    Customer.name,
    Customer.kind,
    Customer.owner_id,
    Customer.area_id,
    Customer.address,
    Customer.phone_masked,  # not the phone: nothing decrypted
    Customer.lon,
    Customer.lat,
)


def customer_ref(
    c: Any, principal: Principal, areas: dict[int, Named], *, id_number: bool = True
) -> CustomerRef:
    """`c`: a Customer, or a row of its columns (`_CUSTOMER_COLUMNS`, and the ID number
    unless `id_number` is False)."""
    name = c.name
    if not c.kind.is_commercial and not sees_names(principal, c.owner_id):
        name = mask_name(name)
    return CustomerRef(
        id=c.id,
        code=c.code,
        name=name,
        kind=c.kind,
        area=areas.get(c.area_id) if c.area_id is not None else None,
        address=c.address,
        phone=c.phone_masked,
        id_number=mask_id_number(c.id_number) if id_number else None,
    )


def cylinder_ref(c: Any, owners: dict[int, Named] | None = None) -> CylinderRef:
    """`c`: a Cylinder, or a row with its id, tag_code, status, capacity_kg and owner_id
    (then `owners` names the owner)."""
    owner = None
    if c.owner_id is not None:
        owner = (owners or {}).get(c.owner_id) or Named(
            id=c.owner_id, name=getattr(c, "owner_name", None) or ""
        )
    return CylinderRef(
        id=c.id, tag_code=c.tag_code, status=c.status, capacity_kg=c.capacity_kg, owner=owner
    )


def _ids(values: Iterable[int | None]) -> list[int]:
    return sorted({v for v in values if v is not None})


def _named(session: Session, model: Any, label: Any, ids: Iterable[int | None]) -> dict[int, Named]:
    wanted = _ids(ids)
    if not wanted:
        return {}
    rows = session.execute(select(model.id, label).where(among(session, model.id, wanted)))
    return {i: Named(id=i, name=str(n)) for i, n in rows}


@dataclass
class Names:
    """Look-ups for one answer; every map is filled by `load`."""

    sites: dict[int, Named] = field(default_factory=dict)
    vehicles: dict[int, Named] = field(default_factory=dict)
    people: dict[int, Named] = field(default_factory=dict)
    batches: dict[int, Named] = field(default_factory=dict)
    areas: dict[int, Named] = field(default_factory=dict)
    orgs: dict[int, Named] = field(default_factory=dict)
    customers: dict[int, CustomerRef] = field(default_factory=dict)
    site_points: dict[int, tuple[float, float]] = field(default_factory=dict)

    def site(self, i: int | None) -> Named | None:
        return self.sites.get(i) if i is not None else None

    def vehicle(self, i: int | None) -> Named | None:
        return self.vehicles.get(i) if i is not None else None

    def person(self, i: int | None) -> Named | None:
        return self.people.get(i) if i is not None else None

    def batch(self, i: int | None) -> Named | None:
        return self.batches.get(i) if i is not None else None

    def customer(self, i: int | None) -> CustomerRef | None:
        return self.customers.get(i) if i is not None else None


def load(
    session: Session,
    principal: Principal,
    *,
    sites: Iterable[int | None] = (),
    vehicles: Iterable[int | None] = (),
    people: Iterable[int | None] = (),
    batches: Iterable[int | None] = (),
    customers: Iterable[int | None] = (),
    orgs: Iterable[int | None] = (),
    customer_points: dict[int, tuple[float, float]] | None = None,
    id_numbers: bool = True,
) -> Names:
    """The names behind the ids; customers masked for `principal`. When `customer_points` is
    given it is filled with the customers' positions (for the map). `id_numbers=False` leaves
    the customers' ID numbers out (each costs a decryption; a recall lists hundreds)."""
    names = Names()
    site_ids = _ids(sites)
    if site_ids:
        for sid, sname, lon, lat in session.execute(
            select(Site.id, Site.name, Site.lon, Site.lat).where(among(session, Site.id, site_ids))
        ):
            names.sites[sid] = Named(id=sid, name=sname)
            if lon is not None and lat is not None:
                names.site_points[sid] = (lon, lat)
    names.vehicles = _named(session, Vehicle, Vehicle.plate, vehicles)
    names.people = _named(session, Person, Person.name, people)
    names.batches = _named(session, GasBatch, GasBatch.code, batches)
    names.orgs = _named(session, Organization, Organization.name, orgs)
    customer_ids = _ids(customers)
    if customer_ids:
        rows = session.execute(  # columns, not entities: no joined owner and area per row
            select(*_CUSTOMER_COLUMNS, *((Customer.id_number,) if id_numbers else ())).where(
                among(session, Customer.id, customer_ids)
            )
        ).all()
        names.areas = _named(session, Area, Area.name, (c.area_id for c in rows))
        for c in rows:
            names.customers[c.id] = customer_ref(c, principal, names.areas, id_number=id_numbers)
            if customer_points is not None and c.lon is not None and c.lat is not None:
                customer_points[c.id] = (c.lon, c.lat)
    return names
