from gaswarden.core.api import crud_router
from gaswarden.domains.area.schemas import AreaCreate, AreaRead, AreaUpdate
from gaswarden.domains.area.service import service

router = crud_router(
    service, path="areas", create=AreaCreate, update=AreaUpdate, read=AreaRead, tag="areas"
)
