"""An LPG enterprise's cylinder world for tests: built inside the test's transaction on top of
the shared world (ent_b is the LPG enterprise, with its filling and supply stations, the
delivery worker person_b and the delivery vehicle veh_b)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from gaswarden.domains.customer.enums import CustomerKind, SafetyStatus
from gaswarden.domains.customer.models import Customer
from gaswarden.domains.cylinder.enums import CylinderStatus
from gaswarden.domains.cylinder.models import Cylinder, GasBatch
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.workforce.enums import CertificateKind, Position
from gaswarden.domains.workforce.models import Certificate, Person
from gaswarden.standards.cylinders import service_life_end
from tests.factories import World

TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


@dataclass
class Lpg:
    ids: dict[str, int] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)


def cylinder(
    session: Session,
    tag: str,
    owner_id: int,
    *,
    made_on: date = date(2022, 3, 1),
    next_inspection_on: date = date(2026, 3, 1),
    status: CylinderStatus = CylinderStatus.IN_STOCK,
    site_id: int | None = None,
    capacity_kg: int = 15,
    revoked: bool = False,
) -> Cylinder:
    c = Cylinder(
        tag_code=tag,
        stamp_serial=f"ST-{tag}",
        maker="test maker",
        made_on=made_on,
        capacity_kg=capacity_kg,
        tare_kg=16.0,
        design_life_years=8,
        life_ends_on=service_life_end(made_on),
        next_inspection_on=next_inspection_on,
        status=status,
        owner_id=owner_id,
        site_id=site_id,
        revoked=revoked,
    )
    session.add(c)
    return c


def build_lpg(session: Session, world: World) -> Lpg:
    """Cylinders of every refusal case, customers of every delivery case, a batch, an operator."""
    w, lpg = world.ids, Lpg()
    ent, fill = w["ent_b"], w["filling"]
    other = Organization(name="聊城另一液化气公司", kind="lpg", area_id=w["district"])
    session.add(other)
    session.flush()
    operator = Person(name="钱充装", owner_id=ent, position=Position.FILLING_OPERATOR)
    session.add(operator)
    session.flush()
    session.add(
        Certificate(
            person_id=operator.id,
            kind=CertificateKind.CYLINDER_FILLING,
            number="TS-2024-01",
            expires_on=date(2028, 1, 1),
        )
    )
    batch = GasBatch(
        code="B-2026-11",
        owner_id=ent,
        site_id=fill,
        supplier="中石化聊城",
        quantity_t=20.0,
        certificate_no="QC-2026-11-01",
        arrived_on=date(2026, 11, 20),
    )
    session.add(batch)
    far = date(2029, 1, 1)
    cyls = {
        "ok": cylinder(session, "LPG-T-OK", ent, next_inspection_on=far, site_id=fill),
        "ok2": cylinder(session, "LPG-T-OK2", ent, next_inspection_on=far, site_id=fill),
        "overdue": cylinder(session, "LPG-T-OVERDUE", ent, next_inspection_on=date(2026, 1, 1)),
        "old": cylinder(
            session, "LPG-T-OLD", ent, made_on=date(2017, 1, 1), next_inspection_on=far
        ),
        "other": cylinder(session, "LPG-T-OTHER", other.id, next_inspection_on=far),
        "scrapped": cylinder(
            session, "LPG-T-SCRAP", ent, status=CylinderStatus.SCRAPPED, revoked=True
        ),
        "lost": cylinder(
            session, "LPG-T-LOST", ent, status=CylinderStatus.LOST, next_inspection_on=far
        ),
    }
    customers = {
        "home": Customer(
            code="CU-HOME",
            kind=CustomerKind.RESIDENTIAL,
            name="孙居民",
            owner_id=ent,
            area_id=w["g11"],
            id_number="110101199003074514",
            phone="13812340000",
            address="古楼街道1号",
            lon=115.905,
            lat=36.405,
            safety_status=SafetyStatus.PASSED,
            last_checked_on=date(2026, 6, 1),
        ),
        "failed": Customer(
            code="CU-FAIL",
            kind=CustomerKind.RESIDENTIAL,
            name="周不合格",
            owner_id=ent,
            area_id=w["g12"],
            safety_status=SafetyStatus.FAILED,
            lon=115.95,
            lat=36.40,
        ),
        "diner": Customer(
            code="CU-DINER",
            kind=CustomerKind.CATERING,
            name="老街饭店",
            owner_id=ent,
            area_id=w["g11"],
            safety_status=SafetyStatus.PASSED,
            has_gas_alarm=False,
            lon=115.91,
            lat=36.41,
        ),
        "diner_ok": Customer(
            code="CU-DINER-OK",
            kind=CustomerKind.CATERING,
            name="新街饭店",
            owner_id=ent,
            area_id=w["g21"],
            safety_status=SafetyStatus.PASSED,
            has_gas_alarm=True,
            has_shutoff_valve=True,
            lon=116.0,
            lat=36.40,
        ),
    }
    session.add_all(customers.values())
    session.flush()
    lpg.ids.update(other=other.id, operator=operator.id, batch=batch.id)
    lpg.ids.update({f"cyl_{k}": c.id for k, c in cyls.items()})
    lpg.codes.update({k: c.tag_code for k, c in cyls.items()})
    lpg.ids.update({f"cust_{k}": c.id for k, c in customers.items()})
    lpg.codes.update({f"cust_{k}": c.code for k, c in customers.items()})
    return lpg


def at(hours: float) -> datetime:
    """A device time `hours` after NOW."""
    return NOW + timedelta(hours=hours)
