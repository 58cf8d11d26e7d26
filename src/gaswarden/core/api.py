"""The REST routes every registry resource shares, built from its service and schemas.

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, create_model

from gaswarden.core.crud import CrudService
from gaswarden.core.pagination import Page, PageParams
from gaswarden.deps import PrincipalDep, SessionDep


def list_query_model(service: CrudService[Any], name: str) -> type[PageParams]:
    fields: dict[str, Any] = {f.name: (f.annotation, None) for f in service.filters.filters}
    return create_model(name, __base__=PageParams, **fields)


def split_query(query: PageParams) -> tuple[PageParams, dict[str, Any]]:
    base = set(PageParams.model_fields)
    params = PageParams(**{k: getattr(query, k) for k in base})
    filters = {k: v for k, v in query.model_dump().items() if k not in base and v is not None}
    return params, filters


def crud_router(
    service: CrudService[Any],
    *,
    path: str,
    create: type[BaseModel] | None,
    update: type[BaseModel] | None,
    read: type[BaseModel],
    tag: str,
    deletable: bool = True,
) -> APIRouter:
    router = APIRouter(prefix=f"/{path}", tags=[tag])
    query_model = list_query_model(service, f"{read.__name__.removesuffix('Read')}Query")
    page_model = create_model(f"{read.__name__.removesuffix('Read')}Page", __base__=Page[read])  # type: ignore[valid-type]
    entity = service.entity

    @router.get("", response_model=page_model, summary=f"List {path}")
    def list_items(
        query: Annotated[query_model, Query()],  # type: ignore[valid-type]
        session: SessionDep,
        principal: PrincipalDep,
    ) -> Any:
        params, filters = split_query(query)
        page = service.get_all(session=session, principal=principal, params=params, filters=filters)
        return page_model(
            items=[read.model_validate(o) for o in page.items],
            total=page.total,
            page=page.page,
            size=page.size,
        )

    @router.get("/{item_id}", response_model=read, summary=f"Read one {entity}")
    def get_item(item_id: int, session: SessionDep, principal: PrincipalDep) -> Any:
        return read.model_validate(service.get(session=session, principal=principal, id=item_id))

    if create is not None:

        @router.post("", response_model=read, status_code=status.HTTP_201_CREATED)
        def create_item(
            body: create,  # type: ignore[valid-type]
            session: SessionDep,
            principal: PrincipalDep,
            reason: str | None = None,
        ) -> Any:
            obj = service.create(
                session=session,
                principal=principal,
                data=body,
                reason=reason,
            )
            return read.model_validate(obj)

    if update is not None:

        @router.patch("/{item_id}", response_model=read)
        def update_item(
            item_id: int,
            body: update,  # type: ignore[valid-type]
            session: SessionDep,
            principal: PrincipalDep,
            reason: str | None = None,
        ) -> Any:
            obj = service.update(
                session=session,
                principal=principal,
                id=item_id,
                data=body,
                reason=reason,
            )
            return read.model_validate(obj)

    if deletable:

        @router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
        def delete_item(
            item_id: int, session: SessionDep, principal: PrincipalDep, reason: str | None = None
        ) -> Response:
            service.delete(session=session, principal=principal, id=item_id, reason=reason)
            return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router
