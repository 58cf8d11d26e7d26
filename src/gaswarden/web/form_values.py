"""Reading typed values from a submitted form; a bad value is a 422 naming its field, shown
next to it on the page."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from starlette.datastructures import FormData

from gaswarden.core.errors import Invalid


def field_error(name: str, msg: str) -> Invalid:
    return Invalid(f"{name}: {msg}", errors=[{"loc": ["body", name], "msg": msg}])


def text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return (value.strip() or None) if isinstance(value, str) else None


def integer(form: FormData, name: str) -> int | None:
    value = text(form, name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise field_error(name, "not a number") from None


def number(form: FormData, name: str, *, minimum: float | None = None) -> float | None:
    value = text(form, name)
    if value is None:
        return None
    try:
        n = float(value)
    except ValueError:
        raise field_error(name, "not a number") from None
    if not math.isfinite(n):
        raise field_error(name, "not a number")
    if minimum is not None and n < minimum:
        raise field_error(name, "not a valid amount")
    return n


def day(form: FormData, name: str, *, required: bool = False) -> date | None:
    value = text(form, name)
    if value is None:
        if required:
            raise field_error(name, "required")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise field_error(name, "not a date (YYYY-MM-DD)") from None


def choice(form: FormData, name: str, enum: Any, *, required: bool = True) -> Any:
    value = text(form, name)
    if value is None and not required:
        return None
    try:
        return enum(value)
    except ValueError:
        raise field_error(name, "required") from None
