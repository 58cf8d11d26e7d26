"""A file in, a report out: the format from the file name, then the codec, then the importer."""

from __future__ import annotations

from pathlib import PurePath

from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Invalid
from gaswarden.transfer import csv_codec, geojson_codec
from gaswarden.transfer.importer import ImportReport, import_rows
from gaswarden.transfer.resources import Resource

EXTENSIONS = {".csv": "csv", ".txt": "csv", ".geojson": "geojson", ".json": "geojson"}


def format_for(filename: str | None, given: str | None = None) -> str:
    """`given` if set, else from the extension: .csv, .geojson or .json."""
    suffix = PurePath(filename or "").suffix.lower()
    fmt = given.lower() if given else EXTENSIONS.get(suffix, "")
    if fmt not in ("csv", "geojson"):
        raise Invalid(
            f"cannot tell the format of {filename!r}: name it .csv, .geojson or .json",
            errors=[{"loc": ["format"], "msg": "csv or geojson"}],
        )
    return fmt


def import_file(
    *,
    session: Session,
    principal: Principal,
    resource: Resource,
    content: bytes,
    fmt: str,
    dry_run: bool = False,
) -> ImportReport:
    if fmt == "geojson" and resource.geo is None:
        raise Invalid(
            f"{resource.name} have no geometry; import them from CSV",
            errors=[{"loc": ["format"], "msg": "csv only for this table"}],
        )
    codec = csv_codec if fmt == "csv" else geojson_codec
    rows, errors = codec.read(resource, content)
    return import_rows(
        session=session,
        principal=principal,
        resource=resource,
        rows=rows,
        dry_run=dry_run,
        errors=errors,
    )
