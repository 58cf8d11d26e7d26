"""Checklist templates (统一检查内容和标准): read by everyone signed in, written by regulators.

Editing a template's items publishes a new, immutable ChecklistVersion and moves the
template's `current_version_id`; earlier versions stay as they were (inspections keep theirs).
Templates are exported and imported as JSON or XLSX; an import publishes a new version of the
template with the same code, or creates it. Flush, never commit.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.enums import Role
from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.core.filters import Filter, FilterSet
from gaswarden.core.pagination import Page, PageParams
from gaswarden.domains.audit import service as audit
from gaswarden.domains.hazard.enums import SystemKind
from gaswarden.domains.inspection.builtin_checklists import BUILTINS
from gaswarden.domains.inspection.enums import ChecklistTarget
from gaswarden.domains.inspection.models import ChecklistItem, ChecklistTemplate, ChecklistVersion
from gaswarden.domains.inspection.schemas_checklists import (
    EXPORT_FORMAT,
    ChecklistCreate,
    ChecklistExport,
    ChecklistItemIn,
    ChecklistUpdate,
    VersionPublish,
)
from gaswarden.standards.hazards import HazardGrade

ENTITY = "checklist_template"
EDITORS = frozenset({Role.REGULATOR_ADMIN, Role.REGULATOR_STAFF})

FILTERS = FilterSet(
    filters=(
        Filter("target", ChecklistTemplate.target, choices=ChecklistTarget, zh="对象", en="For"),
        Filter("active", ChecklistTemplate.active, op="is", type=bool, zh="启用", en="Active"),
        Filter("builtin", ChecklistTemplate.builtin, op="is", type=bool, zh="内置", en="Built-in"),
    ),
    search=(ChecklistTemplate.code, ChecklistTemplate.name),
    sort={
        "code": ChecklistTemplate.code,
        "name": ChecklistTemplate.name,
        "target": ChecklistTemplate.target,
        "updated_at": ChecklistTemplate.updated_at,
    },
    default_sort=("code",),
)


# ---- permissions ---------------------------------------------------------------------------
def can_edit(principal: Principal) -> bool:
    return principal.scope_kind is ScopeKind.ALL or principal.role in EDITORS


def require_editor(principal: Principal) -> None:
    if not can_edit(principal):
        raise Forbidden("only the regulator edits checklists (仅监管部门可编辑检查表)")


def _validated(schema: type[BaseModel], data: Any, loc: str = "body") -> Any:
    if isinstance(data, schema):
        return data
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        errors = [
            {"loc": [loc, *map(str, e["loc"])], "msg": e["msg"], "type": e["type"]}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(e['loc'][1:]) or loc}: {e['msg']}" for e in errors)
        raise Invalid(detail, errors=errors) from exc


# ---- reads ---------------------------------------------------------------------------------
def get_all(
    *,
    session: Session,
    principal: Principal,
    params: PageParams,
    filters: dict[str, Any] | None = None,
) -> Page[ChecklistTemplate]:
    """Every signed-in caller reads every template (the contents are the same for all)."""
    return FILTERS.page(session, select(ChecklistTemplate), params, filters, ChecklistTemplate.id)


def get(*, session: Session, principal: Principal, id: int) -> ChecklistTemplate:
    template = session.get(ChecklistTemplate, id)
    if template is None:
        raise NotFound(f"checklist {id} not found")
    return template


def get_by_code(*, session: Session, principal: Principal, code: str) -> ChecklistTemplate:
    template = session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.code == code))
    if template is None:
        raise NotFound(f"checklist {code!r} not found")
    return template


def versions(*, session: Session, template: ChecklistTemplate) -> list[ChecklistVersion]:
    stmt = (
        select(ChecklistVersion)
        .where(ChecklistVersion.template_id == template.id)
        .order_by(ChecklistVersion.number)
    )
    return list(session.scalars(stmt))


def current_version(*, session: Session, template: ChecklistTemplate) -> ChecklistVersion | None:
    if template.current_version_id is None:
        return None
    return session.get(ChecklistVersion, template.current_version_id)


def get_version(
    *, session: Session, principal: Principal, template_id: int, number: int | None = None
) -> ChecklistVersion:
    """A template's version by number, or its current version."""
    template = get(session=session, principal=principal, id=template_id)
    if number is None:
        version = current_version(session=session, template=template)
    else:
        version = session.scalar(
            select(ChecklistVersion).where(
                ChecklistVersion.template_id == template.id, ChecklistVersion.number == number
            )
        )
    if version is None:
        raise NotFound(f"checklist {template_id} has no version {number or '(current)'}")
    return version


