"""FastAPI dependencies: the request's transaction and the caller."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Unauthorized
from gaswarden.db.session import unit_of_work
from gaswarden.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """The request owns the transaction: commit after the handler, roll back if it raised."""
    with unit_of_work(request.app.state.session_factory) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def current_principal(request: Request, session: Session) -> Principal | None:
    """From `Authorization: Bearer <api token>` or the signed session cookie."""
    from gaswarden.domains.account import service as accounts

    ip = request.client.host if request.client else None
    header = request.headers.get("authorization", "")
    principal: Principal | None = None
    if header.lower().startswith("bearer "):
        principal = accounts.principal_from_token(session=session, token=header[7:].strip())
        if principal is None:
            raise Unauthorized("API token is unknown, expired or revoked")
    else:
        user_id = request.session.get("user_id") if "session" in request.scope else None
        if user_id is not None:
            principal = accounts.principal_for_user_id(session=session, user_id=int(user_id))
    if principal is None:
        return None
    lang = request.cookies.get("lang") or principal.lang
    return replace(principal, ip=ip, lang=lang if lang in ("zh", "en") else "zh")


def get_principal(request: Request, session: SessionDep) -> Principal:
    principal = current_principal(request, session)
    if principal is None:
        raise Unauthorized("sign in, or send Authorization: Bearer <API token>")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]
