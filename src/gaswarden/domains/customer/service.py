"""Real-name customers (实名制用户) and the safety checks of their premises (入户安检).

A customer is registered with the LPG enterprise that supplies it and lies in a grid; its ID
number and phone are encrypted at rest, found by keyed digest and shown masked to everyone.
A safety check is a record: created, never changed; the newest one sets the customer's status.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.crud import CrudService
from gaswarden.core.errors import Conflict, Invalid
from gaswarden.core.filters import Filter, FilterSet, date_range
from gaswarden.core.localtime import LOCAL_ZONE
from gaswarden.core.pagination import Page, PageParams
from gaswarden.core.protect import Protector
from gaswarden.core.scope import areas_under
from gaswarden.domains.area.enums import AreaLevel
from gaswarden.domains.area.models import Area
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.audit import service as audit
from gaswarden.domains.customer.enums import CustomerKind, SafetyStatus
from gaswarden.domains.customer.models import Customer, SafetyCheck
from gaswarden.domains.customer.schemas import (
    CustomerCreate,
    CustomerUpdate,
    SafetyCheckCreate,
)
from gaswarden.domains.customer.scope import customer_scope
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.service import locate
from gaswarden.domains.site.service import service as sites
from gaswarden.domains.workforce.models import Person
from gaswarden.domains.workforce.service import people

ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")
CLOCK_SKEW = timedelta(minutes=10)  # a check "in the future" by less is a device's clock
LOCAL_TZ = LOCAL_ZONE


def protector_of(session: Session) -> Protector:
    return session.get_bind().dialect.gaswarden_protector  # type: ignore[attr-defined]


def _field_error(field: str, message: str) -> Invalid:
    return Invalid(f"{field}: {message}", errors=[{"loc": ["body", field], "msg": message}])


class CustomerService(CrudService[Customer]):
    model = Customer
    create_schema = CustomerCreate
    update_schema = CustomerUpdate
    entity = "customer"
    zh, en = "液化气用户", "LPG customers"
    unique = ("code",)
    filters = FilterSet(
        filters=(
            Filter("kind", Customer.kind, choices=CustomerKind, zh="用户类型", en="Kind"),
            Filter(
                "safety_status",
                Customer.safety_status,
                choices=SafetyStatus,
                zh="安检状态",
                en="Safety check",
            ),
            Filter("area_id", Customer.area_id, type=int, zh="网格", en="Grid"),
            Filter("owner_id", Customer.owner_id, type=int, zh="供气企业", en="Enterprise"),
            Filter("active", Customer.active, op="is", type=bool, zh="有效", en="Active"),
            *date_range("last_checked", Customer.last_checked_on, "最近安检", "Last checked"),
        ),
        search=(Customer.name, Customer.code),
        sort={
            "code": Customer.code,
            "name": Customer.name,
            "kind": Customer.kind,
            "safety_status": Customer.safety_status,
            "last_checked_on": Customer.last_checked_on,
        },
        default_sort=("code",),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        return customer_scope(principal)

    def references(self) -> dict[str, CrudService[Any]]:
        return {
            "owner_id": organizations,
            "area_id": areas,
            "site_id": sites,
            "alarm_device_id": devices,
        }

    # ---- reads: the exact ID number finds its customer through the keyed digest ----------
    def get_all(
        self,
        *,
        session: Session,
        principal: Principal,
        params: PageParams,
        filters: dict[str, Any] | None = None,
    ) -> Page[Customer]:
        q = (params.q or "").strip()
        if not ID_NUMBER.match(q):
            return super().get_all(
                session=session, principal=principal, params=params, filters=filters
            )
        digest = protector_of(session).digest(q)
        stmt = self.visible(principal).where(Customer.id_number_digest == digest)
        stmt = self.filters.apply(stmt, filters or {}, None)
        plain = params.model_copy(update={"q": None})
        return self.filters.page(session, stmt, plain, None, Customer.id)

    # ---- writes --------------------------------------------------------------------------
    def prepare(
        self,
        *,
        session: Session,
        principal: Principal,
        obj: Customer,
        data: dict[str, Any],
        creating: bool,
    ) -> None:
        if creating:
            self._check_owner(session, principal, obj)
            if obj.registered_on is None:
                obj.registered_on = datetime.now(LOCAL_TZ).date()
        locate(session, obj, data)
        self._check_area(session, principal, obj)
        self._check_real_name(obj)
        if "id_number" in data:
            obj.id_number_digest = (
                protector_of(session).digest(obj.id_number) if obj.id_number else None
            )

    def _check_owner(self, session: Session, principal: Principal, obj: Customer) -> None:
        """An enterprise registers customers under itself; the owner is an LPG enterprise."""
        if principal.scope_kind is ScopeKind.ORG and obj.owner_id != principal.org_id:
            raise _field_error("owner_id", "an enterprise registers customers under itself")
        if obj.owner_id is None:
            raise _field_error("owner_id", "name the LPG enterprise the customer buys from")
        owner = session.get(Organization, obj.owner_id)
        if owner is None or owner.kind is not OrgKind.LPG:
            raise _field_error("owner_id", "customers are registered with an LPG enterprise")

    def _check_area(self, session: Session, principal: Principal, obj: Customer) -> None:
        if obj.area_id is None:
            raise _field_error("area_id", "give the grid, or coordinates that lie inside one")
        area = session.get(Area, obj.area_id)
        if area is None or area.level is not AreaLevel.GRID:
            raise _field_error("area_id", "a customer lies in a grid, not a town or district")
        if principal.scope_kind is ScopeKind.AREA:
            inside = session.scalar(
                select(Area.id).where(
                    Area.id == area.id, Area.id.in_(areas_under(principal.area_paths))
                )
            )
            if inside is None:
                raise _field_error("area_id", "this grid lies outside your area")

    def _check_real_name(self, obj: Customer) -> None:
        """Households register under a resident ID; businesses under a credit code or the
        ID of the person responsible."""
        if obj.kind is CustomerKind.RESIDENTIAL and not obj.id_number:
            raise _field_error("id_number", "a household registers under a resident ID number")
        if obj.kind.is_commercial and not (obj.credit_code or obj.id_number):
            raise _field_error(
                "credit_code", "a business registers under its credit code or a resident ID"
            )

    def delete(
        self, *, session: Session, principal: Principal, id: int, reason: str | None = None
    ) -> None:
        """Only a customer with no history may go (a mistaken entry); others are deactivated."""
        from gaswarden.domains.cylinder.models import CylinderEvent

        customer = self.get(session=session, principal=principal, id=id)
        served = session.scalar(
            select(CylinderEvent.id).where(CylinderEvent.customer_id == customer.id).limit(1)
        )
        checked = session.scalar(
            select(SafetyCheck.id).where(SafetyCheck.customer_id == customer.id).limit(1)
        )
        if served is not None or checked is not None:
            raise Conflict(
                f"customer {customer.code} has deliveries or safety checks on record; "
                "set it inactive instead of deleting it"
            )
        super().delete(session=session, principal=principal, id=id, reason=reason)

    def audit_place(self, obj: Customer) -> tuple[int | None, int | None]:
        return obj.owner_id, obj.area_id


customers = CustomerService()


# ---- safety checks -----------------------------------------------------------------------------
def verdict(
    kind: CustomerKind,
    *,
    hose_ok: bool,
    valve_ok: bool,
    alarm_ok: bool | None,
    ventilation_ok: bool,
    basement: bool,
) -> list[str]:
    """The items a check failed on (none: it passed)."""
    failed = [
        name
        for name, ok in (("hose", hose_ok), ("valve", valve_ok), ("ventilation", ventilation_ok))
        if not ok
    ]
    if basement:
        failed.append("basement")
    if kind.is_commercial and alarm_ok is not True:
        failed.append("alarm")
    elif alarm_ok is False:
        failed.append("alarm")  # a household's alarm, when it has one, must work too
    return failed


class SafetyCheckService(CrudService[SafetyCheck]):
    """Checks are records: created (audited), read, never changed or deleted."""

    model = SafetyCheck
    create_schema = SafetyCheckCreate
    update_schema = SafetyCheckCreate  # never used: no updates
    entity = "customer_safety_check"
    zh, en = "入户安检", "Safety checks"
    filters = FilterSet(
        filters=(
            Filter("customer_id", SafetyCheck.customer_id, type=int, zh="用户", en="Customer"),
            Filter("passed", SafetyCheck.passed, op="is", type=bool, zh="合格", en="Passed"),
            *date_range("checked", SafetyCheck.checked_at, "安检日期", "Checked"),
        ),
        search=(SafetyCheck.checker_name,),
        sort={"checked_at": SafetyCheck.checked_at},
        default_sort=("-checked_at",),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        return SafetyCheck.customer_id.in_(select(Customer.id).where(customer_scope(principal)))

    def references(self) -> dict[str, CrudService[Any]]:
        return {"customer_id": customers, "checker_id": people}

    def prepare(
        self,
        *,
        session: Session,
        principal: Principal,
        obj: SafetyCheck,
        data: dict[str, Any],
        creating: bool,
    ) -> None:
        now = datetime.now(UTC)
        if obj.checked_at is None:
            obj.checked_at = now
        elif obj.checked_at > now + CLOCK_SKEW:
            raise _field_error("checked_at", "a check cannot be recorded before it is made")
        customer = customers.get(session=session, principal=principal, id=obj.customer_id)
        if obj.checker_id is not None:
            checker = session.get(Person, obj.checker_id)
            if checker is None or checker.owner_id != customer.owner_id:
                raise _field_error("checker_id", "the checker is the supplier's staff member")
        failed = verdict(
            customer.kind,
            hose_ok=obj.hose_ok,
            valve_ok=obj.valve_ok,
            alarm_ok=obj.alarm_ok,
            ventilation_ok=obj.ventilation_ok,
            basement=bool(obj.basement),
        )
        obj.passed = not failed
        obj.basement = bool(obj.basement)

    def create(
        self,
        *,
        session: Session,
        principal: Principal,
        data: dict[str, Any] | BaseModel,
        reason: str | None = None,
    ) -> SafetyCheck:
        check = super().create(session=session, principal=principal, data=data, reason=reason)
        self._apply_to_customer(session, principal, check)
        return check

    def _apply_to_customer(
        self, session: Session, principal: Principal, check: SafetyCheck
    ) -> None:
        """The newest check sets the customer's safety status (an older one, entered late,
        only joins the history)."""
        newer = session.scalar(
            select(func.count())
            .select_from(SafetyCheck)
            .where(
                SafetyCheck.customer_id == check.customer_id,
                SafetyCheck.id != check.id,
                SafetyCheck.checked_at > check.checked_at,
            )
        )
        if newer:
            return
        customer = session.get_one(Customer, check.customer_id)
        before = customers.snapshot(customer)
        customer.safety_status = SafetyStatus.PASSED if check.passed else SafetyStatus.FAILED
        customer.last_checked_on = check.checked_at.astimezone(LOCAL_TZ).date()
        session.flush()
        changes = audit.diff(before, customers.snapshot(customer))
        if changes:
            audit.record(
                session=session,
                principal=principal,
                action="update",
                entity_type=customers.entity,
                entity_id=customer.id,
                entity_label=customers.label(customer),
                changes=changes,
                reason=f"安检记录 safety check #{check.id}",
                owner_id=customer.owner_id,
                area_id=customer.area_id,
            )

    def update(self, **kwargs: Any) -> SafetyCheck:
        raise Conflict("a safety check is a record: make a new check instead of changing one")

    def delete(self, **kwargs: Any) -> None:
        raise Conflict("a safety check is a record and cannot be deleted")

    def audit_place(self, obj: SafetyCheck) -> tuple[int | None, int | None]:
        customer = obj.customer
        return (customer.owner_id, customer.area_id) if customer else (None, None)

    def label(self, obj: SafetyCheck) -> str:
        customer = obj.customer
        day = obj.checked_at.astimezone(LOCAL_TZ).date().isoformat() if obj.checked_at else ""
        return f"{customer.code if customer else obj.customer_id} {day}"


safety_checks = SafetyCheckService()


# ---- closing a record ---------------------------------------------------------------------------
def close_customer(
    *, session: Session, principal: Principal, customer: Customer, reason: str
) -> bool:
    """Close a real-name customer's record (active = False) when the household no longer buys
    bottled gas, e.g. once connected to pipe gas (瓶改管). The calling flow has already found
    the record it may close (a conversion links the household's own record, matched by the
    applicant's ID number), so the customer is passed in rather than read in the caller's
    scope. Audited under the caller, in the customer's place; False if it was closed already.
    """
    if not customer.active:
        return False
    before = customers.snapshot(customer)
    customer.active = False
    session.flush()
    audit.record(
        session=session,
        principal=principal,
        action="close",
        entity_type=customers.entity,
        entity_id=customer.id,
        entity_label=customers.label(customer),
        changes=audit.diff(before, customers.snapshot(customer)),
        reason=reason[:500],
        owner_id=customer.owner_id,
        area_id=customer.area_id,
    )
    return True