# ---- writes --------------------------------------------------------------------------------
def _add_version(
    session: Session,
    principal: Principal,
    template: ChecklistTemplate,
    items: Sequence[ChecklistItemIn],
    note: str | None,
) -> ChecklistVersion:
    last = session.scalar(
        select(func.max(ChecklistVersion.number)).where(ChecklistVersion.template_id == template.id)
    )
    version = ChecklistVersion(
        template_id=template.id,
        number=(last or 0) + 1,
        published_by=principal.username,
        note=note,
    )
    version.items = [
        ChecklistItem(
            code=item.code,
            position=position,
            category=item.category,
            text=item.text,
            text_en=item.text_en,
            standard=item.standard,
            hazard_grade=item.hazard_grade,
            deadline_days=item.deadline_days,
            system_kind=item.system_kind.value if item.system_kind else None,
        )
        for position, item in enumerate(items, start=1)
    ]
    session.add(version)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"checklist {template.code} was changed at the same time; publish again"
        ) from exc
    template.current_version_id = version.id
    session.flush()
    return version


def _audit(
    session: Session,
    principal: Principal,
    template: ChecklistTemplate,
    action: str,
    changes: dict[str, list[Any]],
    reason: str | None = None,
) -> None:
    audit.record(
        session=session,
        principal=principal,
        action=action,
        entity_type=ENTITY,
        entity_id=template.id,
        entity_label=f"{template.code} {template.name}",
        changes=changes,
        reason=reason,
    )


def create(
    *,
    session: Session,
    principal: Principal,
    data: ChecklistCreate | dict[str, Any],
    builtin: bool = False,
) -> ChecklistTemplate:
    """A new template and its version 1."""
    require_editor(principal)
    body: ChecklistCreate = _validated(ChecklistCreate, data)
    if session.scalar(select(ChecklistTemplate.id).where(ChecklistTemplate.code == body.code)):
        raise Conflict(
            f"code {body.code!r} is already used by another checklist",
            errors=[{"loc": ["body", "code"], "msg": "already used", "type": "unique"}],
        )
    template = ChecklistTemplate(
        code=body.code,
        name=body.name,
        target=body.target,
        description=body.description,
        builtin=builtin,
        active=True,
    )
    session.add(template)
    session.flush()
    version = _add_version(session, principal, template, body.items, body.note)
    _audit(
        session,
        principal,
        template,
        "create",
        {**audit.diff({}, audit.snapshot(template)), "version": [None, version.number]},
    )
    return template


def update(
    *,
    session: Session,
    principal: Principal,
    id: int,
    data: ChecklistUpdate | dict[str, Any],
    reason: str | None = None,
) -> ChecklistTemplate:
    """Name, description, active; the items change only by publishing a version."""
    require_editor(principal)
    body: ChecklistUpdate = _validated(ChecklistUpdate, data)
    template = get(session=session, principal=principal, id=id)
    before = audit.snapshot(template)
    for key, value in body.model_dump(exclude_unset=True).items():
        if value is None and key in ("name", "active"):
            raise Invalid(
                f"{key}: cannot be empty", errors=[{"loc": ["body", key], "msg": "required"}]
            )
        setattr(template, key, value)
    session.flush()
    changes = audit.diff(before, audit.snapshot(template))
    if changes:
        _audit(session, principal, template, "update", changes, reason)
    return template


def publish(
    *,
    session: Session,
    principal: Principal,
    id: int,
    data: VersionPublish | dict[str, Any],
) -> ChecklistVersion:
    """Copy the items into a new immutable version and make it the current one."""
    require_editor(principal)
    body: VersionPublish = _validated(VersionPublish, data)
    template = get(session=session, principal=principal, id=id)
    previous = template.current_version_id
    old = current_version(session=session, template=template)
    version = _add_version(session, principal, template, body.items, body.note)
    _audit(
        session,
        principal,
        template,
        "publish",
        {
            "current_version_id": [previous, version.id],
            "version": [old.number if old else None, version.number],
            **_item_changes(old.items if old else [], version.items),
        },
        body.note,
    )
    return version


def _item_changes(
    old: Iterable[ChecklistItem], new: Iterable[ChecklistItem]
) -> dict[str, list[Any]]:
    """Which item codes were added, removed or changed (for the audit log)."""

    def key(item: ChecklistItem) -> tuple[Any, ...]:
        return (
            item.category,
            item.text,
            item.text_en,
            item.standard,
            item.hazard_grade,
            item.deadline_days,
            item.system_kind,
        )

    before = {i.code: key(i) for i in old}
    after = {i.code: key(i) for i in new}
    out: dict[str, list[Any]] = {}
    added = sorted(after.keys() - before.keys())
    removed = sorted(before.keys() - after.keys())
    changed = sorted(c for c in before.keys() & after.keys() if before[c] != after[c])
    if added:
        out["items_added"] = [None, added]
    if removed:
        out["items_removed"] = [removed, None]
    if changed:
        out["items_changed"] = [changed, changed]
    return out


