"""/api/v1 for checklists, inspection plans and tasks, and inspections: one router each."""

from fastapi import APIRouter

from gaswarden.domains.inspection import api_checklists, api_inspections, api_plans

router = APIRouter()
router.include_router(api_checklists.router)
router.include_router(api_plans.router)
router.include_router(api_inspections.router)
