"""The cylinder archive (一瓶一码) and gas-source batches (气源采购).

The archive registers a cylinder once: its tag code is unique forever and never reused (a
scrapped cylinder's revoked code too); the service computes its service life and its next
periodic inspection from the standards, and opens its timeline with a REGISTER event. Status
and location belong to the scan chain (events.py); the archive is a record, never deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, not_, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.crud import CrudService
from gaswarden.core.errors import Conflict, GasWardenError, Invalid
from gaswarden.core.filters import Filter, FilterSet
from gaswarden.domains.customer.service import customers
from gaswarden.domains.cylinder.enums import CylinderStatus, EventKind, EventResult
from gaswarden.domains.cylinder.models import Cylinder, CylinderEvent, GasBatch
from gaswarden.domains.cylinder.schemas import (
    MAX_BULK,
    CylinderCreate,
    CylinderUpdate,
    GasBatchCreate,
    GasBatchUpdate,
)
from gaswarden.domains.cylinder.scope import cylinder_scope
from gaswarden.domains.inspection.tasks import local_today
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.enums import SiteKind
from gaswarden.domains.site.models import Site
from gaswarden.domains.site.service import service as sites
from gaswarden.domains.workforce.service import owned_scope, vehicles
from gaswarden.standards import cylinders as std


def _field_error(field: str, message: str) -> Invalid:
    return Invalid(f"{field}: {message}", errors=[{"loc": ["body", field], "msg": message}])


def _check_owner(session: Session, principal: Principal, owner_id: int | None) -> Organization:
    """Enterprise users write for their own enterprise; the owner is an LPG enterprise."""
    if principal.scope_kind is ScopeKind.ORG and owner_id != principal.org_id:
        raise _field_error("owner_id", "an enterprise registers its own records only")
    if owner_id is None:
        raise _field_error("owner_id", "name the LPG enterprise")
    owner = session.get(Organization, owner_id)
    if owner is None or owner.kind is not OrgKind.LPG:
        raise _field_error("owner_id", "must be an LPG enterprise")
    return owner


def _check_filling_station(session: Session, site_id: int | None, owner_id: int) -> Site | None:
    if site_id is None:
        return None
    site = session.get(Site, site_id)
    if site is None or site.owner_id != owner_id or site.kind is not SiteKind.LPG_FILLING:
        raise _field_error("site_id", "must be a filling station (储配站) of the owner")
    return site


@dataclass(frozen=True)
class DueFilter(Filter):
    """`?overdue=true`: the column's date has passed (today, local); false: it has not."""

    def clause(self, value: Any) -> ColumnElement[bool]:
        past: ColumnElement[bool] = self.column < local_today()
        return past if value else not_(past)