# ---- built-in templates --------------------------------------------------------------------
def seed_builtin(session: Session, principal: Principal | None = None) -> int:
    """Create the built-in templates that are missing (version 1); returns how many.

    Idempotent: a template whose code exists is left alone (the regulator may have edited it).
    """
    from gaswarden.core.auth import SYSTEM

    who = principal or SYSTEM
    existing = set(session.scalars(select(ChecklistTemplate.code)))
    created = 0
    for builtin in BUILTINS:
        if builtin.code in existing:
            continue
        create(session=session, principal=who, data=builtin.as_export(), builtin=True)
        created += 1
    return created


# ---- export --------------------------------------------------------------------------------
ITEM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "编号 Code"),
    ("category", "类别 Category"),
    ("text", "检查内容 Check"),
    ("text_en", "检查内容(英文) Check (English)"),
    ("standard", "依据标准 Standard"),
    ("hazard_grade", "隐患级别 Hazard grade (major/general)"),
    ("deadline_days", "整改期限(天) Deadline (days)"),
    ("system_kind", "对应制度 Enterprise system"),
)
TEMPLATE_FIELDS: tuple[tuple[str, str], ...] = (
    ("format", "格式 Format"),
    ("code", "模板编号 Code"),
    ("name", "名称 Name"),
    ("target", "检查对象 Target"),
    ("description", "说明 Description"),
    ("version", "版本 Version"),
    ("note", "版本说明 Version note"),
)
ITEMS_SHEET = "检查项 Items"
TEMPLATE_SHEET = "模板 Template"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_data(
    *, session: Session, principal: Principal, id: int, number: int | None = None
) -> dict[str, Any]:
    """The template with one version's items (the current one unless `number` is given)."""
    version = get_version(session=session, principal=principal, template_id=id, number=number)
    template = version.template
    return ChecklistExport(
        code=template.code,
        name=template.name,
        target=template.target,
        description=template.description,
        version=version.number,
        note=version.note,
        items=[
            ChecklistItemIn(
                code=i.code,
                category=i.category,
                text=i.text,
                text_en=i.text_en,
                standard=i.standard,
                hazard_grade=i.hazard_grade,
                deadline_days=i.deadline_days,
                system_kind=SystemKind(i.system_kind) if i.system_kind else None,
            )
            for i in version.items
        ],
    ).model_dump(mode="json")


