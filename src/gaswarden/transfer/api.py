"""GET /api/v1/<table>/export and POST /api/v1/<table>/import for every registry table.

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
Included before the domain routers so that `/sites/export` is not read as `/sites/{item_id}`.
"""

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, create_model

from gaswarden.core.errors import Invalid
from gaswarden.deps import PrincipalDep, SessionDep
from gaswarden.transfer import exporter
from gaswarden.transfer.formats import format_for, import_file
from gaswarden.transfer.resources import RESOURCES, Resource


class RowErrorOut(BaseModel):
    row: int
    column: str
    message: str


class ImportResult(BaseModel):
    resource: str
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    errors: list[RowErrorOut]


def _query_model(resource: Resource) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "format": (Literal["csv", "geojson"], "csv"),
        "q": (str | None, None),
        "sort": (str | None, None),
    }
    fields.update({f.name: (f.annotation, None) for f in resource.service.filters.filters})
    name = "".join(p.title() for p in resource.name.split("-")) + "ExportQuery"
    return create_model(name, **fields)


def _resource_router(resource: Resource) -> APIRouter:
    router = APIRouter(prefix=f"/{resource.name}", tags=["import/export"])
    query_model = _query_model(resource)

    @router.get(
        "/export",
        summary=f"Export {resource.name} as CSV or GeoJSON (导出{resource.zh})",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/csv": {}, "application/geo+json": {}}}},
    )
    def export_table(
        query: Annotated[query_model, Query()],  # type: ignore[valid-type]
        session: SessionDep,
        principal: PrincipalDep,
    ) -> StreamingResponse:
        values = query.model_dump()  # type: ignore[attr-defined]
        fmt, q, sort = values.pop("format"), values.pop("q"), values.pop("sort")
        filters = {k: v for k, v in values.items() if v is not None}
        result = exporter.export(
            session=session,
            principal=principal,
            resource=resource,
            fmt=fmt,
            filters=filters,
            q=q,
            sort=sort,
        )
        disposition = (
            f"attachment; filename=\"{result.filename}\"; filename*=UTF-8''{quote(result.filename)}"
        )
        return StreamingResponse(
            (chunk.encode("utf-8") for chunk in result.chunks),
            media_type=result.media_type,
            headers={"Content-Disposition": disposition},
        )

    @router.post(
        "/import",
        response_model=ImportResult,
        summary=f"Import {resource.name} from CSV or GeoJSON (导入{resource.zh})",
        responses={422: {"description": "rows failed; nothing was imported"}},
    )
    def import_table(
        file: Annotated[UploadFile, File(description="CSV (UTF-8 or GB18030) or GeoJSON")],
        session: SessionDep,
        principal: PrincipalDep,
        dry_run: bool = False,
        format: Literal["csv", "geojson"] | None = None,
    ) -> ImportResult:
        fmt = format_for(file.filename, format)
        report = import_file(
            session=session,
            principal=principal,
            resource=resource,
            content=file.file.read(),
            fmt=fmt,
            dry_run=dry_run,
        )
        if report.errors:
            rows = len({e.row for e in report.errors})
            raise Invalid(
                f"{rows} row(s) failed; nothing was imported ({rows}行有误，未导入任何数据)",
                errors=report.as_dict()["errors"],
            )
        return ImportResult.model_validate(report.as_dict())

    return router


def build_router() -> APIRouter:
    router = APIRouter()
    for resource in RESOURCES.values():
        router.include_router(_resource_router(resource))
    return router


router = build_router()
