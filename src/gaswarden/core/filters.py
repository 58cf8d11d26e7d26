"""A list's filters, declared once: they drive the API's query parameters, the web filter form,
CSV export and the generic tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from pydantic import BaseModel, create_model
from sqlalchemy import ColumnElement, DateTime, Select, func, or_, select
from sqlalchemy.orm import Session

from gaswarden.core.enums import LabeledEnum
from gaswarden.core.errors import Invalid
from gaswarden.core.pagination import Page, PageParams

Op = Literal["in", "contains", "gte", "lte", "is"]


@dataclass(frozen=True)
class Filter:
    """`name` is the query parameter. `in` takes one or more values (?kind=a&kind=b)."""

    name: str
    column: Any
    op: Op = "in"
    type: Any = str
    zh: str = ""
    en: str = ""
    choices: type[LabeledEnum] | None = None

    def label(self, lang: str) -> str:
        return (self.zh if lang == "zh" else self.en) or self.name

    def clause(self, value: Any) -> ColumnElement[bool]:
        if self.op == "in":
            values = value if isinstance(value, list) else [value]
            return self.column.in_(values)
        if self.op == "contains":
            return self.column.ilike(f"%{value}%")
        if self.op in ("gte", "lte") and self._day_on_timestamp(value):
            # A day given for a timestamp column means the whole (UTC) day, both ends included.
            start = datetime.combine(value, time.min, tzinfo=UTC)
            if self.op == "gte":
                return self.column >= start
            return self.column < start + timedelta(days=1)
        if self.op == "gte":
            return self.column >= value
        if self.op == "lte":
            return self.column <= value
        return self.column.is_(value)

    def _day_on_timestamp(self, value: Any) -> bool:
        if not isinstance(value, date) or isinstance(value, datetime):
            return False
        column_type = self.column.type
        return isinstance(getattr(column_type, "impl_instance", column_type), DateTime)

    @property
    def annotation(self) -> Any:
        base = self.choices or self.type
        return list[base] | None if self.op == "in" else base | None  # type: ignore[valid-type]


@dataclass
class FilterSet:
    filters: tuple[Filter, ...]
    search: tuple[Any, ...] = ()  # columns the free-text `q` looks in
    sort: dict[str, Any] = field(default_factory=dict)  # public name -> column
    default_sort: tuple[str, ...] = ("id",)

    def by_name(self) -> dict[str, Filter]:
        return {f.name: f for f in self.filters}

    def apply(self, stmt: Select[Any], values: dict[str, Any], q: str | None) -> Select[Any]:
        for flt in self.filters:
            value = values.get(flt.name)
            if value is None or value == [] or value == "":
                continue
            stmt = stmt.where(flt.clause(value))
        if q and self.search:
            stmt = stmt.where(or_(*(col.ilike(f"%{q.strip()}%") for col in self.search)))
        return stmt

    def order(self, stmt: Select[Any], sort: str | None, id_column: Any) -> Select[Any]:
        keys = [k.strip() for k in sort.split(",") if k.strip()] if sort else []
        keys = keys or list(self.default_sort)
        clauses = []
        for key in keys:
            desc = key.startswith("-")
            name = key.lstrip("-")
            column = self.sort.get(name, id_column if name == "id" else None)
            if column is None:
                allowed = ", ".join(sorted({"id", *self.sort}))
                raise Invalid(
                    f"cannot sort by {name!r}; allowed: {allowed}",
                    errors=[{"loc": ["query", "sort"], "msg": f"unknown sort field {name!r}"}],
                )
            clauses.append(column.desc() if desc else column.asc())
        clauses.append(id_column.asc())  # a stable order for paging
        return stmt.order_by(*clauses)

    def page(
        self,
        session: Session,
        stmt: Select[Any],
        params: PageParams,
        filters: dict[str, Any] | None,
        id_column: Any,
    ) -> Page[Any]:
        """One page of `stmt` (already limited to the caller's scope) filtered, searched and
        sorted, with the total count: what every list endpoint and page returns."""
        stmt = self.apply(stmt, filters or {}, params.q)
        total = session.scalar(
            select(func.count()).select_from(stmt.with_only_columns(id_column).subquery())
        )
        stmt = self.order(stmt, params.sort, id_column)
        items = list(session.scalars(stmt.offset(params.offset).limit(params.size)))
        return Page(items=items, total=total or 0, page=params.page, size=params.size)

    def query_model(self, name: str) -> type[BaseModel]:
        fields: dict[str, Any] = {f.name: (f.annotation, None) for f in self.filters}
        return create_model(name, **fields)

    def parse(self, raw: dict[str, list[str]]) -> dict[str, Any]:
        """Parse a web form's query string (values as lists of strings) through the model."""
        model = self.query_model("WebFilters")
        data: dict[str, Any] = {}
        for flt in self.filters:
            values = [v for v in raw.get(flt.name, []) if v != ""]
            if values:
                data[flt.name] = values if flt.op == "in" else values[0]
        try:
            return model.model_validate(data).model_dump(exclude_none=True)
        except Exception as exc:
            raise Invalid(f"bad filter: {exc}") from exc


def date_range(name: str, column: Any, zh: str, en: str) -> tuple[Filter, Filter]:
    return (
        Filter(f"{name}_from", column, "gte", date, zh=f"{zh}起", en=f"{en} from"),
        Filter(f"{name}_to", column, "lte", date, zh=f"{zh}止", en=f"{en} to"),
    )
