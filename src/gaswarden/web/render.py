"""Templates and the few helpers every page uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from gaswarden.core.enums import LabeledEnum
from gaswarden.core.i18n import local_time, t

TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES_DIR)


def page_lang(request: Request) -> str:
    lang = request.cookies.get("lang") or request.app.state.settings.language
    return lang if lang in ("zh", "en") else "zh"


def _label(value: Any, lang: str) -> str:
    if isinstance(value, LabeledEnum):
        return value.label(lang)
    return "" if value is None else str(value)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    context.setdefault("principal", None)
    base = {
        "lang": lang,
        "t": lambda m: t(m, lang),
        "label": lambda v: _label(v, lang),
        "localtime": lambda v: local_time(v, tz),
    }
    return templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )


def error_page(
    request: Request, status: int, title_zh: str, title_en: str, detail: str
) -> HTMLResponse:
    return render(
        request,
        "error.html",
        status_code=status,
        status=status,
        title_zh=title_zh,
        title_en=title_en,
        detail=detail,
    )
