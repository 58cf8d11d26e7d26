"""The price lists of the programme, set by the regulator: quota tables (the provincial
engineering quota's items and unit prices, with the discount rate the district grants against
them; one active at a time) and the packages households choose. Every signed-in user reads
them; every write is audited. A table that has priced a quote keeps its items and discount
(make a new version instead), so that a quote can always be traced to what it was priced on.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Conflict, NotFound
from gaswarden.domains.audit import service as audit
from gaswarden.domains.conversion import rules
from gaswarden.domains.conversion.applications import field_error
from gaswarden.domains.conversion.enums import HouseholdKind, QuotaCategory
from gaswarden.domains.conversion.models import (
    ConversionApplication,
    ConversionPackage,
    QuotaItem,
    QuotaTable,
)
from gaswarden.domains.conversion.timeline import snapshot
from gaswarden.domains.conversion.workflow import require_tariff_writer

TABLE = "quota_table"
PACKAGE = "conversion_package"


def _audit(
    session: Session,
    principal: Principal,
    action: str,
    entity: str,
    obj: Any,
    changes: dict[str, list[Any]],
    reason: str | None = None,
) -> None:
    audit.record(
        session=session,
        principal=principal,
        action=action,
        entity_type=entity,
        entity_id=obj.id,
        entity_label=f"{obj.name} {getattr(obj, 'version', '')}".strip(),
        changes=changes,
        reason=reason,
    )


def _rate(value: float) -> float:
    if not 0 <= value < 1:
        raise field_error("discount_rate", "a share from 0 (no discount) to below 1")
    return float(value)


# ---- quota tables -------------------------------------------------------------------------------
def list_tables(*, session: Session) -> list[QuotaTable]:
    stmt = select(QuotaTable).order_by(QuotaTable.active.desc(), QuotaTable.effective_on.desc())
    return list(session.scalars(stmt))


def get_table(*, session: Session, id: int) -> QuotaTable:
    table = session.get(QuotaTable, id)
    if table is None:
        raise NotFound(f"quota table {id} not found")
    return table


def active_table(session: Session) -> QuotaTable | None:
    return session.scalars(
        select(QuotaTable).where(QuotaTable.active.is_(True)).order_by(QuotaTable.id.desc())
    ).first()


def used(session: Session, table: QuotaTable) -> bool:
    return (
        session.scalar(
            select(ConversionApplication.id)
            .where(ConversionApplication.quota_table_id == table.id)
            .limit(1)
        )
        is not None
    )


def _locked(session: Session, table: QuotaTable) -> None:
    if used(session, table):
        raise Conflict(
            f"「{table.name} {table.version}」已用于报价，请另建新版本 / "
            "the table has priced quotes: make a new version instead of changing its prices"
        )


def _item_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    if values.get("category") is not None:
        values["category"] = QuotaCategory(values["category"]).value
    if values.get("unit_price_yuan") is not None:
        values["unit_price_yuan"] = rules.to_fen(rules.yuan(values["unit_price_yuan"]))
    return values


def create_table(
    *,
    session: Session,
    principal: Principal,
    name: str,
    version: str,
    discount_rate: float,
    effective_on: date,
    items: list[dict[str, Any]],
    active: bool = False,
) -> QuotaTable:
    require_tariff_writer(principal)
    codes = [i["code"] for i in items]
    if len(set(codes)) != len(codes):
        raise field_error("items", "each quota item code once")
    table = QuotaTable(
        name=name.strip(),
        version=version.strip(),
        discount_rate=_rate(discount_rate),
        effective_on=effective_on,
        active=False,
    )
    session.add(table)
    session.flush()
    for values in items:
        session.add(QuotaItem(table_id=table.id, **_item_values(values)))
    session.flush()
    session.refresh(table, ["items"])
    _audit(
        session,
        principal,
        "create",
        TABLE,
        table,
        {
            "name": [None, table.name],
            "version": [None, table.version],
            "discount_rate": [None, table.discount_rate],
            "items": [None, len(items)],
        },
    )
    if active:
        activate(session=session, principal=principal, id=table.id)
    return table


def update_table(
    *, session: Session, principal: Principal, id: int, data: dict[str, Any]
) -> QuotaTable:
    require_tariff_writer(principal)
    table = get_table(session=session, id=id)
    if "discount_rate" in data and data["discount_rate"] != table.discount_rate:
        _locked(session, table)
        data["discount_rate"] = _rate(data["discount_rate"])
    before = snapshot(table)
    for key in ("name", "version", "discount_rate", "effective_on"):
        if data.get(key) is not None:
            setattr(table, key, data[key])
    session.flush()
    changes = audit.diff(before, snapshot(table))
    if changes:
        _audit(session, principal, "update", TABLE, table, changes)
    return table


def activate(*, session: Session, principal: Principal, id: int) -> QuotaTable:
    """This table prices every new quote from now on; the one active before is retired."""
    require_tariff_writer(principal)
    table = get_table(session=session, id=id)
    if not table.items:
        raise Conflict("a table without items cannot price a quote")
    previous = active_table(session)
    session.execute(
        update(QuotaTable).where(QuotaTable.id != table.id).values(active=False),
        execution_options={"synchronize_session": "fetch"},
    )
    table.active = True
    session.flush()
    _audit(
        session,
        principal,
        "activate",
        TABLE,
        table,
        {"active": [False, True]},
        reason=f"replaces {previous.name} {previous.version}"
        if previous is not None and previous.id != table.id
        else None,
    )
    return table


def delete_table(*, session: Session, principal: Principal, id: int) -> None:
    require_tariff_writer(principal)
    table = get_table(session=session, id=id)
    if table.active:
        raise Conflict("the active table cannot be deleted: activate another first")
    _locked(session, table)
    _audit(session, principal, "delete", TABLE, table, {"name": [table.name, None]})
    for item in list(table.items):
        session.delete(item)
    session.flush()
    session.delete(table)
    session.flush()


def _item(session: Session, table: QuotaTable, item_id: int) -> QuotaItem:
    item = session.get(QuotaItem, item_id)
    if item is None or item.table_id != table.id:
        raise NotFound(f"quota item {item_id} not found in table {table.id}")
    return item


def add_item(
    *, session: Session, principal: Principal, table_id: int, data: dict[str, Any]
) -> QuotaItem:
    require_tariff_writer(principal)
    table = get_table(session=session, id=table_id)
    _locked(session, table)
    if any(i.code == data["code"] for i in table.items):
        raise Conflict(f"item {data['code']} is already in the table")
    item = QuotaItem(table_id=table.id, **_item_values(data))
    session.add(item)
    session.flush()
    session.refresh(table, ["items"])
    _audit(
        session,
        principal,
        "item_add",
        TABLE,
        table,
        {f"item {item.code}": [None, f"{item.name} {item.unit} {item.unit_price_yuan}"]},
    )
    return item


def update_item(
    *, session: Session, principal: Principal, table_id: int, item_id: int, data: dict[str, Any]
) -> QuotaItem:
    require_tariff_writer(principal)
    table = get_table(session=session, id=table_id)
    _locked(session, table)
    item = _item(session, table, item_id)
    before = snapshot(item)
    for key, value in _item_values({k: v for k, v in data.items() if v is not None}).items():
        setattr(item, key, value)
    session.flush()
    changes = audit.diff(before, snapshot(item))
    if changes:
        _audit(session, principal, "item_update", TABLE, table, changes, reason=item.code)
    return item


def delete_item(*, session: Session, principal: Principal, table_id: int, item_id: int) -> None:
    require_tariff_writer(principal)
    table = get_table(session=session, id=table_id)
    _locked(session, table)
    item = _item(session, table, item_id)
    _audit(
        session, principal, "item_delete", TABLE, table, {f"item {item.code}": [item.name, None]}
    )
    session.delete(item)
    session.flush()
    session.refresh(table, ["items"])


# ---- packages -----------------------------------------------------------------------------------
def list_packages(*, session: Session, active_only: bool = False) -> list[ConversionPackage]:
    stmt = select(ConversionPackage)
    if active_only:
        stmt = stmt.where(ConversionPackage.active.is_(True))
    return list(session.scalars(stmt.order_by(ConversionPackage.price_yuan, ConversionPackage.id)))


def get_package(*, session: Session, id: int) -> ConversionPackage:
    package = session.get(ConversionPackage, id)
    if package is None:
        raise NotFound(f"package {id} not found")
    return package


def _unique_name(session: Session, name: str, own_id: int | None = None) -> None:
    other = session.scalar(select(ConversionPackage.id).where(ConversionPackage.name == name))
    if other is not None and other != own_id:
        raise Conflict(
            f"a package named {name} exists",
            errors=[{"loc": ["body", "name"], "msg": "already used"}],
        )


def create_package(
    *,
    session: Session,
    principal: Principal,
    name: str,
    price_yuan: float,
    includes: list[str],
    for_kind: HouseholdKind | None = None,
    active: bool = True,
) -> ConversionPackage:
    require_tariff_writer(principal)
    name = name.strip()
    _unique_name(session, name)
    package = ConversionPackage(
        name=name,
        price_yuan=rules.to_fen(rules.yuan(price_yuan)),
        includes=[s.strip() for s in includes if s.strip()],
        for_kind=for_kind,
        active=active,
    )
    session.add(package)
    session.flush()
    _audit(session, principal, "create", PACKAGE, package, audit.diff({}, snapshot(package)))
    return package


def update_package(
    *, session: Session, principal: Principal, id: int, data: dict[str, Any]
) -> ConversionPackage:
    """Price changes apply to new quotes; a quote keeps the price it was made with."""
    require_tariff_writer(principal)
    package = get_package(session=session, id=id)
    before = snapshot(package)
    if data.get("name"):
        data["name"] = data["name"].strip()
        _unique_name(session, data["name"], package.id)
    if data.get("price_yuan") is not None:
        data["price_yuan"] = rules.to_fen(rules.yuan(data["price_yuan"]))
    for key in ("name", "price_yuan", "includes", "for_kind", "active"):
        if key in data and (data[key] is not None or key == "for_kind"):
            setattr(package, key, data[key])
    session.flush()
    changes = audit.diff(before, snapshot(package))
    if changes:
        _audit(session, principal, "update", PACKAGE, package, changes)
    return package


def delete_package(*, session: Session, principal: Principal, id: int) -> None:
    require_tariff_writer(principal)
    package = get_package(session=session, id=id)
    chosen = session.scalar(
        select(ConversionApplication.id).where(ConversionApplication.package_id == package.id)
    )
    if chosen is not None:
        raise Conflict("households have chosen this package: set it inactive instead")
    _audit(session, principal, "delete", PACKAGE, package, {"name": [package.name, None]})
    session.delete(package)
    session.flush()
