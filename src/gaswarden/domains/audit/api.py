from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import create_model

from gaswarden.core.api import split_query
from gaswarden.core.pagination import PageParams
from gaswarden.deps import PrincipalDep, SessionDep
from gaswarden.domains.audit import service
from gaswarden.domains.audit.schemas import AuditEntryPage, AuditEntryRead

router = APIRouter(tags=["audit"])
AuditQuery: Any = create_model(
    "AuditQuery",
    __base__=PageParams,
    **{f.name: (f.annotation, None) for f in service.FILTERS.filters},  # type: ignore[call-overload]
)


@router.get("/audit-log", response_model=AuditEntryPage, summary="The audit log, newest first")
def audit_log(
    query: Annotated[AuditQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> AuditEntryPage:
    params, filters = split_query(query)
    page = service.get_all(session=session, principal=principal, params=params, filters=filters)
    return AuditEntryPage(
        items=[AuditEntryRead.model_validate(e) for e in page.items],
        total=page.total,
        page=page.page,
        size=page.size,
    )