def to_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def to_xlsx(data: dict[str, Any]) -> bytes:
    """One row per item under a Chinese+English header; the template's fields on a 2nd sheet."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = ITEMS_SHEET
    ws.append([header for _, header in ITEM_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for item in data["items"]:
        ws.append([item.get(key) for key, _ in ITEM_COLUMNS])
    widths = (10, 14, 48, 48, 36, 14, 12, 22)
    for column, width in zip("ABCDEFGH", widths, strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    grades = DataValidation(
        type="list", formula1='"' + ",".join(g.value for g in HazardGrade) + '"', allow_blank=False
    )
    ws.add_data_validation(grades)
    grades.add(f"F2:F{max(2, len(data['items']) + 200)}")
    meta = wb.create_sheet(TEMPLATE_SHEET)
    meta.append(["字段 Field", "值 Value"])
    for cell in meta[1]:
        cell.font = Font(bold=True)
    for key, header in TEMPLATE_FIELDS:
        meta.append([f"{key} | {header}", data.get(key) if key != "format" else EXPORT_FORMAT])
    meta.column_dimensions["A"].width = 30
    meta.column_dimensions["B"].width = 60
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---- import --------------------------------------------------------------------------------
def _file_error(msg: str, loc: Sequence[str] = ("file",)) -> Invalid:
    return Invalid(msg, errors=[{"loc": list(loc), "msg": msg, "type": "import"}])


def parse_json(content: bytes) -> dict[str, Any]:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _file_error(f"not a JSON checklist (不是有效的JSON检查表): {exc}") from exc
    if not isinstance(data, dict):
        raise _file_error("a JSON checklist is an object with code, name, target and items")
    return data


def _grade(value: Any) -> Any:
    """Accept the value (major), the Chinese (重大隐患 / 重大) or the English label."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    for grade in HazardGrade:
        if text.lower() in (grade.value, grade.en.lower()) or text in (grade.zh, grade.zh[:2]):
            return grade.value
    return text


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def parse_xlsx(content: bytes) -> dict[str, Any]:
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException ...
        raise _file_error(f"not an XLSX workbook (不是有效的XLSX文件): {exc}") from exc
    try:
        if ITEMS_SHEET not in wb.sheetnames:
            raise _file_error(f"the workbook has no sheet {ITEMS_SHEET!r} (缺少检查项工作表)")
        rows = list(wb[ITEMS_SHEET].iter_rows(values_only=True))
        data: dict[str, Any] = {}
        if TEMPLATE_SHEET in wb.sheetnames:
            for row in list(wb[TEMPLATE_SHEET].iter_rows(values_only=True))[1:]:
                if not row or row[0] is None:
                    continue
                key = str(row[0]).split("|")[0].strip()
                value = _cell(row[1] if len(row) > 1 else None)
                if key in dict(TEMPLATE_FIELDS) and value is not None:
                    data[key] = value
    finally:
        wb.close()
    if not rows:
        raise _file_error("the items sheet is empty (检查项为空)")
    header = [str(h or "").strip() for h in rows[0]]
    columns: dict[int, str] = {}
    for index, title in enumerate(header):
        for key, expected in ITEM_COLUMNS:
            if (
                title == expected
                or title.lower() == key
                or title.split(" ")[0] == expected.split(" ")[0]
            ):
                columns[index] = key
    if "code" not in columns.values() or "text" not in columns.values():
        raise _file_error(
            "the header row must name at least 编号 Code and 检查内容 Check columns",
            ("file", ITEMS_SHEET, "row 1"),
        )
    items = []
    for row in rows[1:]:
        values = {key: _cell(row[i]) if i < len(row) else None for i, key in columns.items()}
        if all(v is None for v in values.values()):
            continue
        values["hazard_grade"] = _grade(values.get("hazard_grade"))
        if isinstance(values.get("code"), int):
            values["code"] = str(values["code"])
        items.append(values)
    data["items"] = items
    return data


IMPORT_MAX_BYTES = 5 * 1024 * 1024  # a checklist file; the built-ins export to ~20 KB


def read_import(stream: BinaryIO) -> bytes:
    """An uploaded checklist file, refused (nothing read beyond the limit) when too large."""
    content = stream.read(IMPORT_MAX_BYTES + 1)
    if len(content) > IMPORT_MAX_BYTES:
        raise _file_error("the file is larger than 5 MB (文件过大)")
    return content


def parse(content: bytes, fmt: str) -> dict[str, Any]:
    if fmt == "json":
        return parse_json(content)
    if fmt == "xlsx":
        return parse_xlsx(content)
    raise _file_error(f"unknown format {fmt!r}; use json or xlsx", ("query", "format"))


def format_for(filename: str | None, given: str | None) -> str:
    if given:
        return given
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".json"):
        return "json"
    raise _file_error("name the format (?format=json|xlsx) or upload a .json or .xlsx file")


def import_data(
    *,
    session: Session,
    principal: Principal,
    data: dict[str, Any],
    overrides: dict[str, Any] | None = None,
) -> tuple[ChecklistTemplate, ChecklistVersion, bool]:
    """Publish the items as a new version of the template with the same code, or create it.

    Returns (template, version, created). A bad file raises Invalid naming rows and fields.
    """
    require_editor(principal)
    data = {**data, **{k: v for k, v in (overrides or {}).items() if v is not None}}
    data.setdefault("format", EXPORT_FORMAT)
    if isinstance(data.get("items"), list):
        for item in data["items"]:
            if isinstance(item, dict):
                item["hazard_grade"] = _grade(item.get("hazard_grade"))
    body: ChecklistExport = _validated(ChecklistExport, data, loc="file")
    template = session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.code == body.code))
    if template is None:
        template = create(
            session=session,
            principal=principal,
            data=ChecklistCreate(
                code=body.code,
                name=body.name,
                target=body.target,
                description=body.description,
                note=body.note or "导入 Imported",
                items=body.items,
            ),
        )
        version = current_version(session=session, template=template)
        assert version is not None
        return template, version, True
    if template.target is not body.target:
        raise Invalid(
            f"checklist {body.code} is for {template.target.value}, the file for "
            f"{body.target.value} (检查对象不一致)",
            errors=[{"loc": ["file", "target"], "msg": "differs from the template's target"}],
        )
    version = publish(
        session=session,
        principal=principal,
        id=template.id,
        data=VersionPublish(note=body.note or "导入 Imported", items=body.items),
    )
    return template, version, False
