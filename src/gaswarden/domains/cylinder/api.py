"""/api/v1 for cylinders: the archive and gas batches, the scans, and the tracing queries."""

from fastapi import APIRouter

from gaswarden.domains.cylinder import api_archive, api_events, api_tracing

router = APIRouter()
router.include_router(api_events.router)  # /cylinder-events
router.include_router(api_tracing.router)  # before the archive's /cylinders/{id}
router.include_router(api_archive.router)
