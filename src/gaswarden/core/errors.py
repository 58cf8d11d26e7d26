"""Errors services raise; one handler maps them to RFC 9457 problem responses."""

from __future__ import annotations

from typing import Any


class GasWardenError(Exception):
    status_code = 400
    title = "Bad request"
    title_zh = "请求有误"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFound(GasWardenError):
    status_code = 404
    title = "Not found"
    title_zh = "未找到"


class Conflict(GasWardenError):
    status_code = 409
    title = "Conflict"
    title_zh = "冲突"


class Forbidden(GasWardenError):
    status_code = 403
    title = "Forbidden"
    title_zh = "无权操作"


class Unauthorized(GasWardenError):
    status_code = 401
    title = "Not signed in"
    title_zh = "未登录"


class Invalid(GasWardenError):
    """Input that fails a business rule; `errors` names the fields: [{"loc": [...], "msg": ...}]."""

    status_code = 422
    title = "Invalid input"
    title_zh = "输入无效"
