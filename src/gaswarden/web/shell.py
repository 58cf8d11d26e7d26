"""Login, logout, language switch and the home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gaswarden.deps import SessionDep, current_principal
from gaswarden.domains.account import service as accounts
from gaswarden.web.csrf import CsrfForm
from gaswarden.web.home import home_counts
from gaswarden.web.render import page_lang, render
from gaswarden.web.routing import WebRoute

router = APIRouter(route_class=WebRoute)


def safe_next(target: str) -> str:
    """Only paths on this site: never an open redirect."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", next=safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    form: CsrfForm,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    ip = request.client.host if request.client else None
    user = accounts.authenticate(session=session, username=username, password=password, ip=ip)
    if user is None:
        session.commit()  # keep the audit row of the failed attempt
        return render(
            request,
            "login.html",
            status_code=401,
            next=safe_next(next),
            error="Wrong username or password",
            username=username,
        )
    request.session.clear()  # a new session (and CSRF token) on every sign-in
    request.session["user_id"] = user.id
    response = RedirectResponse(safe_next(next), status_code=303)
    if "lang" not in request.cookies:
        response.set_cookie("lang", user.lang, max_age=365 * 86400, samesite="lax")
    return response


@router.post("/logout")
def logout(request: Request, form: CsrfForm) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/lang/{lang}")
def switch_language(lang: str, request: Request, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in ("zh", "en"):
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> Response:
    principal = current_principal(request, session)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    request.state.principal = principal
    counts = home_counts(
        session, principal, page_lang(request), request.app.state.settings.timezone
    )
    return render(request, "home.html", principal=principal, **counts)
