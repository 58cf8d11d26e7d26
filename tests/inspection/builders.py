"""Checklists, versions, items and tasks made directly with the ORM, for the submission and
amendment tests (the checklist and plan services are tested on their own)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy.orm import Session

from gaswarden.domains.inspection.enums import ChecklistTarget, InspectionKind, TaskStatus
from gaswarden.domains.inspection.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistVersion,
    InspectionTask,
)
from gaswarden.domains.site.models import Site
from gaswarden.standards.hazards import HazardGrade

# (code, category, text, grade, deadline_days)
ItemSpec = tuple[str, str, str, HazardGrade, int | None]

GATE_ITEMS: tuple[ItemSpec, ...] = (
    ("G-01", "安全管理", "主要负责人和安全管理人员经考核合格", HazardGrade.MAJOR, None),
    ("G-02", "消防", "灭火器配置齐全且在有效期内", HazardGrade.GENERAL, 3),
    ("G-03", "工艺设备", "调压计量设备运行正常无泄漏", HazardGrade.GENERAL, None),
)


def publish(
    session: Session, template: ChecklistTemplate, items: Iterable[ItemSpec]
) -> ChecklistVersion:
    """A new version of the template with these items; it becomes the current one."""
    number = 1 + max((v.number for v in _versions(session, template)), default=0)
    version = ChecklistVersion(template_id=template.id, number=number, published_by="tests")
    session.add(version)
    session.flush()
    for pos, (code, category, text, grade, days) in enumerate(items):
        session.add(
            ChecklistItem(
                version_id=version.id,
                code=code,
                position=pos,
                category=category,
                text=text,
                text_en=f"{code} (en)",
                standard="GB 50028-2006",
                hazard_grade=grade,
                deadline_days=days,
            )
        )
    session.flush()
    session.refresh(version, ["items"])
    template.current_version_id = version.id
    session.flush()
    return version


def _versions(session: Session, template: ChecklistTemplate) -> list[ChecklistVersion]:
    from sqlalchemy import select

    stmt = select(ChecklistVersion).where(ChecklistVersion.template_id == template.id)
    return list(session.scalars(stmt))


def checklist(
    session: Session,
    target: ChecklistTarget = ChecklistTarget.GATE_STATION,
    items: Sequence[ItemSpec] = GATE_ITEMS,
) -> ChecklistVersion:
    template = ChecklistTemplate(
        code=f"T-{uuid4().hex[:10]}",
        name=f"测试检查表 {target.zh}",
        target=target,
        builtin=False,
        active=True,
    )
    session.add(template)
    session.flush()
    return publish(session, template, items)


def task(
    session: Session,
    version: ChecklistVersion,
    site_id: int,
    *,
    kind: InspectionKind = InspectionKind.THIRD_PARTY,
    due_on: date | None = None,
    assignee_org_id: int | None = None,
) -> InspectionTask:
    site = session.get(Site, site_id)
    assert site is not None
    today = datetime.now(UTC).date()
    row = InspectionTask(
        site_id=site_id,
        template_id=version.template_id,
        kind=kind,
        period_start=today.replace(day=1),
        due_on=due_on or today + timedelta(days=10),
        status=TaskStatus.PENDING,
        assignee_org_id=assignee_org_id,
        owner_id=site.owner_id,
        area_id=site.area_id,
    )
    session.add(row)
    session.flush()
    return row


def answers(
    version: ChecklistVersion,
    fail: Iterable[str] = (),
    na: Iterable[str] = (),
    photos: dict[str, list[int]] | None = None,
    notes: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Every item answered: pass, unless its code is in `fail` or `na`."""
    fail, na, photos, notes = set(fail), set(na), photos or {}, notes or {}
    out = []
    for item in version.items:
        outcome = "fail" if item.code in fail else "na" if item.code in na else "pass"
        out.append(
            {
                "item_id": item.id,
                "outcome": outcome,
                "note": notes.get(item.code),
                "photo_ids": photos.get(item.code, []),
            }
        )
    return out


def hours_ago(hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)


def new_client_id() -> str:
    return str(uuid4())