# ---- gas batches -------------------------------------------------------------------------------
class GasBatchService(CrudService[GasBatch]):
    model = GasBatch
    create_schema = GasBatchCreate
    update_schema = GasBatchUpdate
    entity = "gas_batch"
    zh, en = "气源采购批次", "Gas batches"
    filters = FilterSet(
        filters=(
            Filter("owner_id", GasBatch.owner_id, type=int, zh="所属企业", en="Enterprise"),
            Filter("site_id", GasBatch.site_id, type=int, zh="储配站", en="Filling station"),
            Filter("arrived_from", GasBatch.arrived_on, "gte", date, zh="到货起", en="From"),
            Filter("arrived_to", GasBatch.arrived_on, "lte", date, zh="到货止", en="To"),
        ),
        search=(GasBatch.code, GasBatch.supplier, GasBatch.certificate_no),
        sort={"code": GasBatch.code, "arrived_on": GasBatch.arrived_on},
        default_sort=("-arrived_on",),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        return owned_scope(principal, GasBatch.owner_id)

    def references(self) -> dict[str, CrudService[Any]]:
        return {"owner_id": organizations, "site_id": sites}

    def prepare(
        self,
        *,
        session: Session,
        principal: Principal,
        obj: GasBatch,
        data: dict[str, Any],
        creating: bool,
    ) -> None:
        if creating:
            _check_owner(session, principal, obj.owner_id)
        if obj.site_id is None:
            raise _field_error("site_id", "name the filling station that received the gas")
        _check_filling_station(session, obj.site_id, obj.owner_id)
        if obj.arrived_on > local_today():
            raise _field_error("arrived_on", "a batch cannot arrive in the future")
        same = select(GasBatch.id).where(
            GasBatch.owner_id == obj.owner_id, GasBatch.code == obj.code
        )
        if obj.id is not None:
            same = same.where(GasBatch.id != obj.id)
        if session.scalar(same) is not None:
            raise Conflict(
                f"batch {obj.code!r} is already recorded for this enterprise",
                errors=[{"loc": ["body", "code"], "msg": "already used", "type": "unique"}],
            )

    def delete(
        self, *, session: Session, principal: Principal, id: int, reason: str | None = None
    ) -> None:
        batch = self.get(session=session, principal=principal, id=id)
        used = session.scalar(  # (only fills name a batch: the partial index)
            select(CylinderEvent.id)
            .where(CylinderEvent.batch_id == batch.id, CylinderEvent.kind == EventKind.FILL)
            .limit(1)
        )
        if used is not None:
            raise Conflict(f"batch {batch.code} was filled into cylinders; it stays on record")
        super().delete(session=session, principal=principal, id=id, reason=reason)

    def audit_place(self, obj: GasBatch) -> tuple[int | None, int | None]:
        return obj.owner_id, obj.owner.area_id if obj.owner else None


gas_batches = GasBatchService()


# ---- the cylinder archive ---------------------------------------------------------------------
class CylinderService(CrudService[Cylinder]):
    model = Cylinder
    create_schema = CylinderCreate
    update_schema = CylinderUpdate
    entity = "cylinder"
    zh, en = "气瓶档案", "Cylinders"
    filters = FilterSet(
        filters=(
            Filter("status", Cylinder.status, choices=CylinderStatus, zh="状态", en="Status"),
            Filter("owner_id", Cylinder.owner_id, type=int, zh="产权单位", en="Owner"),
            Filter("capacity_kg", Cylinder.capacity_kg, type=int, zh="规格(kg)", en="Capacity"),
            Filter("site_id", Cylinder.site_id, type=int, zh="所在场站", en="Station"),
            DueFilter(
                "overdue", Cylinder.next_inspection_on, "is", bool, zh="超期未检", en="Overdue"
            ),
            DueFilter(
                "expired", Cylinder.life_ends_on, "is", bool, zh="超过使用年限", en="Expired"
            ),
            Filter("revoked", Cylinder.revoked, op="is", type=bool, zh="已注销", en="Revoked"),
        ),
        search=(Cylinder.tag_code, Cylinder.stamp_serial),
        sort={
            "tag_code": Cylinder.tag_code,
            "capacity_kg": Cylinder.capacity_kg,
            "status": Cylinder.status,
            "made_on": Cylinder.made_on,
            "next_inspection_on": Cylinder.next_inspection_on,
            "life_ends_on": Cylinder.life_ends_on,
        },
        default_sort=("tag_code",),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        return cylinder_scope(principal)

    def references(self) -> dict[str, CrudService[Any]]:
        # Only owner_id and site_id are written here; the rest name where the chain put it.
        return {
            "owner_id": organizations,
            "site_id": sites,
            "vehicle_id": vehicles,
            "customer_id": customers,
            "batch_id": gas_batches,
        }

    def prepare(
        self,
        *,
        session: Session,
        principal: Principal,
        obj: Cylinder,
        data: dict[str, Any],
        creating: bool,
    ) -> None:
        if creating:
            self._check_new_code(session, obj.tag_code)
            _check_owner(session, principal, obj.owner_id)
            assert obj.owner_id is not None
            site = _check_filling_station(session, obj.site_id, obj.owner_id)
            obj.area_id = site.area_id if site else None
            obj.status = CylinderStatus.IN_STOCK
            obj.revoked = False
            obj.life_extended = False
        elif obj.revoked:
            raise Conflict(f"cylinder {obj.tag_code} is scrapped; its archive is closed")
        self._check_dates(obj)
        self._compute(obj, data, creating)

    def _check_new_code(self, session: Session, tag_code: str) -> None:
        """Unique across every enterprise and forever: a scrapped cylinder's code stays its."""
        existing = session.scalars(select(Cylinder).where(Cylinder.tag_code == tag_code)).first()
        if existing is None:
            return
        state = "scrapped, its code revoked" if existing.revoked else "registered"
        raise Conflict(
            f"tag code {tag_code} already belongs to a cylinder ({state}); "
            "a tag code is never reused",
            errors=[{"loc": ["body", "tag_code"], "msg": "never reused", "type": "unique"}],
        )

    def _check_dates(self, obj: Cylinder) -> None:
        today = local_today()
        if obj.made_on > today:
            raise _field_error("made_on", "cannot lie in the future")
        last = obj.last_inspected_on
        if last is not None and not obj.made_on <= last <= today:
            raise _field_error("last_inspected_on", "between the manufacture date and today")

    def _compute(self, obj: Cylinder, data: dict[str, Any], creating: bool) -> None:
        """Service life (GB 5842) and the next periodic inspection (GB/T 8334)."""
        legacy = obj.made_on < std.GB5842_EFFECTIVE
        obj.design_life_years = std.LEGACY_LIFE_YEARS if legacy else std.DESIGN_LIFE_YEARS
        obj.life_ends_on = std.service_life_end(obj.made_on, extended=bool(obj.life_extended))
        latest_due = std.next_inspection(obj.last_inspected_on or obj.made_on)
        given = data.get("next_inspection_on")
        if given is None and (creating or "last_inspected_on" in data or "made_on" in data):
            obj.next_inspection_on = latest_due
        elif given is not None and given > latest_due:
            raise _field_error(
                "next_inspection_on",
                f"no later than {latest_due.isoformat()}: every "
                f"{std.INSPECTION_INTERVAL_YEARS} years after the last inspection",
            )

    def create(
        self,
        *,
        session: Session,
        principal: Principal,
        data: dict[str, Any] | BaseModel,
        reason: str | None = None,
    ) -> Cylinder:
        cyl = super().create(session=session, principal=principal, data=data, reason=reason)
        now = datetime.now(UTC)
        assert cyl.owner_id is not None
        session.add(
            CylinderEvent(
                key=f"register:{cyl.tag_code}",
                org_id=cyl.owner_id,
                kind=EventKind.REGISTER,
                result=EventResult.ACCEPTED,
                tag_code=cyl.tag_code,
                cylinder_id=cyl.id,
                occurred_at=now,
                received_at=now,
                user_id=principal.user_id,
                username=principal.username,
                site_id=cyl.site_id,
                area_id=cyl.area_id,
                status_after=CylinderStatus.IN_STOCK,
            )
        )
        session.flush()
        return cyl

    def bulk_register(
        self,
        *,
        session: Session,
        principal: Principal,
        rows: Sequence[dict[str, Any] | BaseModel],
        reason: str | None = None,
    ) -> list[Cylinder]:
        """All or nothing: every row is checked; if any fails, none is registered and the
        error names each failing row."""
        if not rows:
            raise Invalid("no cylinders to register")
        if len(rows) > MAX_BULK:
            raise Invalid(f"at most {MAX_BULK} cylinders at a time")
        principal.require(self.write_action)
        created: list[Cylinder] = []
        errors: list[dict[str, Any]] = []
        # One savepoint round the batch: raising inside it (a failing row) rolls back every
        # row registered before; the caller's transaction decides the rest.
        with session.begin_nested():
            for index, row in enumerate(rows):
                tag = (row if isinstance(row, dict) else row.model_dump()).get("tag_code")
                try:
                    with session.begin_nested():
                        created.append(
                            self.create(
                                session=session, principal=principal, data=row, reason=reason
                            )
                        )
                except GasWardenError as exc:
                    errors.append(
                        {
                            "loc": ["body", index],
                            "index": index,
                            "tag_code": tag,
                            "status": exc.status_code,
                            "msg": exc.detail,
                            "errors": exc.errors,
                        }
                    )
            if errors:
                raise Invalid(
                    f"{len(errors)} of {len(rows)} cylinders failed; none was registered",
                    errors=errors,
                )
        return created

    def delete(
        self, *, session: Session, principal: Principal, id: int, reason: str | None = None
    ) -> None:
        self.get(session=session, principal=principal, id=id)  # out of scope: 404
        raise Conflict(
            "the cylinder archive is a record and is never deleted; "
            "a cylinder leaves service by scrapping (its code is revoked)"
        )

    def audit_place(self, obj: Cylinder) -> tuple[int | None, int | None]:
        return obj.owner_id, obj.area_id or (obj.owner.area_id if obj.owner else None)


cylinders = CylinderService()
