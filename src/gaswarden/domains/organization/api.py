from gaswarden.core.api import crud_router
from gaswarden.domains.organization.schemas import (
    OrganizationCreate,
    OrganizationRead,
    OrganizationUpdate,
)
from gaswarden.domains.organization.service import service

router = crud_router(
    service,
    path="organizations",
    create=OrganizationCreate,
    update=OrganizationUpdate,
    read=OrganizationRead,
    tag="organizations",
)
