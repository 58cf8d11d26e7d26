"""The verbs every registry resource shares: get, get_all, create, update, delete.

A domain's service subclasses CrudService, names its model, filters, scope and references, and
adds its own rules in `prepare`. Services flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gaswarden.core.auth import Action, Principal, ScopeKind
from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.core.filters import FilterSet
from gaswarden.core.pagination import Page, PageParams
from gaswarden.domains.audit import service as audit

M = TypeVar("M")


class CrudService(Generic[M]):
    model: ClassVar[type[Any]]
    entity: ClassVar[str]  # singular snake_case: the audit log's entity type
    zh: ClassVar[str] = ""
    en: ClassVar[str] = ""
    write_action: ClassVar[Action] = Action.REGISTRY_WRITE
    filters: ClassVar[FilterSet]
    unique: ClassVar[tuple[str, ...]] = ()  # fields whose duplicates are a conflict
    virtual: ClassVar[tuple[str, ...]] = ()  # input fields `prepare` handles (not columns)
    create_schema: ClassVar[type[BaseModel]]
    update_schema: ClassVar[type[BaseModel]]

    # ---- what a domain declares -------------------------------------------------------
    def scope(self, principal: Principal) -> ColumnElement[bool]:
        raise NotImplementedError

    def references(self) -> dict[str, CrudService[Any]]:
        """Foreign-key fields and the service whose records they must name (visible ones)."""
        return {}

    def prepare(
        self,
        *,
        session: Session,
        principal: Principal,
        obj: M,
        data: dict[str, Any],
        creating: bool,
    ) -> None:
        """Domain rules, run after `data` is applied to `obj` and before the flush."""

    def label(self, obj: M) -> str:
        return str(obj)

    def audit_place(self, obj: M) -> tuple[int | None, int | None]:
        return getattr(obj, "owner_id", None), getattr(obj, "area_id", None)

    def snapshot(self, obj: M) -> dict[str, Any]:
        """What the audit log compares before and after a write (columns, masked)."""
        return audit.snapshot(obj)

    # ---- reads ------------------------------------------------------------------------
    def visible(self, principal: Principal) -> Select[Any]:
        return select(self.model).where(self.scope(principal))

    def get(self, *, session: Session, principal: Principal, id: int) -> M:
        obj = session.scalars(self.visible(principal).where(self.model.id == id)).first()
        if obj is None:
            raise NotFound(f"{self.entity} {id} not found")
        return obj

    def filtered(
        self, principal: Principal, filters: dict[str, Any], q: str | None = None
    ) -> Select[Any]:
        return self.filters.apply(self.visible(principal), filters, q)

    def get_all(
        self,
        *,
        session: Session,
        principal: Principal,
        params: PageParams,
        filters: dict[str, Any] | None = None,
    ) -> Page[M]:
        stmt = self.filtered(principal, filters or {}, params.q)
        total = session.scalar(
            select(func.count()).select_from(stmt.with_only_columns(self.model.id).subquery())
        )
        stmt = self.filters.order(stmt, params.sort, self.model.id)
        items = list(session.scalars(stmt.offset(params.offset).limit(params.size)))
        return Page(items=items, total=total or 0, page=params.page, size=params.size)

    def iter_all(
        self,
        *,
        session: Session,
        principal: Principal,
        filters: dict[str, Any] | None = None,
        q: str | None = None,
        sort: str | None = None,
        batch: int = 1000,
    ) -> Iterator[M]:
        """Every visible, filtered record in order, a batch at a time (exports)."""
        stmt = self.filters.order(self.filtered(principal, filters or {}, q), sort, self.model.id)
        offset = 0
        while True:
            rows = list(session.scalars(stmt.offset(offset).limit(batch)))
            yield from rows
            if len(rows) < batch:
                return
            offset += batch

    # ---- writes -----------------------------------------------------------------------
    def create(
        self,
        *,
        session: Session,
        principal: Principal,
        data: dict[str, Any] | BaseModel,
        reason: str | None = None,
    ) -> M:
        principal.require(self.write_action)
        data = self.validated(self.create_schema, data)
        obj = self.model()
        if (
            principal.scope_kind is ScopeKind.ORG
            and "owner_id" in self.model.__table__.c  # a column, not a derived property
            and data.get("owner_id") is None
        ):
            data = {**data, "owner_id": principal.org_id}
        self._write(session=session, principal=principal, obj=obj, data=data, creating=True)
        session.add(obj)
        self._flush(session)
        self._ensure_visible(session, principal, obj)
        owner_id, area_id = self.audit_place(obj)
        audit.record(
            session=session,
            principal=principal,
            action="create",
            entity_type=self.entity,
            entity_id=obj.id,
            entity_label=self.label(obj),
            changes=audit.diff({}, self.snapshot(obj)),
            reason=reason,
            owner_id=owner_id,
            area_id=area_id,
        )
        return obj

    def update(
        self,
        *,
        session: Session,
        principal: Principal,
        id: int,
        data: dict[str, Any] | BaseModel,
        reason: str | None = None,
    ) -> M:
        principal.require(self.write_action)
        data = self.validated(self.update_schema, data)
        obj = self.get(session=session, principal=principal, id=id)
        before = self.snapshot(obj)
        self._write(session=session, principal=principal, obj=obj, data=data, creating=False)
        self._flush(session)
        self._ensure_visible(session, principal, obj)
        changes = audit.diff(before, self.snapshot(obj))
        if changes:
            owner_id, area_id = self.audit_place(obj)
            audit.record(
                session=session,
                principal=principal,
                action="update",
                entity_type=self.entity,
                entity_id=id,
                entity_label=self.label(obj),
                changes=changes,
                reason=reason,
                owner_id=owner_id,
                area_id=area_id,
            )
        return obj

    def delete(
        self, *, session: Session, principal: Principal, id: int, reason: str | None = None
    ) -> None:
        principal.require(self.write_action)
        obj = self.get(session=session, principal=principal, id=id)
        before = self.snapshot(obj)
        owner_id, area_id = self.audit_place(obj)
        label = self.label(obj)
        session.delete(obj)
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict(
                f"{self.entity} {id} is still referred to by other records; "
                "change its status instead of deleting it"
            ) from exc
        audit.record(
            session=session,
            principal=principal,
            action="delete",
            entity_type=self.entity,
            entity_id=id,
            entity_label=label,
            changes=audit.diff(before, {}),
            reason=reason,
            owner_id=owner_id,
            area_id=area_id,
        )

    # ---- helpers ----------------------------------------------------------------------
    def validated(
        self, schema: type[BaseModel], data: dict[str, Any] | BaseModel
    ) -> dict[str, Any]:
        """Input from any edge (API, CLI, import, demo) passes the same schema."""
        if isinstance(data, BaseModel):
            return data.model_dump(exclude_unset=True)
        try:
            return schema.model_validate(data).model_dump(exclude_unset=True)
        except ValidationError as exc:
            errors = [
                {"loc": ["body", *map(str, e["loc"])], "msg": e["msg"], "type": e["type"]}
                for e in exc.errors()
            ]
            detail = "; ".join(f"{'.'.join(e['loc'][1:])}: {e['msg']}" for e in errors)
            raise Invalid(detail, errors=errors) from exc

    def _write(
        self,
        *,
        session: Session,
        principal: Principal,
        obj: M,
        data: dict[str, Any],
        creating: bool,
    ) -> None:
        self._check_required(data)
        self._check_references(session, principal, data)
        self._check_unique(session, obj, data)
        for key, value in data.items():
            if key not in self.virtual:
                setattr(obj, key, value)
        self.prepare(session=session, principal=principal, obj=obj, data=data, creating=creating)

    def _check_required(self, data: dict[str, Any]) -> None:
        """An explicit null may clear an optional field, never a required one."""
        columns = self.model.__table__.columns
        errors = [
            {"loc": ["body", key], "msg": "cannot be empty", "type": "required"}
            for key, value in data.items()
            if value is None and key in columns and not columns[key].nullable
        ]
        if errors:
            names = ", ".join(e["loc"][1] for e in errors)
            raise Invalid(f"{names}: cannot be empty", errors=errors)

    def _check_references(
        self, session: Session, principal: Principal, data: dict[str, Any]
    ) -> None:
        errors = []
        for field, service in self.references().items():
            ref_id = data.get(field)
            if ref_id is None:
                continue
            # The id alone, in the caller's scope: no record loaded (nor its protected
            # columns decrypted) to learn that it exists.
            stmt = service.visible(principal).with_only_columns(service.model.id)
            if session.scalar(stmt.where(service.model.id == ref_id)) is None:
                errors.append(
                    {
                        "loc": ["body", field],
                        "msg": f"no {service.entity} {ref_id} that you can see",
                        "type": "reference",
                    }
                )
        if errors:
            raise Invalid("; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in errors), errors=errors)

    def _check_unique(self, session: Session, obj: M, data: dict[str, Any]) -> None:
        for field in self.unique:
            value = data.get(field)
            if value is None:
                continue
            column = getattr(self.model, field)
            stmt = select(self.model.id).where(column == value)
            own_id = getattr(obj, "id", None)
            if own_id is not None:
                stmt = stmt.where(self.model.id != own_id)
            if session.scalar(stmt) is not None:
                raise Conflict(
                    f"{field} {value!r} is already used by another {self.entity}",
                    errors=[{"loc": ["body", field], "msg": "already used", "type": "unique"}],
                )

    def _flush(self, session: Session) -> None:
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict(f"{self.entity} conflicts with an existing record: {exc.orig}") from exc

    def _ensure_visible(self, session: Session, principal: Principal, obj: M) -> None:
        stmt = select(self.model.id).where(
            self.model.id == obj.id,  # type: ignore[attr-defined]
            self.scope(principal),
        )
        if session.scalar(stmt) is None:
            raise Forbidden(f"this {self.entity} would lie outside your scope")
