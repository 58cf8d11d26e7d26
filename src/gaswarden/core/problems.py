"""Errors as RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from gaswarden.core.errors import GasWardenError, Unauthorized

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, instance: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(GasWardenError)
    async def _domain_error(request: Request, exc: GasWardenError) -> Response:
        if isinstance(exc, Unauthorized) and _wants_html(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if _wants_html(request):
            from gaswarden.web.render import error_page

            return error_page(request, exc.status_code, exc.title_zh, exc.title, exc.detail)
        return problem(
            exc.status_code,
            exc.title,
            exc.detail,
            request.url.path,
            errors=exc.errors,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return problem(422, "Invalid input", detail, request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_html(request):
            from gaswarden.web.render import error_page

            return error_page(request, exc.status_code, "出错了", "Error", str(exc.detail))
        return problem(exc.status_code, str(exc.detail), str(exc.detail), request.url.path)
