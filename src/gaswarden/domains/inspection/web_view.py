"""How inspections look on the pages: the messages (Chinese and English), list rows, the
choices of the filters and the plan form, and the checklist items the phone form embeds.
Reads go through the inspection services (and so the caller's scope); nothing here writes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.enums import Role
from gaswarden.core.errors import Invalid
from gaswarden.core.i18n import local_time, t
from gaswarden.core.pagination import PageParams
from gaswarden.domains.area.models import Area
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.inspection import plans, submission
from gaswarden.domains.inspection.enums import TaskStatus
from gaswarden.domains.inspection.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistVersion,
    Inspection,
    InspectionPlan,
    InspectionTask,
)
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.service import service as sites
from gaswarden.domains.workforce.service import teams
from gaswarden.web.forms import OPTION_LIMIT, ref_options

# The inspection pages' messages: id -> (Chinese, English). Ids not here go to core/i18n.
MESSAGES: dict[str, tuple[str, str]] = {
    "Inspections": ("检查", "Inspections"),
    "Inspection tasks": ("检查任务", "Inspection tasks"),
    "Inspection plans": ("检查计划", "Inspection plans"),
    "Checklists": ("检查表", "Checklists"),
    "Inspection records": ("检查记录", "Inspection records"),
    "Inspection": ("检查记录", "Inspection"),
    "Start": ("开始检查", "Start"),
    "Overdue tasks": ("逾期未检", "Overdue tasks"),
    "Pending": ("待检查", "Pending"),
    "Done": ("已完成", "Done"),
    "Overdue": ("逾期", "Overdue"),
    "Due": ("截止日期", "Due"),
    "Period": ("周期", "Period"),
    "Site": ("场站", "Site"),
    "Kind": ("检查类型", "Kind"),
    "Plan": ("计划", "Plan"),
    "Status": ("状态", "Status"),
    "Assignee": ("执行单位", "Assignee"),
    "Team": ("执行队伍", "Team"),
    "Done late": ("逾期完成", "Done late"),
    "No tasks": ("暂无检查任务", "No tasks"),
    "No plans": ("暂无检查计划", "No plans"),
    "No inspections": ("暂无检查记录", "No inspections"),
    "New plan": ("新建计划", "New plan"),
    "Edit plan": ("编辑计划", "Edit plan"),
    "Generate tasks now": ("立即生成任务", "Generate tasks now"),
    "Tasks generated": ("已生成任务", "Tasks generated"),
    "Checklist": ("检查表", "Checklist"),
    "Frequency": ("频次", "Frequency"),
    "Starts": ("开始日期", "Starts"),
    "Ends": ("结束日期", "Ends"),
    "Active": ("启用", "Active"),
    "Generated until": ("已生成至", "Generated until"),
    "Name": ("名称", "Name"),
    "Site kinds (empty: the checklist's)": (
        "场站类型（留空按检查表）",
        "Site kinds (empty: the checklist's)",
    ),
    "Area (empty: all)": ("区域（留空为全部）", "Area (empty: all)"),
    "Enterprise (empty: all)": ("企业（留空为全部）", "Enterprise (empty: all)"),
    "Days to do it (empty: period end)": (
        "完成期限天数（留空为周期末）",
        "Days to do it (empty: period end)",
    ),
    "Notes": ("备注", "Notes"),
    "Target": ("检查对象", "Target"),
    "Built-in": ("内置", "Built-in"),
    "Versions": ("版本", "Versions"),
    "Version": ("版本", "Version"),
    "Current": ("当前版本", "Current"),
    "Published": ("发布时间", "Published"),
    "Items": ("检查项", "Items"),
    "Code": ("编号", "Code"),
    "Category": ("类别", "Category"),
    "What to check": ("检查内容", "What to check"),
    "Standard": ("依据", "Standard"),
    "Failure means": ("不合格判定", "Failure means"),
    "Deadline (days)": ("整改期限（天）", "Deadline (days)"),
    "Export JSON": ("导出 JSON", "Export JSON"),
    "Export XLSX": ("导出 XLSX", "Export XLSX"),
    "Import a checklist": ("导入检查表", "Import a checklist"),
    "Import": ("导入", "Import"),
    "File (.json or .xlsx)": ("文件（.json 或 .xlsx）", "File (.json or .xlsx)"),
    "Imported": ("已导入", "Imported"),
    "Inspected": ("检查时间", "Inspected"),
    "Inspector": ("检查人", "Inspector"),
    "Pass": ("合格", "Pass"),
    "Fail": ("不合格", "Fail"),
    "N/A": ("不适用", "N/A"),
    "Amended": ("已更正", "Amended"),
    "Results": ("检查结果", "Results"),
    "Note": ("备注", "Note"),
    "General note": ("总体情况说明", "General note"),
    "Photos": ("照片", "Photos"),
    "Hazards opened": ("发现隐患", "Hazards opened"),
    "Hazard": ("隐患", "Hazard"),
    "Amendments": ("更正记录", "Amendments"),
    "Amend": ("更正检查记录", "Amend"),
    "Reason for the amendment": ("更正原因", "Reason for the amendment"),
    "unchanged": ("不变", "unchanged"),
    "Save amendment": ("保存更正", "Save amendment"),
    "Position": ("位置", "Position"),
    "Record position": ("记录位置", "Record position"),
    "Time of inspection": ("检查时间", "Time of inspection"),
    "Mark the rest as pass": ("其余全部合格", "Mark the rest as pass"),
    "Submit inspection": ("提交检查结果", "Submit inspection"),
    "Submitted": ("已提交", "Submitted"),
    "Queued": ("待上传", "Queued"),
    "Describe the problem": ("问题描述", "Describe the problem"),
    "Add photos": ("拍照/添加照片", "Add photos"),
    "not answered": ("项未检查", "not answered"),
    "Open the inspection": ("查看检查记录", "Open the inspection"),
    "No hazards found": ("未发现隐患", "No hazards found"),
    "Version used": ("使用版本", "Version used"),
    "Task": ("检查任务", "Task"),
    "This task is done": ("该任务已完成", "This task is done"),
    "Offline: kept on this phone and sent when the network is back": (
        "当前离线：已保存在本机，网络恢复后自动上传",
        "Offline: kept on this phone and sent when the network is back",
    ),
    "help:form": (
        "逐项选择合格、不合格或不适用；不合格须说明问题，可拍照。离线时可照常填写并提交，"
        "联网后自动上传。",
        "Mark each item pass, fail or not applicable; a failure needs a description and may"
        " have photos. Offline you can fill in and submit as usual: it is sent when the"
        " network is back.",
    ),
    "Changes": ("变更内容", "Changes"),
    "By": ("操作人", "By"),
    "At": ("时间", "At"),
    "Reason": ("原因", "Reason"),
    "All": ("全部", "All"),
    "Yes": ("是", "Yes"),
    "No": ("否", "No"),
    "Enterprise": ("企业", "Enterprise"),
    "Area": ("区域", "Area"),
    "Start an inspection": ("开始检查", "Start an inspection"),
    "Back to the tasks": ("返回检查任务", "Back to the tasks"),
}


def text(message: str, lang: str) -> str:
    """t() for the inspection pages: their own messages first, then core/i18n."""
    pair = MESSAGES.get(message)
    if pair is not None:
        return pair[0] if lang == "zh" else pair[1]
    return t(message, lang)


# ---- who may do what (the services check again) --------------------------------------------------
def may_submit(principal: Principal) -> bool:
    return principal.scope_kind is ScopeKind.ALL or principal.role in submission.SUBMITTERS


def may_start(principal: Principal, task: InspectionTask) -> bool:
    """The Start button: a pending task the caller's organisation may carry out."""
    if task.status is not TaskStatus.PENDING or not may_submit(principal):
        return False
    try:  # the kind the submission would refuse (a self-inspection by an area's regulator)
        submission.inspection_kind(principal, None, task)
    except Invalid:
        return False
    if principal.is_regulator:
        return True
    return task.assignee_org_id is None or task.assignee_org_id == principal.org_id


