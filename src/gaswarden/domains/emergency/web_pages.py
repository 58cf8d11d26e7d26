"""What every emergency page uses: the page texts, redirects, list fields, and a write run
with its refusal shown on the page again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from gaswarden.core.errors import GasWardenError
from gaswarden.domains.emergency import web_view as view
from gaswarden.web.render import error_message, page_lang, render


def render_page(
    request: Request, template: str, status_code: int = 200, **context: Any
) -> Response:
    lang = page_lang(request)
    return render(request, template, status_code, t=lambda m: view.text(m, lang), **context)


def back_to(url: str, **query: str) -> RedirectResponse:
    q = "&".join(f"{k}={v}" for k, v in query.items())
    return RedirectResponse(f"{url}?{q}" if q else url, status_code=303)


def split_lines(value: str | None) -> list[str]:
    if not value:
        return []
    return [s.strip() for s in value.replace("，", ",").replace("\n", ",").split(",") if s.strip()]


def attempt(
    request: Request,
    session: Session,
    target: str,
    action: Callable[[], Any],
    failed: Callable[[str, int], Response],
) -> Response:
    """Run a write: on success back to `target` (303), on a refusal the page again with the
    error and the refusal's status."""
    try:
        action()
    except GasWardenError as exc:
        session.rollback()
        return failed(error_message(exc, page_lang(request)), exc.status_code)
    return back_to(target, done="1")
