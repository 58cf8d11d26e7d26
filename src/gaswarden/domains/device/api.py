from fastapi import Response

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

# Both token routes are POSTs: each writes an audit row, so neither may be a GET (which
# prefetchers, crawlers and link previews follow). The answer is never cached.


@router.post("/{item_id}/token", response_model=DeviceToken, summary="Issue a new device token")
def rotate_token(
    item_id: int, response: Response, session: SessionDep, principal: PrincipalDep
) -> DeviceToken:
    response.headers["Cache-Control"] = "no-store"
    device, token = service.rotate_token(session=session, principal=principal, id=item_id)
    return DeviceToken(serial=device.serial, token=token)


@router.post(
    "/{item_id}/token/reveal",
    response_model=DeviceToken,
    summary="Reveal the current device token (audited)",
)
def reveal_token(
    item_id: int, response: Response, session: SessionDep, principal: PrincipalDep
) -> DeviceToken:
    response.headers["Cache-Control"] = "no-store"
    device, token = service.reveal_token(session=session, principal=principal, id=item_id)
    return DeviceToken(serial=device.serial, token=token)
