"""/api/v1/customers and /api/v1/customer-safety-checks (checks: create and read only)."""

from fastapi import APIRouter

from gaswarden.core.api import crud_router
from gaswarden.domains.customer import schemas as s
from gaswarden.domains.customer.service import customers, safety_checks

router = APIRouter()
router.include_router(
    crud_router(
        customers,
        path="customers",
        create=s.CustomerCreate,
        update=s.CustomerUpdate,
        read=s.CustomerRead,
        tag="customers",
    )
)
router.include_router(
    crud_router(
        safety_checks,
        path="customer-safety-checks",
        create=s.SafetyCheckCreate,
        update=None,
        read=s.SafetyCheckRead,
        tag="customers",
        deletable=False,
    )
)
