from fastapi import APIRouter

from gaswarden.core.api import crud_router
from gaswarden.domains.workforce import schemas as s
from gaswarden.domains.workforce.service import certificates, people, teams, vehicles

router = APIRouter()
router.include_router(
    crud_router(
        people,
        path="people",
        create=s.PersonCreate,
        update=s.PersonUpdate,
        read=s.PersonRead,
        tag="workforce",
    )
)
router.include_router(
    crud_router(
        certificates,
        path="certificates",
        create=s.CertificateCreate,
        update=s.CertificateUpdate,
        read=s.CertificateRead,
        tag="workforce",
    )
)
router.include_router(
    crud_router(
        teams,
        path="teams",
        create=s.TeamCreate,
        update=s.TeamUpdate,
        read=s.TeamRead,
        tag="workforce",
    )
)
router.include_router(
    crud_router(
        vehicles,
        path="vehicles",
        create=s.VehicleCreate,
        update=s.VehicleUpdate,
        read=s.VehicleRead,
        tag="workforce",
    )
)
