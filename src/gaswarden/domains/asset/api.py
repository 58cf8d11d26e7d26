from gaswarden.core.api import crud_router
from gaswarden.domains.asset.schemas import AssetCreate, AssetRead, AssetUpdate
from gaswarden.domains.asset.service import service

router = crud_router(
    service, path="assets", create=AssetCreate, update=AssetUpdate, read=AssetRead, tag="assets"
)
