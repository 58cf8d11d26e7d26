from fastapi import APIRouter

from gaswarden.core.api import crud_router
from gaswarden.domains.site.schemas import (
    SiteAssignmentCreate,
    SiteAssignmentRead,
    SiteAssignmentUpdate,
    SiteCreate,
    SiteRead,
    SiteUpdate,
)
from gaswarden.domains.site.service import assignment_service, service

router = APIRouter()
router.include_router(
    crud_router(
        service, path="sites", create=SiteCreate, update=SiteUpdate, read=SiteRead, tag="sites"
    )
)
router.include_router(
    crud_router(
        assignment_service,
        path="site-assignments",
        create=SiteAssignmentCreate,
        update=SiteAssignmentUpdate,
        read=SiteAssignmentRead,
        tag="sites",
    )
)
