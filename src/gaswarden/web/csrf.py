"""CSRF protection for form posts: a token kept in the signed session, checked on every POST."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from gaswarden.core.errors import Forbidden

CSRF_KEY = "csrf"
CSRF_FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use; every POST form carries it back."""
    token = request.session.get(CSRF_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_KEY] = token
    return str(token)


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the one in the signed session."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(CSRF_KEY)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise Forbidden("表单已过期或来源不明，请刷新页面后重试 (CSRF token missing or wrong)")
    return form


CsrfForm = Annotated[FormData, Depends(checked_form)]
