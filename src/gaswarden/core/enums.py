"""Choice sets that carry a value, a Chinese and an English label, and a colour."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self


class LabeledEnum(StrEnum):
    """`Member = "value", "中文", "English", "colour"`; colour is a CSS badge name."""

    zh: str
    en: str
    colour: str

    def __new__(cls, value: str, zh: str = "", en: str = "", colour: str = "grey") -> Self:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.zh = zh or value
        obj.en = en or value
        obj.colour = colour
        return obj

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    @classmethod
    def choices(cls, lang: str = "zh") -> list[tuple[str, str]]:
        return [(m.value, m.label(lang)) for m in cls]

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        return [{"value": m.value, "zh": m.zh, "en": m.en, "colour": m.colour} for m in cls]


class Role(LabeledEnum):
    REGULATOR_ADMIN = "regulator_admin", "监管管理员", "Regulator admin", "red"
    REGULATOR_STAFF = "regulator_staff", "监管人员", "Regulator staff", "orange"
    ENTERPRISE_ADMIN = "enterprise_admin", "企业管理员", "Enterprise admin", "blue"
    ENTERPRISE_STAFF = "enterprise_staff", "企业人员", "Enterprise staff", "teal"
    INSPECTOR = "inspector", "第三方检查员", "Inspection agency inspector", "purple"
    GRID_SUPERVISOR = "grid_supervisor", "网格监管员", "Town/street grid supervisor", "green"
    FIELD_WORKER = "field_worker", "现场作业人员", "Field worker", "brown"
    VIEWER = "viewer", "只读用户", "Read-only viewer", "grey"
