"""What every web page shares: HTML errors and the signed-in caller."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from gaswarden.core.auth import Principal
from gaswarden.core.errors import GasWardenError, Unauthorized
from gaswarden.deps import SessionDep, current_principal
from gaswarden.web.render import error_page


class WebRoute(APIRoute):
    """A page route: service errors become HTML pages (out of scope reads as a 404 page) and a
    missing sign-in becomes a redirect to the login form, whatever the Accept header says."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except Unauthorized:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
            except GasWardenError as exc:
                return error_page(request, exc.status_code, exc.title_zh, exc.title, exc.detail)

        return handler


def web_principal(request: Request, session: SessionDep) -> Principal:
    principal = current_principal(request, session)
    if principal is None:
        raise Unauthorized("sign in first")
    request.state.principal = principal  # so that error pages still show the navigation
    return principal


WebPrincipal = Annotated[Principal, Depends(web_principal)]


def query_lists(request: Request) -> dict[str, list[str]]:
    return {k: request.query_params.getlist(k) for k in request.query_params}


def with_query(request: Request, **changes: Any) -> str:
    """This page's URL with some query parameters replaced (None removes one)."""
    items = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    items += [(k, str(v)) for k, v in changes.items() if v is not None]
    return f"{request.url.path}?{urlencode(items)}" if items else request.url.path
