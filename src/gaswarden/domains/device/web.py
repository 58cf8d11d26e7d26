"""The device page's token buttons: reveal the current secret or issue a new one. Both are
CSRF-checked form posts (each writes an audit row), answered with a page that is never cached."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from gaswarden.core.auth import Principal
from gaswarden.deps import SessionDep
from gaswarden.domains.device.service import service
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.render import render
from gaswarden.web.routing import WebPrincipal, WebRoute

router = APIRouter(route_class=WebRoute)


def _token_page(
    request: Request, principal: Principal, item_id: int, serial: str, token: str, rotated: bool
) -> Response:
    page = render(
        request,
        "device_token.html",
        principal=principal,
        item_id=item_id,
        serial=serial,
        token=token,
        rotated=rotated,
    )
    page.headers["Cache-Control"] = "no-store"
    return page


@router.post("/devices/{item_id}/token/reveal")
def reveal(
    item_id: int, request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    device, token = service.reveal_token(session=session, principal=principal, id=item_id)
    return _token_page(request, principal, item_id, device.serial, token, rotated=False)


@router.post("/devices/{item_id}/token/rotate")
def rotate(
    item_id: int, request: Request, session: SessionDep, principal: WebPrincipal, form: CsrfForm
) -> Response:
    device, token = service.rotate_token(session=session, principal=principal, id=item_id)
    return _token_page(request, principal, item_id, device.serial, token, rotated=True)
