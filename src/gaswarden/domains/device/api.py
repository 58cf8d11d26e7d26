from gaswarden.core.api import crud_router
from gaswarden.deps import PrincipalDep, SessionDep
from gaswarden.domains.device.schemas import DeviceCreate, DeviceRead, DeviceToken, DeviceUpdate
from gaswarden.domains.device.service import service

router = crud_router(
    service,
    path="devices",
    create=DeviceCreate,
    update=DeviceUpdate,
    read=DeviceRead,
    tag="devices",
)


@router.post("/{item_id}/token", response_model=DeviceToken, summary="Issue a new device token")
def rotate_token(item_id: int, session: SessionDep, principal: PrincipalDep) -> DeviceToken:
    device, token = service.rotate_token(session=session, principal=principal, id=item_id)
    return DeviceToken(serial=device.serial, token=token)


@router.get("/{item_id}/token", response_model=DeviceToken, summary="Reveal the device token")
def reveal_token(item_id: int, session: SessionDep, principal: PrincipalDep) -> DeviceToken:
    device, token = service.reveal_token(session=session, principal=principal, id=item_id)
    return DeviceToken(serial=device.serial, token=token)
