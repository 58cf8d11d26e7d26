"""The household's real-name LPG record (domains/customer) as the conversion sees it: found by
the applicant's ID number (keyed digest) or named by its card number, the cylinders it still
holds (domains/cylinder: a cylinder with a user is `status = with_user` at that customer), and
closed through the customer service once the household is on pipe gas.

Cylinders are collected by the LPG enterprise that delivered them, with its ordinary collect
scan (空瓶回收) in the cylinder domain: the pipeline company cannot scan another enterprise's
cylinders. Connecting is therefore refused while the household holds any, naming their codes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Invalid
from gaswarden.domains.customer.models import Customer
from gaswarden.domains.customer.scope import customer_scope
from gaswarden.domains.customer.service import close_customer, protector_of
from gaswarden.domains.cylinder.enums import CylinderStatus
from gaswarden.domains.cylinder.models import Cylinder


def id_digest(session: Session, id_number: str | None) -> str | None:
    return protector_of(session).digest(id_number) if id_number else None


def match_by_digest(session: Session, digest: str | None) -> Customer | None:
    """The household's active LPG record with this ID number (the newest, if several)."""
    if digest is None:
        return None
    stmt = (
        select(Customer)
        .where(Customer.id_number_digest == digest, Customer.active.is_(True))
        .order_by(Customer.id.desc())
    )
    return session.scalars(stmt).first()


def named_customer(
    session: Session,
    principal: Principal,
    *,
    digest: str | None,
    customer_code: str | None = None,
    customer_id: int | None = None,
) -> Customer:
    """The record a clerk names (card number or id): it must be the applicant's own (same ID
    number) or one the clerk may see anyway."""
    field = "customer_code" if customer_code else "customer_id"
    stmt = select(Customer)
    stmt = (
        stmt.where(Customer.code == customer_code)
        if customer_code
        else stmt.where(Customer.id == customer_id)
    )
    customer = session.scalars(stmt).first()
    allowed = customer is not None and (
        (digest is not None and customer.id_number_digest == digest)
        or session.scalar(
            select(Customer.id).where(Customer.id == customer.id, customer_scope(principal))
        )
        is not None
    )
    if customer is None or not allowed:
        raise Invalid(
            f"{field}: no LPG customer record of this applicant",
            errors=[{"loc": ["body", field], "msg": "no LPG customer record of this applicant"}],
        )
    return customer


def held_cylinders(session: Session, customer_id: int) -> list[str]:
    """Tag codes of the cylinders the customer holds now."""
    stmt = (
        select(Cylinder.tag_code)
        .where(Cylinder.customer_id == customer_id, Cylinder.status == CylinderStatus.WITH_USER)
        .order_by(Cylinder.tag_code)
    )
    return list(session.scalars(stmt))


def close(session: Session, principal: Principal, customer: Customer, reason: str) -> bool:
    return close_customer(session=session, principal=principal, customer=customer, reason=reason)
