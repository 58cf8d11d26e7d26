"""Export a registry table as the caller sees it: scoped, filtered, personal data masked,
references written by natural key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Invalid
from gaswarden.core.protect import mask_for
from gaswarden.transfer import csv_codec, geojson_codec
from gaswarden.transfer.resources import Ref, Resource

FORMATS = ("csv", "geojson")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


class _Keys:
    """Natural keys of referenced records, each looked up once per export."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[tuple[type[Any], int], Any] = {}

    def get(self, ref: Ref, id: int | None) -> Any:
        if id is None:
            return None
        if (ref.model, id) not in self.cache:
            obj = self.session.get(ref.model, id)
            self.cache[(ref.model, id)] = obj
        return self.cache[(ref.model, id)]


def record_values(resource: Resource, obj: Any, keys: _Keys) -> dict[str, Any]:
    """Column -> value of one record, as it goes into the file."""
    out: dict[str, Any] = {"id": obj.id}
    protected = resource.protected
    for name in resource.fields:
        ref = resource.ref(name)
        value = getattr(obj, name, None)
        if ref is None:
            if name in resource.write_only:
                value = None
            elif name in protected:
                value = mask_for(name, value)
            out[name] = value
            continue
        if ref.many:
            codes = sorted(getattr(keys.get(ref, i), ref.key) for i in value or [])
            out[ref.column] = ";".join(codes)
            continue
        target = keys.get(ref, value)
        out[ref.column] = getattr(target, ref.key) if target is not None else None
        if ref.export_id:
            out[ref.field] = value
        if ref.org_column:
            out[ref.org_column] = target.owner.name if target is not None else None
    return out


def check_format(resource: Resource, fmt: str) -> None:
    if fmt not in FORMATS:
        raise Invalid(
            f"format must be csv or geojson, not {fmt!r}",
            errors=[{"loc": ["query", "format"], "msg": "csv or geojson"}],
        )
    if fmt == "geojson" and resource.geo is None:
        raise Invalid(
            f"{resource.name} have no geometry; GeoJSON is for sites, assets and areas",
            errors=[{"loc": ["query", "format"], "msg": "csv only for this table"}],
        )


@dataclass
class Export:
    chunks: list[str]
    media_type: str
    filename: str
    count: int

    def content(self) -> bytes:
        return "".join(self.chunks).encode("utf-8")


def export(
    *,
    session: Session,
    principal: Principal,
    resource: Resource,
    fmt: str = "csv",
    filters: dict[str, Any] | None = None,
    q: str | None = None,
    sort: str | None = None,
) -> Export:
    """The file, built while the transaction is open (the web request's ends with its handler)."""
    check_format(resource, fmt)
    keys = _Keys(session)
    records = resource.service.iter_all(
        session=session, principal=principal, filters=filters, q=q, sort=sort
    )
    count = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal count
        for obj in records:
            count += 1
            yield record_values(resource, obj, keys)

    if fmt == "csv":
        chunks = list(csv_codec.write(resource.columns, rows()))
    else:
        chunks = list(geojson_codec.write(resource, rows()))
    filename = f"{resource.name}-{date.today():%Y%m%d}.{fmt}"
    return Export(chunks, MEDIA_TYPES[fmt], filename, count)
