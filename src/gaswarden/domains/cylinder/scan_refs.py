"""The references a batch of scans names, read once a batch: sites, vehicles, people and their
filling certificates, customers (with their premises' site), gas batches; those a batch may
write into a cylinder's location locked as a foreign key's check would lock them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.customer.enums import CustomerKind, SafetyStatus
from gaswarden.domains.customer.models import Customer
from gaswarden.domains.cylinder.lookups import among, driver
from gaswarden.domains.cylinder.models import GasBatch
from gaswarden.domains.site.enums import SiteStatus
from gaswarden.domains.site.models import Site
from gaswarden.domains.workforce.enums import CertificateKind, VehicleKind, VehicleStatus
from gaswarden.domains.workforce.models import Certificate, Person, Vehicle


# _REFERENCED: the rows a batch may write into a cylinder's location (site, vehicle, customer,
# gas batch) are read FOR KEY SHARE, as a foreign key's check would lock them: a concurrent
# delete waits for the batch to commit, and its trigger then clears what the batch wrote
# (models.Cylinder). Each row once a batch, not once a scan.
class SiteRef(NamedTuple):
    id: int
    code: str
    owner_id: int | None
    area_id: int | None
    lon: float | None
    lat: float | None
    status: SiteStatus


class VehicleRef(NamedTuple):
    id: int
    plate: str
    owner_id: int | None
    kind: VehicleKind
    status: VehicleStatus


class PersonRef(NamedTuple):
    id: int
    owner_id: int | None
    active: bool


# The batch's references come back as named tuples, read a dozen times a scan: an attribute
# of SQLAlchemy's Row first fails the class's lookup and formats an AttributeError (~2,000
# instructions a read; 26,000 of the loader's 280,000 a scan in `gaswarden bench cylinders`).
def sites(session: Session, codes: Collection[str]) -> dict[str, SiteRef]:
    if not codes:
        return {}
    stmt = (
        select(Site.id, Site.code, Site.owner_id, Site.area_id, Site.lon, Site.lat, Site.status)
        .where(among(session, Site.code, codes))
        .with_for_update(read=True, key_share=True)  # see _REFERENCED
    )
    return {r.code: SiteRef._make(r) for r in session.execute(stmt).all()}


def vehicles(session: Session, plates: Collection[str]) -> dict[str, VehicleRef]:
    if not plates:
        return {}
    stmt = (
        select(Vehicle.id, Vehicle.plate, Vehicle.owner_id, Vehicle.kind, Vehicle.status)
        .where(among(session, Vehicle.plate, plates))
        .with_for_update(read=True, key_share=True)  # see _REFERENCED
    )
    return {r.plate: VehicleRef._make(r) for r in session.execute(stmt).all()}


def people(session: Session, ids: Collection[int]) -> dict[int, PersonRef]:
    if not ids:
        return {}
    stmt = select(Person.id, Person.owner_id, Person.active).where(among(session, Person.id, ids))
    return {r.id: PersonRef._make(r) for r in session.execute(stmt).all()}


def filling_certificates(
    session: Session, person_ids: Collection[int]
) -> dict[int, list[tuple[date | None, date | None]]]:
    """(issued_on, expires_on) of each person's cylinder-filling certificates."""
    out: dict[int, list[tuple[date | None, date | None]]] = defaultdict(list)
    if not person_ids:
        return out
    stmt = select(Certificate.person_id, Certificate.issued_on, Certificate.expires_on).where(
        among(session, Certificate.person_id, person_ids),
        Certificate.kind == CertificateKind.CYLINDER_FILLING,
    )
    for person_id, issued, expires in session.execute(stmt).all():
        out[person_id].append((issued, expires))
    return out


class CustomerRef(NamedTuple):
    """A customer named by a batch's scans, with the status of their premises' site."""

    id: int
    code: str
    owner_id: int | None
    kind: CustomerKind
    active: bool
    safety_status: SafetyStatus
    has_gas_alarm: bool
    has_shutoff_valve: bool
    area_id: int | None
    lon: float | None
    lat: float | None
    site_id: int | None
    site_status: SiteStatus | None


_PG_CUSTOMERS = (
    "SELECT c.id, c.code, c.owner_id, c.kind, c.active, c.safety_status, c.has_gas_alarm,"
    " c.has_shutoff_valve, c.area_id, c.lon, c.lat, c.site_id, s.status FROM customer c"
    " LEFT JOIN site s ON s.id = c.site_id WHERE c.code = ANY(%b::varchar[])"
    " FOR KEY SHARE OF c"  # see _REFERENCED
)
_CUSTOMER_KIND = {k.value: k for k in CustomerKind}
_SAFETY = {k.value: k for k in SafetyStatus}
_SITE_STATUS = {k.value: k for k in SiteStatus}
_KIND_AT = CustomerRef._fields.index("kind")
_SAFETY_AT = CustomerRef._fields.index("safety_status")
_SITE_STATUS_AT = CustomerRef._fields.index("site_status")


def customers(session: Session, codes: Collection[str]) -> dict[str, CustomerRef]:
    """Customers by card number, with the status of their premises' site (if registered)."""
    if not codes:
        return {}
    pg = driver(session)
    if pg is not None:
        with pg.cursor() as cur:
            cur.execute(_PG_CUSTOMERS, (sorted(codes),))
            out = {}
            for raw in cur:
                row = list(raw)
                row[_KIND_AT] = _CUSTOMER_KIND[row[_KIND_AT]]
                row[_SAFETY_AT] = _SAFETY[row[_SAFETY_AT]]
                row[_SITE_STATUS_AT] = _SITE_STATUS.get(row[_SITE_STATUS_AT])  # None: no site
                ref = CustomerRef._make(row)
                out[ref.code] = ref
            return out
    stmt = (
        select(
            Customer.id,
            Customer.code,
            Customer.owner_id,
            Customer.kind,
            Customer.active,
            Customer.safety_status,
            Customer.has_gas_alarm,
            Customer.has_shutoff_valve,
            Customer.area_id,
            Customer.lon,
            Customer.lat,
            Customer.site_id,
            Site.status.label("site_status"),
        )
        .outerjoin(Site, Site.id == Customer.site_id)
        .where(Customer.code.in_(list(codes)))
        .with_for_update(read=True, key_share=True, of=Customer)  # see _REFERENCED
    )
    return {r.code: CustomerRef._make(r) for r in session.execute(stmt).all()}


def batches(session: Session, org_id: int, codes: Collection[str]) -> dict[str, int]:
    if not codes:
        return {}
    stmt = (
        select(GasBatch.code, GasBatch.id)
        .where(GasBatch.owner_id == org_id, among(session, GasBatch.code, codes))
        .with_for_update(read=True, key_share=True)  # see _REFERENCED
    )
    return {code: id_ for code, id_ in session.execute(stmt).all()}
