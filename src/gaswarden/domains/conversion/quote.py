"""The quote (报价): the connection works priced from the active quota table, the district's
discount against it, and the household's package.

    line amount     = unit price × quantity                      (rounded to the fen)
    works list      = Σ line amounts                             (at quota prices)
    works payable   = works list × (1 − discount rate)           (rounded to the fen)
    total payable   = works payable + package price

Decimal arithmetic throughout; rounding half up to the fen (0.01 yuan). The lines are the
surveyor's plan (一户一方案): quota item codes with quantities, or by default the standard plan
(rules.STANDARD_PLAN: the service pipe by the metre from the surveyed distance, one riser,
one meter installation, one valve). Each line keeps the item's code, name, unit and price as
quoted, so a later table changes no quote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Conflict
from gaswarden.db.base import utcnow
from gaswarden.domains.conversion import rules, tariff
from gaswarden.domains.conversion.applications import begin, clean, field_error
from gaswarden.domains.conversion.enums import ConversionEventKind, ConversionStatus, QuotaCategory
from gaswarden.domains.conversion.models import (
    ConversionApplication,
    ConversionPackage,
    QuotaItem,
    QuotaTable,
    QuoteLine,
)
from gaswarden.domains.conversion.timeline import record
from gaswarden.domains.conversion.workflow import Step


@dataclass(frozen=True)
class PlanLine:
    """What the surveyor asks for: a quota item (by code) and how much of it."""

    code: str
    quantity: float


@dataclass(frozen=True)
class PricedLine:
    item: QuotaItem
    quantity: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Quote:
    lines: list[PricedLine]
    works_list: Decimal
    discount_rate: Decimal
    works_payable: Decimal
    package: Decimal
    total: Decimal


def standard_plan(table: QuotaTable, main_distance_m: float | None) -> list[PlanLine]:
    """The default lines: per category of rules.STANDARD_PLAN, the table's first item of it."""
    lines: list[PlanLine] = []
    for category in rules.STANDARD_PLAN:
        item = next((i for i in table.items if i.category == category.value), None)
        if item is None:
            continue
        if category is QuotaCategory.SERVICE_PIPE:
            if not main_distance_m:
                continue
            lines.append(PlanLine(item.code, rules.pipe_metres(main_distance_m)))
        else:
            lines.append(PlanLine(item.code, 1.0))
    return lines


def compute(
    table: QuotaTable, plan: Sequence[PlanLine], package_price: object = Decimal("0")
) -> Quote:
    """Price the plan from the table (pure: no session, no side effects)."""
    by_code = {i.code: i for i in table.items}
    priced: list[PricedLine] = []
    for k, line in enumerate(plan):
        item = by_code.get(line.code)
        if item is None:
            raise field_error(f"lines.{k}.code", f"no item {line.code} in {table.name}")
        quantity = rules.yuan(line.quantity)
        if quantity <= 0:
            raise field_error(f"lines.{k}.quantity", "a quantity above 0")
        amount = rules.to_fen(rules.yuan(item.unit_price_yuan) * quantity)
        priced.append(PricedLine(item=item, quantity=quantity, amount=amount))
    works_list = sum((p.amount for p in priced), Decimal("0.00"))
    rate = rules.yuan(table.discount_rate)
    works_payable = rules.to_fen(works_list * (Decimal(1) - rate))
    package = rules.to_fen(rules.yuan(package_price))
    return Quote(
        lines=priced,
        works_list=works_list,
        discount_rate=rate,
        works_payable=works_payable,
        package=package,
        total=works_payable + package,
    )


def _package(
    session: Session, app: ConversionApplication, package_id: int | None
) -> ConversionPackage | None:
    if package_id is None:
        return None
    package = session.get(ConversionPackage, package_id)
    if package is None or not package.active:
        raise field_error("package_id", "no such package on offer")
    if package.for_kind is not None and package.for_kind is not app.household_kind:
        raise field_error(
            "package_id", f"this package is for {package.for_kind.en.lower()} households"
        )
    return package


def make_quote(
    *,
    session: Session,
    principal: Principal,
    id: int,
    package_id: int | None = None,
    lines: Sequence[PlanLine] | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> ConversionApplication:
    """Price the household's plan (given lines, or the standard plan) on the active table;
    replaces an earlier quote until the contract is signed."""
    app, before = begin(session, principal, id, Step.QUOTE, note)
    now = now or utcnow()
    if not app.eligible:
        raise Conflict("the survey found the household not eligible: nothing to quote")
    table = tariff.active_table(session)
    if table is None:
        raise Conflict("no quota table is active: the regulator activates one first")
    package = _package(session, app, package_id)
    plan = list(lines) if lines else standard_plan(table, app.main_distance_m)
    if not plan:
        raise field_error("lines", "no lines to price: the active table has no standard items")
    quote = compute(table, plan, package.price_yuan if package else Decimal("0"))
    app.lines.clear()
    session.flush()
    for p in quote.lines:
        app.lines.append(
            QuoteLine(
                quota_item_id=p.item.id,
                code=p.item.code,
                name=p.item.name,
                unit=p.item.unit,
                quantity=float(p.quantity),
                unit_price_yuan=rules.yuan(p.item.unit_price_yuan),
                amount_yuan=p.amount,
            )
        )
    old = {
        "total_payable_yuan": str(app.total_payable_yuan)
        if app.total_payable_yuan is not None
        else None
    }
    app.quota_table_id = table.id
    app.package = package
    app.works_list_yuan = quote.works_list  # type: ignore[assignment]
    app.discount_rate = float(quote.discount_rate)
    app.works_payable_yuan = quote.works_payable  # type: ignore[assignment]
    app.package_yuan = quote.package  # type: ignore[assignment]
    app.total_payable_yuan = quote.total  # type: ignore[assignment]
    app.quoted_at = now
    app.status = ConversionStatus.QUOTED
    session.flush()
    data: dict[str, Any] = {
        "table": f"{table.name} {table.version}",
        "lines": len(quote.lines),
        "works_list_yuan": str(quote.works_list),
        "discount_rate": str(quote.discount_rate),
        "works_payable_yuan": str(quote.works_payable),
        "package": package.name if package else None,
        "package_yuan": str(quote.package),
        "total_payable_yuan": str(quote.total),
    }
    record(
        session,
        app,
        ConversionEventKind.QUOTED,
        at=now,
        principal=principal,
        before=before,
        note=clean(note),
        data=data,
        changes={"total_payable_yuan": [old["total_payable_yuan"], str(quote.total)]},
    )
    return app
