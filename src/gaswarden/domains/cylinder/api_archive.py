"""/api/v1/cylinders (the archive: register, bulk register, correct, read; never delete),
its printable labels, and /api/v1/gas-batches.

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response, status

from gaswarden.core.api import crud_router, list_query_model, split_query
from gaswarden.core.errors import Invalid, NotFound
from gaswarden.deps import PrincipalDep, SessionDep
from gaswarden.domains.cylinder import labels
from gaswarden.domains.cylinder import schemas as s
from gaswarden.domains.cylinder.models import Cylinder
from gaswarden.domains.cylinder.service import cylinders, gas_batches

router = APIRouter()
LabelQuery = list_query_model(cylinders, "CylinderLabelQuery")


def _ids(raw: str) -> list[int]:
    try:
        ids = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError as exc:
        raise Invalid("ids: a comma-separated list of cylinder ids") from exc
    if len(ids) > labels.MAX_LABELS:
        raise Invalid(f"ids: at most {labels.MAX_LABELS} labels at a time")
    return list(dict.fromkeys(ids))


@router.get(
    "/cylinders/labels.pdf",
    tags=["cylinders"],
    summary="An A4 sheet of tag labels: by ids, or by the list's filters (capped)",
    response_class=Response,
)
def labels_sheet(
    query: Annotated[LabelQuery, Query()],  # type: ignore[valid-type]
    session: SessionDep,
    principal: PrincipalDep,
    ids: str | None = None,
) -> Response:
    if ids:
        found: list[Cylinder] = [
            cylinders.get(session=session, principal=principal, id=i) for i in _ids(ids)
        ]  # one out of scope: 404
    else:
        params, filters = split_query(query)
        found = []
        for cyl in cylinders.iter_all(
            session=session, principal=principal, filters=filters, q=params.q, sort=params.sort
        ):
            found.append(cyl)
            if len(found) >= labels.MAX_LABELS:
                break
    pdf = labels.labels_pdf(labels.label_of(c) for c in found)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="cylinder-labels.pdf"'},
    )


@router.post(
    "/cylinders/bulk",
    tags=["cylinders"],
    status_code=status.HTTP_201_CREATED,
    response_model=s.BulkResult,
    summary="Register many cylinders: all or nothing, with the errors of each failing row",
)
def bulk_register(
    rows: Annotated[list[dict[str, Any]], Body(max_length=s.MAX_BULK)],
    session: SessionDep,
    principal: PrincipalDep,
    reason: str | None = None,
) -> Any:
    created = cylinders.bulk_register(
        session=session, principal=principal, rows=rows, reason=reason
    )
    return s.BulkResult(
        created=len(created), items=[s.CylinderRead.model_validate(c) for c in created]
    )


@router.get(
    "/cylinders/{item_id}/label.png",
    tags=["cylinders"],
    summary="One tag label (PNG)",
    response_class=Response,
)
def label_png(item_id: int, session: SessionDep, principal: PrincipalDep) -> Response:
    cyl = cylinders.get(session=session, principal=principal, id=item_id)
    return Response(
        labels.label_png(labels.label_of(cyl)),
        media_type="image/png",
        headers={"Content-Disposition": f'inline; filename="{cyl.tag_code}.png"'},
    )


@router.delete(
    "/cylinders/{item_id}",
    tags=["cylinders"],
    status_code=status.HTTP_409_CONFLICT,
    summary="Refused: the archive is a record (cylinders are scrapped, never deleted)",
)
def delete_cylinder(item_id: int, session: SessionDep, principal: PrincipalDep) -> None:
    cylinders.delete(session=session, principal=principal, id=item_id)
    raise NotFound(f"cylinder {item_id} not found")  # not reached: delete always raises


router.include_router(
    crud_router(
        cylinders,
        path="cylinders",
        create=s.CylinderCreate,
        update=s.CylinderUpdate,
        read=s.CylinderRead,
        tag="cylinders",
        deletable=False,
    )
)
router.include_router(
    crud_router(
        gas_batches,
        path="gas-batches",
        create=s.GasBatchCreate,
        update=s.GasBatchUpdate,
        read=s.GasBatchRead,
        tag="cylinders",
    )
)
