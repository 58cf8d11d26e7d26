"""Import rows into a registry table through its service: all rows or none.

Every row runs in its own SAVEPOINT inside one outer SAVEPOINT, so that a bad row does not
poison the rows after it and every error is reported; if any row failed (or on a dry run) the
outer SAVEPOINT is rolled back and nothing is written. Rows are upserted by natural key, and a
row whose values equal the stored ones is left alone (no write, no audit row).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.errors import GasWardenError
from gaswarden.core.protect import mask_for
from gaswarden.transfer.resources import ORGANIZATION, Ref, Resource
from gaswarden.transfer.values import CellError, adapter, bilingual, is_empty, parse_cell, same

Row = tuple[int, dict[str, Any]]  # (row number as the spreadsheet shows it, column -> cell)


class _Empty:
    def __repr__(self) -> str:
        return "EMPTY"


EMPTY = _Empty()  # a column that is present with nothing in it


@dataclass(frozen=True)
class _Masked:
    text: str


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    resource: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
            "errors": [asdict(e) for e in self.errors],
        }


class _RowFailed(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors


def check_columns(resource: Resource, columns: list[str], row: int) -> list[RowError]:
    known = resource.accepted_columns
    return [
        RowError(row, c, f"未知列 / unknown column; known: {', '.join(resource.columns)}")
        for c in columns
        if c not in known
    ]


def import_rows(
    *,
    session: Session,
    principal: Principal,
    resource: Resource,
    rows: list[Row],
    dry_run: bool = False,
    errors: list[RowError] | None = None,
) -> ImportReport:
    """Validate and write `rows`; write nothing if any row (or `errors`) failed."""
    principal.require(resource.service.write_action)
    report = ImportReport(resource.name, dry_run=dry_run, errors=list(errors or []))
    run = _Run(session, principal, resource)
    outer = session.begin_nested()
    try:
        for number, cells in rows:
            try:
                outcome = run.row(number, cells)
            except _RowFailed as exc:
                report.errors.extend(exc.errors)
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
    except BaseException:
        outer.rollback()
        raise
    if report.errors or dry_run:
        outer.rollback()
    else:
        outer.commit()
    return report


class _Run:
    def __init__(self, session: Session, principal: Principal, resource: Resource) -> None:
        self.session = session
        self.principal = principal
        self.resource = resource
        self.service = resource.service
        self.schema = resource.service.create_schema
        self.seen_keys: dict[tuple[Any, ...], int] = {}
        self.seen_ids: dict[int, int] = {}

    # ---- one row ------------------------------------------------------------------------
    def row(self, number: int, cells: dict[str, Any]) -> str:
        errors: list[RowError] = []
        parsed = self._parse(number, cells, errors)
        existing = self._existing(number, cells, parsed, errors)
        if errors:
            raise _RowFailed(errors)
        data = self._data(number, parsed, existing, errors)
        if existing is not None:
            data = self._changes(number, existing, data, errors)
        if errors:
            raise _RowFailed(errors)
        if existing is not None and not data:
            return "unchanged"
        try:
            with self.session.begin_nested():
                if existing is None:
                    self.service.create(session=self.session, principal=self.principal, data=data)
                else:
                    self.service.update(
                        session=self.session, principal=self.principal, id=existing.id, data=data
                    )
        except GasWardenError as exc:
            raise _RowFailed(self._service_errors(number, exc)) from exc
        except (SQLAlchemyError, ValueError) as exc:
            first = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise _RowFailed([RowError(number, "", f"数据库拒绝 / rejected: {first}")]) from exc
        return "created" if existing is None else "updated"

    def _parse(self, number: int, cells: dict[str, Any], errors: list[RowError]) -> dict[str, Any]:
        """Field -> value for the service, EMPTY, or a returned mask; absent columns left out."""
        parsed: dict[str, Any] = {}
        protected = self.resource.protected
        for name in self.resource.fields:
            ref = self.resource.ref(name)
            try:
                if ref is not None:
                    value = self._reference(ref, cells)
                    if value is not None:
                        parsed[name] = value
                    continue
                if name not in cells:
                    continue
                raw = cells[name]
                if is_empty(raw):
                    parsed[name] = EMPTY
                elif name in protected and "*" in str(raw):
                    parsed[name] = _Masked(str(raw).strip())
                else:
                    parsed[name] = parse_cell(self.schema, name, raw)
            except CellError as exc:
                column = self.resource.column_of(name)
                errors.append(RowError(number, column, str(exc)))
        return parsed

    def _reference(self, ref: Ref, cells: dict[str, Any]) -> Any:
        """The id (or ids) a row names by natural key or by id; EMPTY; None when absent."""
        by_key = by_id = None
        if not is_empty(cells.get(ref.column)):
            by_key = self._by_key(ref, cells)
        if not is_empty(cells.get(ref.field)):
            by_id = _ids(ref, cells[ref.field])
        if by_key is not None and by_id is not None and not same(by_key, by_id):
            raise CellError(
                f"{ref.field}与{ref.column}所指不是同一{ref.zh}",
                f"{ref.field} and {ref.column} name different {ref.en}s",
            )
        if by_key is not None:
            return by_key
        if by_id is not None:
            return by_id
        return EMPTY if (ref.column in cells or ref.field in cells) else None

    def _by_key(self, ref: Ref, cells: dict[str, Any]) -> Any:
        raw = str(cells[ref.column]).strip()
        if ref.many:
            keys = [k.strip() for k in re.split(r"[;,；，、]", raw) if k.strip()]
            return [self._one(ref, k, {}) for k in keys]
        where: dict[str, Any] = {}
        if ref.org_column and not is_empty(cells.get(ref.org_column)):
            org = str(cells[ref.org_column]).strip()
            where["owner_id"] = self._one(ORGANIZATION, org, {})
        return self._one(ref, raw, where)

    def _one(self, ref: Ref, key: str, where: dict[str, Any]) -> int:
        stmt = ref.service.visible(self.principal).where(getattr(ref.model, ref.key) == key)
        for name, value in where.items():
            stmt = stmt.where(getattr(ref.model, name) == value)
        ids = list(self.session.scalars(stmt.with_only_columns(ref.model.id).limit(2)))
        if not ids:
            raise CellError(
                f"未找到{ref.zh}“{key}”(或无权访问)", f"no {ref.en} {key!r} that you can see"
            )
        if len(ids) > 1:
            raise CellError(
                f"有多个{ref.zh}名为“{key}”，请填写{ref.org_column or ref.field}",
                f"{key!r} names more than one {ref.en}; give {ref.org_column or ref.field}",
            )
        return ids[0]

    def _existing(
        self, number: int, cells: dict[str, Any], parsed: dict[str, Any], errors: list[RowError]
    ) -> Any:
        """The stored record the row updates: by natural key, else by id; None to create."""
        model = self.service.model
        by_id = None
        if not is_empty(cells.get("id")):
            try:
                row_id = int(str(cells["id"]).strip())
            except ValueError:
                errors.append(RowError(number, "id", "id应为整数 / id must be an integer"))
                return None
            by_id = self._first(self.service.visible(self.principal).where(model.id == row_id))
            if by_id is None:
                errors.append(
                    RowError(number, "id", f"未找到编号{row_id} / no record {row_id} you can see")
                )
                return None
        key = self._key(parsed)
        by_key = None
        if key is not None:
            stmt = self.service.visible(self.principal)
            for name, value in zip(self.resource.key, key, strict=True):
                stmt = stmt.where(getattr(model, name) == value)
            found = list(self.session.scalars(stmt.limit(2)))
            if len(found) > 1:
                errors.append(
                    RowError(
                        number,
                        self.resource.column_of(self.resource.key[-1]),
                        "匹配到多条记录，请填写id / matches more than one record; give the id",
                    )
                )
                return None
            by_key = found[0] if found else None
            first = self.seen_keys.setdefault(key, number)
            if first != number:
                errors.append(self._duplicate(number, first))
        if by_id is not None and by_key is not None and by_id.id != by_key.id:
            column = self.resource.column_of(self.resource.key[0])
            errors.append(
                RowError(number, "id", f"id与{column}所指记录不同 / id and {column} disagree")
            )
            return None
        existing = by_key or by_id
        if existing is not None:
            first = self.seen_ids.setdefault(existing.id, number)
            if first != number and key is None:
                errors.append(self._duplicate(number, first))
        return existing

    def _duplicate(self, number: int, first: int) -> RowError:
        column = self.resource.column_of(self.resource.key[0]) if self.resource.key else "id"
        return RowError(number, column, f"与第{first}行重复 / duplicates row {first}")

    def _key(self, parsed: dict[str, Any]) -> tuple[Any, ...] | None:
        if not self.resource.key:
            return None
        values = []
        for name in self.resource.key:
            value = parsed.get(name)
            if (
                name == "owner_id"
                and value in (None, EMPTY)
                and self.principal.scope_kind is ScopeKind.ORG
            ):
                value = self.principal.org_id  # the service files it under the caller's org
            if value is None or value is EMPTY or isinstance(value, _Masked):
                return None
            try:
                values.append(adapter(self.schema, name).validate_python(value))
            except ValidationError:
                return None  # the service reports the bad value
        return tuple(values)

    def _first(self, stmt: Any) -> Any:
        return self.session.scalars(stmt.limit(1)).first()

    # ---- what goes to the service ------------------------------------------------------
    def _data(
        self, number: int, parsed: dict[str, Any], existing: Any, errors: list[RowError]
    ) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, value in parsed.items():
            column = self.resource.column_of(name)
            if isinstance(value, _Masked):
                stored = getattr(existing, name, None) if existing is not None else None
                if stored and mask_for(name, stored) == value.text:
                    continue  # the exported mask came back: keep the stored value
                errors.append(
                    RowError(
                        number,
                        column,
                        "脱敏值与原值不符，请填写完整号码 / "
                        "masked value does not match the stored one; give the full value",
                    )
                )
                continue
            if value is EMPTY:
                info = self.schema.model_fields[name]
                if existing is not None and name in self.resource.write_only:
                    continue  # an empty password keeps the one the user has
                if info.is_required():
                    if existing is not None:
                        errors.append(RowError(number, column, "必填 / required"))
                    continue  # on create the service reports it
                if info.default is not None:
                    continue  # a column with a default (status, active): empty keeps it
                value = None
            data[name] = value
        return data

    def _changes(
        self, number: int, existing: Any, data: dict[str, Any], errors: list[RowError]
    ) -> dict[str, Any]:
        """Only the fields whose value differs from the stored one."""
        changes: dict[str, Any] = {}
        updatable = self.resource.update_fields
        for name, value in data.items():
            if name in self.resource.write_only:
                if value is not None:
                    changes[name] = value
                continue
            try:
                new = adapter(self.schema, name).validate_python(value)
            except ValidationError:
                new = value  # differs; the service says why
            if same(getattr(existing, name, None), new):
                continue
            if name not in updatable:
                errors.append(
                    RowError(
                        number,
                        self.resource.column_of(name),
                        "创建后不能通过导入修改 / cannot be changed once created",
                    )
                )
                continue
            changes[name] = value
        return changes

    def _service_errors(self, number: int, exc: GasWardenError) -> list[RowError]:
        out = []
        for err in exc.errors:
            loc = [str(p) for p in err.get("loc", ()) if p != "body"]
            column = self.resource.column_of(loc[0]) if loc else ""
            out.append(RowError(number, column, bilingual(str(err.get("msg", "")))))
        if not out:
            out.append(RowError(number, "", f"{exc.title_zh} / {exc.detail}"))
        return out


def _ids(ref: Ref, raw: Any) -> Any:
    try:
        if ref.many:
            return [int(p) for p in re.split(r"[;,；，、]", str(raw)) if p.strip()]
        return int(str(raw).strip())
    except ValueError as exc:
        raise CellError(f"{ref.field}应为整数", f"{ref.field} must be an integer") from exc
