"""create_app(settings) -> the FastAPI application: every domain's API and web pages."""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.middleware.sessions import SessionMiddleware

from gaswarden import __version__
from gaswarden.core import problems
from gaswarden.db.session import make_engine, make_session_factory
from gaswarden.domains import DOMAINS
from gaswarden.settings import Settings

API_PREFIX = "/api/v1"
STATIC_DIR = Path(__file__).parent / "web" / "static"


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    router.include_router(importlib.import_module("gaswarden.transfer.api").router)
    for name in DOMAINS:
        module = importlib.import_module(f"gaswarden.domains.{name}.api")
        router.include_router(module.router)
    router.include_router(importlib.import_module("gaswarden.cockpit.api").router)
    return router


def create_app(settings: Settings | None = None, *, session_factory: object = None) -> FastAPI:
    """Build the app. Tests pass a session factory bound to their own transaction."""
    settings = settings or Settings()
    app = FastAPI(
        title="GasWarden 城镇燃气安全智慧监管平台",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    if session_factory is None:
        engine = make_engine(settings)
        app.state.engine = engine
        session_factory = make_session_factory(engine)
    app.state.session_factory = session_factory

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="gaswarden_session",
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    problems.install(app)
    app.include_router(api_router())

    from gaswarden.web import routes as web_routes

    app.include_router(web_routes.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        try:
            with app.state.session_factory() as session:
                session.execute(text("SELECT 1"))
        except Exception as exc:  # the database is what we report on, whatever its error
            return JSONResponse(
                {"status": "unavailable", "database": str(exc).splitlines()[0]}, status_code=503
            )
        return JSONResponse({"status": "ready", "database": "ok"})

    return app