def may_plan(principal: Principal) -> bool:
    return plans.is_regulator(principal) or principal.role is Role.ENTERPRISE_ADMIN


# ---- rows ---------------------------------------------------------------------------------------
def task_row(task: InspectionTask, principal: Principal, lang: str, today: date) -> dict[str, Any]:
    return {
        "id": task.id,
        "site": task.site.name,
        "site_id": task.site_id,
        "kind": task.kind,
        "plan": task.plan.name if task.plan_id and task.plan else "",
        "plan_id": task.plan_id,
        "template": task.template.name,
        "period": task.period_start.isoformat(),
        "due": task.due_on.isoformat(),
        "status": task.status,
        "overdue": task.overdue(today),
        "late": task.late,
        "start": may_start(principal, task),
    }


def plan_row(plan: InspectionPlan, names: dict[int, str], principal: Principal) -> dict[str, Any]:
    return {
        "id": plan.id,
        "name": plan.name,
        "kind": plan.kind,
        "template": plan.template.name,
        "frequency": plan.frequency,
        "starts": plan.starts_on.isoformat(),
        "ends": plan.ends_on.isoformat() if plan.ends_on else "",
        "assignee": names.get(plan.assignee_org_id or 0, ""),
        "owner": names.get(plan.owner_id or 0, ""),
        "active": plan.active,
        "generated_until": plan.generated_until.isoformat() if plan.generated_until else "",
        "may_write": plans.may_write(principal, plan),
    }


