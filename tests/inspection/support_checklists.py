"""Shared bits of the inspection tests: principals, a small template."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.inspection.checklists import seed_builtin
from gaswarden.domains.inspection.models import ChecklistTemplate
from tests.hazard.helpers import who

__all__ = ["ITEMS", "builtin_template_id", "template_body", "who"]

ITEMS: list[dict[str, Any]] = [
    {
        "code": "T-01",
        "category": "储罐",
        "text": "储罐液位超限报警",
        "text_en": "Tank level alarm",
        "standard": "建城规〔2023〕4号",
        "hazard_grade": "major",
        "deadline_days": None,
        "system_kind": None,
    },
    {
        "code": "T-02",
        "category": "消防",
        "text": "灭火器在有效期内",
        "text_en": "Extinguishers in date",
        "standard": "GB 50140-2005",
        "hazard_grade": "general",
        "deadline_days": 3,
        "system_kind": None,
    },
]


def template_body(code: str = "T-GATE", target: str = "gate_station") -> dict[str, Any]:
    return {"code": code, "name": "测试检查表 Test checklist", "target": target, "items": ITEMS}


def builtin_template_id(session: Session, code: str) -> int:
    """The id of a built-in template, seeding the built-ins first if needed."""
    seed_builtin(session)
    template_id = session.scalar(select(ChecklistTemplate.id).where(ChecklistTemplate.code == code))
    assert template_id is not None
    return template_id
