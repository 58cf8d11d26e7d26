from fastapi import APIRouter, Request, status

from gaswarden.core.api import crud_router
from gaswarden.core.errors import Unauthorized
from gaswarden.deps import PrincipalDep, SessionDep
from gaswarden.domains.account import service
from gaswarden.domains.account.models import User
from gaswarden.domains.account.schemas import (
    Me,
    PasswordChange,
    TokenCreate,
    TokenIssued,
    TokenRead,
    TokenRequest,
    UserCreate,
    UserRead,
    UserUpdate,
)

router = APIRouter()
router.include_router(
    crud_router(
        service.users,
        path="users",
        create=UserCreate,
        update=UserUpdate,
        read=UserRead,
        tag="accounts",
    )
)


@router.get("/auth/me", response_model=Me, tags=["accounts"])
def me(principal: PrincipalDep) -> Me:
    return Me(
        user_id=principal.user_id,
        username=principal.username,
        display_name=principal.display_name,
        role=principal.role,
        org_id=principal.org_id,
        scope=principal.scope_kind.value,
        lang=principal.lang,
    )


@router.post(
    "/auth/token",
    response_model=TokenIssued,
    status_code=status.HTTP_201_CREATED,
    tags=["accounts"],
)
def issue_token(body: TokenRequest, request: Request, session: SessionDep) -> TokenIssued:
    """Exchange a username and password for an API token (for scripts)."""
    ip = request.client.host if request.client else None
    user = service.authenticate(
        session=session, username=body.username, password=body.password, ip=ip
    )
    if user is None:
        session.commit()  # keep the audit row of the failed attempt
        raise Unauthorized("wrong username or password, or the account is disabled")
    row, token = service.create_token(
        session=session, user=user, name=body.name, expires_days=body.expires_days
    )
    return TokenIssued(id=row.id, name=row.name, token=token, expires_at=row.expires_at)


@router.get("/tokens", response_model=list[TokenRead], tags=["accounts"])
def my_tokens(session: SessionDep, principal: PrincipalDep) -> list[TokenRead]:
    return [
        TokenRead.model_validate(t)
        for t in service.list_tokens(session=session, principal=principal)
    ]


@router.post(
    "/tokens", response_model=TokenIssued, status_code=status.HTTP_201_CREATED, tags=["accounts"]
)
def create_my_token(body: TokenCreate, session: SessionDep, principal: PrincipalDep) -> TokenIssued:
    user = session.get(User, principal.user_id)
    if user is None:
        raise Unauthorized("only a signed-in user can hold API tokens")
    row, token = service.create_token(
        session=session, user=user, name=body.name, expires_days=body.expires_days
    )
    return TokenIssued(id=row.id, name=row.name, token=token, expires_at=row.expires_at)


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["accounts"])
def revoke(token_id: int, session: SessionDep, principal: PrincipalDep) -> None:
    service.revoke_token(session=session, principal=principal, token_id=token_id)


@router.post("/auth/password", status_code=status.HTTP_204_NO_CONTENT, tags=["accounts"])
def change_password(body: PasswordChange, session: SessionDep, principal: PrincipalDep) -> None:
    """Change your own password (the current one is required)."""
    service.change_password(
        session=session, principal=principal, current=body.current_password, new=body.new_password
    )