def inspection_row(inspection: Inspection, tz: str) -> dict[str, Any]:
    return {
        "id": inspection.id,
        "at": local_time(inspection.inspected_at, tz),
        "site": inspection.site.name,
        "site_id": inspection.site_id,
        "kind": inspection.kind,
        "inspector": inspection.inspector_name,
        "n_pass": inspection.n_pass,
        "n_fail": inspection.n_fail,
        "n_na": inspection.n_na,
        "amended": inspection.amended,
        "template": inspection.version.template.name,
        "version": inspection.version.number,
    }


def org_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    from gaswarden.domains.organization.models import Organization

    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    stmt = select(Organization.id, Organization.name).where(Organization.id.in_(wanted))
    return {oid: name for oid, name in session.execute(stmt)}


# ---- choices ------------------------------------------------------------------------------------
def area_options(session: Session, principal: Principal) -> list[tuple[str, str]]:
    stmt = areas.filtered(principal, {}).order_by(Area.path).limit(OPTION_LIMIT)
    return [
        (str(a.id), "\u3000" * max(0, a.path.count("/") - 2) + a.name)
        for a in session.scalars(stmt)
    ]


def site_options(session: Session, principal: Principal) -> list[tuple[str, str]]:
    return ref_options(session, principal, sites) or []


def enterprise_options(session: Session, principal: Principal) -> list[tuple[str, str]]:
    kinds = [k for k in OrgKind if k.is_enterprise]
    return ref_options(session, principal, organizations, kind=kinds) or []


def org_options(session: Session, principal: Principal) -> list[tuple[str, str]]:
    return ref_options(session, principal, organizations) or []


def team_options(session: Session, principal: Principal) -> list[tuple[str, str]]:
    return ref_options(session, principal, teams) or []


def plan_options(session: Session, principal: Principal) -> list[tuple[str, str]]:
    page = plans.get_all(
        session=session, principal=principal, params=PageParams(size=200, sort="name")
    )
    return [(str(p.id), p.name) for p in page.items]


def template_options(session: Session) -> list[tuple[str, str]]:
    """Active templates with a published version (what a plan may use)."""
    stmt = (
        select(ChecklistTemplate)
        .where(
            ChecklistTemplate.active.is_(True), ChecklistTemplate.current_version_id.is_not(None)
        )
        .order_by(ChecklistTemplate.code)
    )
    return [(str(c.id), f"{c.name} ({c.code})") for c in session.scalars(stmt)]


# ---- the phone form's items ---------------------------------------------------------------------
def item_data(item: ChecklistItem, lang: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "code": item.code,
        "category": item.category,
        "text": item.text if lang == "zh" or not item.text_en else item.text_en,
        "standard": item.standard or "",
        "grade": item.hazard_grade.value,
        "grade_label": item.hazard_grade.label(lang),
        "grade_colour": item.hazard_grade.colour,
    }


def grouped(items: Iterable[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Items grouped by category, in the order the categories first appear."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        groups.setdefault(item["category"], []).append(item)
    return list(groups.items())


def version_items(version: ChecklistVersion, lang: str) -> list[dict[str, Any]]:
    return [item_data(i, lang) for i in sorted(version.items, key=lambda i: (i.position, i.id))]
