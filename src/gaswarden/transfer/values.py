"""Cells to field values and back: enums by value or label, dates the way Excel writes them,
yes/no in Chinese or English, GeoJSON in a cell; messages in Chinese and English."""

from __future__ import annotations

import enum
import json
import math
import re
import types
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter

from gaswarden.core.enums import LabeledEnum


class CellError(ValueError):
    """A cell that cannot be read; the message is Chinese / English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def base_type(annotation: Any) -> Any:
    """`SiteKind | None` -> SiteKind; `Annotated[str | None, ...]` -> str; `list[int]` -> list."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return base_type(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return base_type(args[0]) if len(args) == 1 else annotation
    if origin is Literal:
        return Literal
    return origin or annotation


def field_type(schema: type[BaseModel], field: str) -> Any:
    return base_type(schema.model_fields[field].annotation)


@cache
def adapter(schema: type[BaseModel], field: str) -> TypeAdapter[Any]:
    """The field's own type and constraints, to read a value the way the schema would."""
    info = schema.model_fields[field]
    if not info.metadata:
        return TypeAdapter(info.annotation)
    return TypeAdapter(Annotated[info.annotation, *info.metadata])


_FULL_WIDTH = str.maketrans("（）：，；", "():,;")


@cache
def _enum_lookup(enum_cls: type[LabeledEnum]) -> dict[str, str]:
    out: dict[str, str] = {}
    for member in enum_cls:
        for text in (member.value, member.zh, member.en, member.name):
            out[text.translate(_FULL_WIDTH).strip().lower()] = member.value
    return out


def parse_enum(enum_cls: type[LabeledEnum], raw: Any) -> str:
    text = str(raw).translate(_FULL_WIDTH).strip().lower()
    value = _enum_lookup(enum_cls).get(text)
    if value is None:
        allowed = "、".join(f"{m.zh}({m.value})" for m in enum_cls)
        raise CellError(f"未知取值“{raw}”，可选：{allowed}", f"unknown value {raw!r}")
    return value


_TRUE = {"true", "1", "yes", "y", "是", "有效", "启用", "在职", "t"}
_FALSE = {"false", "0", "no", "n", "否", "无效", "停用", "离职", "f"}


def parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"“{raw}”不是是/否", f"{raw!r} is not yes/no (true/false)")


_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0?0:00(?::00)?)?$"
)


def parse_date(raw: Any) -> str:
    """2024-01-05, 2024/1/5 (what Excel shows), 2024.1.5, 2024年1月5日."""
    if isinstance(raw, date):
        return raw.isoformat()
    match = _DATE.match(str(raw).strip())
    if match is None:
        raise CellError(f"“{raw}”不是日期(年-月-日)", f"{raw!r} is not a date (YYYY-MM-DD)")
    try:
        return date(*map(int, match.groups())).isoformat()
    except ValueError as exc:
        raise CellError(f"“{raw}”不是有效日期", f"{raw!r} is not a valid date") from exc


def parse_json(raw: Any) -> Any:
    if isinstance(raw, dict | list):
        return raw
    try:
        return json.loads(str(raw))
    except json.JSONDecodeError as exc:
        raise CellError("不是有效的GeoJSON", f"not valid GeoJSON: {exc.msg}") from exc


def parse_cell(schema: type[BaseModel], field: str, raw: Any) -> Any:
    """A non-empty cell as the value the service takes (enum values, ISO dates, ...)."""
    kind = field_type(schema, field)
    if isinstance(kind, type) and issubclass(kind, LabeledEnum):
        return parse_enum(kind, raw)
    if kind is bool:
        return parse_bool(raw)
    if kind is date:
        return parse_date(raw)
    if kind is dict:
        return parse_json(raw)
    if isinstance(raw, str):
        return raw.strip()
    return raw


def same(old: Any, new: Any) -> bool:
    if isinstance(old, float) and isinstance(new, int | float):
        return math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(old, list) and isinstance(new, list):
        return sorted(old) == sorted(new)
    return bool(old == new)


def to_cell(value: Any) -> str:
    """A value as a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def to_json(value: Any) -> Any:
    """A value as a GeoJSON property."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


# English messages from the schemas and services, with their Chinese; matched by prefix.
_ZH = (
    ("Field required", "必填"),
    ("already used", "已被其他记录使用"),
    ("missing", "缺少"),
    ("Input should be greater than", "数值过小"),
    ("Input should be less than", "数值过大"),
    ("Input should be a valid number", "不是有效数字"),
    ("Input should be a valid integer", "不是有效整数"),
    ("Input should be a valid date", "不是有效日期"),
    ("String should have at least", "内容过短"),
    ("String should have at most", "内容过长"),
    ("String should match pattern", "格式不正确"),
    ("not a phone number", "电话号码格式不正确"),
    ("ID number check digit", "身份证号校验位错误"),
    ("an ID number", "身份证号应为18位"),
    ("coordinates", "坐标超出经纬度范围"),
    ("geometry", "几何图形无效"),
    ("not a valid GeoJSON", "几何图形无效"),
    ("no ", "未找到"),
    ("parent must be", "上级区域层级不符"),
    ("must be", "不符合要求"),
)


def bilingual(message: str) -> str:
    """'中文 / English' for a message from a schema or service (English only there)."""
    message = message.removeprefix("Value error, ")
    for prefix, zh in _ZH:
        if message.startswith(prefix) or message == prefix:
            return f"{zh} / {message}"
    return f"取值无效 / {message}"
