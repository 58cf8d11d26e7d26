"""Login, logout, language switch and the home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gaswarden.deps import SessionDep, current_principal
from gaswarden.domains.account import service as accounts
from gaswarden.web.render import render

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", next=next, error=None)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    ip = request.client.host if request.client else None
    user = accounts.authenticate(session=session, username=username, password=password, ip=ip)
    if user is None:
        session.commit()
        return render(
            request, "login.html", status_code=401, next=next, error="Wrong username or password"
        )
    request.session.clear()
    request.session["user_id"] = user.id
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie("lang", user.lang, max_age=365 * 86400, samesite="lax")
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/lang/{lang}")
def switch_language(lang: str, request: Request, next: str = "/") -> Response:
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if lang in ("zh", "en"):
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> Response:
    principal = current_principal(request, session)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "home.html", principal=principal)
