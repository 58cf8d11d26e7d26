"""/api/v1/checklists: templates, their versions, publishing, import and export (JSON, XLSX).

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
"""

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Query, Response, UploadFile, status
from pydantic import BaseModel, create_model
from sqlalchemy.orm import Session

from gaswarden.core.api import split_query
from gaswarden.core.pagination import PageParams
from gaswarden.deps import PrincipalDep, SessionDep
from gaswarden.domains.inspection import checklists as service
from gaswarden.domains.inspection.models import ChecklistTemplate
from gaswarden.domains.inspection.schemas_checklists import (
    ChecklistCreate,
    ChecklistDetail,
    ChecklistPage,
    ChecklistRead,
    ChecklistUpdate,
    ChecklistVersionRead,
    ChecklistVersionSummary,
    VersionPublish,
)

router = APIRouter(prefix="/checklists", tags=["checklists"])
ChecklistQuery: Any = create_model(
    "ChecklistQuery",
    __base__=PageParams,
    **{f.name: (f.annotation, None) for f in service.FILTERS.filters},  # type: ignore[call-overload]
)


class ImportResult(BaseModel):
    created: bool
    template: ChecklistRead
    version: ChecklistVersionRead


def _detail(session: Session, template: ChecklistTemplate) -> ChecklistDetail:
    current = service.current_version(session=session, template=template)
    return ChecklistDetail(
        **ChecklistRead.model_validate(template).model_dump(),
        current_version=ChecklistVersionRead.model_validate(current) if current else None,
        versions=[
            ChecklistVersionSummary.model_validate(v)
            for v in service.versions(session=session, template=template)
        ],
    )


@router.get("", response_model=ChecklistPage, summary="List checklist templates 检查表")
def list_checklists(
    query: Annotated[ChecklistQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> ChecklistPage:
    params, filters = split_query(query)
    page = service.get_all(session=session, principal=principal, params=params, filters=filters)
    return ChecklistPage(
        items=[ChecklistRead.model_validate(t) for t in page.items],
        total=page.total,
        page=page.page,
        size=page.size,
    )


@router.post(
    "",
    response_model=ChecklistDetail,
    status_code=status.HTTP_201_CREATED,
    summary="Create a template with its version 1 (regulator)",
)
def create_checklist(
    body: ChecklistCreate, session: SessionDep, principal: PrincipalDep
) -> ChecklistDetail:
    return _detail(session, service.create(session=session, principal=principal, data=body))


@router.post(
    "/import",
    response_model=ImportResult,
    summary="Import a template from JSON or XLSX: a new version, or a new template",
    responses={422: {"description": "the file is not a valid checklist; nothing was imported"}},
)
def import_checklist(
    file: Annotated[UploadFile, File(description="a checklist exported as .json or .xlsx")],
    session: SessionDep,
    principal: PrincipalDep,
    format: Literal["json", "xlsx"] | None = None,
    code: str | None = None,
    name: str | None = None,
    target: str | None = None,
) -> ImportResult:
    service.require_editor(principal)
    data = service.parse(service.read_import(file.file), service.format_for(file.filename, format))
    template, version, created = service.import_data(
        session=session,
        principal=principal,
        data=data,
        overrides={"code": code, "name": name, "target": target},
    )
    return ImportResult(
        created=created,
        template=ChecklistRead.model_validate(template),
        version=ChecklistVersionRead.model_validate(version),
    )


@router.get("/{checklist_id}", response_model=ChecklistDetail)
def read_checklist(
    checklist_id: int, session: SessionDep, principal: PrincipalDep
) -> ChecklistDetail:
    return _detail(session, service.get(session=session, principal=principal, id=checklist_id))


@router.patch("/{checklist_id}", response_model=ChecklistDetail)
def update_checklist(
    checklist_id: int,
    body: ChecklistUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    reason: str | None = None,
) -> ChecklistDetail:
    template = service.update(
        session=session, principal=principal, id=checklist_id, data=body, reason=reason
    )
    return _detail(session, template)


@router.get("/{checklist_id}/versions", response_model=list[ChecklistVersionSummary])
def list_versions(
    checklist_id: int, session: SessionDep, principal: PrincipalDep
) -> list[ChecklistVersionSummary]:
    template = service.get(session=session, principal=principal, id=checklist_id)
    return [
        ChecklistVersionSummary.model_validate(v)
        for v in service.versions(session=session, template=template)
    ]


@router.post(
    "/{checklist_id}/versions",
    response_model=ChecklistVersionRead,
    status_code=status.HTTP_201_CREATED,
    summary="Publish a new version of the items (regulator); old versions stay",
)
def publish_version(
    checklist_id: int, body: VersionPublish, session: SessionDep, principal: PrincipalDep
) -> ChecklistVersionRead:
    version = service.publish(session=session, principal=principal, id=checklist_id, data=body)
    return ChecklistVersionRead.model_validate(version)


@router.get("/{checklist_id}/versions/{number}", response_model=ChecklistVersionRead)
def read_version(
    checklist_id: int, number: int, session: SessionDep, principal: PrincipalDep
) -> ChecklistVersionRead:
    version = service.get_version(
        session=session, principal=principal, template_id=checklist_id, number=number
    )
    return ChecklistVersionRead.model_validate(version)


@router.get(
    "/{checklist_id}/export",
    summary="Export a template (its current version, or ?version=N) as JSON or XLSX",
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/json": {},
                service.XLSX_TYPE: {},
            }
        }
    },
)
def export_checklist(
    checklist_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    format: Literal["json", "xlsx"] = "json",
    version: int | None = None,
) -> Response:
    data = service.export_data(
        session=session, principal=principal, id=checklist_id, number=version
    )
    filename = f"checklist-{data['code']}-v{data['version']}.{format}"
    disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
    if format == "xlsx":
        content, media = service.to_xlsx(data), service.XLSX_TYPE
    else:
        content, media = service.to_json(data), "application/json"
    return Response(content, media_type=media, headers={"Content-Disposition": disposition})
