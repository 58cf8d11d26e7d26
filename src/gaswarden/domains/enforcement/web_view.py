"""How enforcement cases look on the pages: page texts, a list row, the detail's fields (personal
data masked), its timeline, evidence and activities, and the steps the caller may take. Reads
only; every change goes through domains/enforcement/service and watch."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.i18n import local_time, t
from gaswarden.core.protect import mask_id_number, mask_phone
from gaswarden.domains.enforcement import service
from gaswarden.domains.enforcement.enums import CaseStatus, ClosureKind, Decision
from gaswarden.domains.enforcement.models import CaseEvent, EnforcementCase, SiteActivity
from gaswarden.domains.enforcement.workflow import MOVES, WRITERS, Step

# Page texts: id -> (中文, English); anything else goes through core.i18n.t.
TEXTS: dict[str, tuple[str, str]] = {
    "Enforcement": ("执法案件", "Enforcement cases"),
    "Open a case": ("立案", "Open a case"),
    "New case": ("新立案件", "New enforcement case"),
    "Closures": ("关停取缔", "Closures of illegal sites"),
    "Closures total": ("取缔合计", "Closures in all"),
    "Cases": ("案件数", "Cases"),
    "Watched": ("关停监控", "Watched"),
    "Flagged": ("关停后发现活动", "Activity after closure"),
    "Fines": ("罚款合计（元）", "Fines (yuan)"),
    "Code": ("案件编号", "Case number"),
    "Party": ("当事人", "Party"),
    "Party kind": ("当事人类型", "Party kind"),
    "Party name": ("当事人名称/姓名", "Party's name"),
    "Contact": ("联系电话", "Contact phone"),
    "ID number": ("身份证号", "ID number"),
    "Enterprise": ("涉案企业", "Enterprise"),
    "Site": ("场站", "Site"),
    "Area": ("所在区域", "Area"),
    "Address": ("地址", "Address"),
    "Position": ("位置（经度, 纬度）", "Position (lon, lat)"),
    "Longitude": ("经度", "Longitude"),
    "Latitude": ("纬度", "Latitude"),
    "Source": ("案件来源", "Source"),
    "Status": ("状态", "Status"),
    "Opened": ("立案时间", "Opened"),
    "Opened by": ("立案人", "Opened by"),
    "Facts": ("违法事实", "Facts"),
    "Rule violated": ("违反条款", "Rule violated"),
    "Decision": ("处理决定", "Decision"),
    "Decision no": ("决定书文号", "Decision document no."),
    "Fine (yuan)": ("罚款金额（元）", "Fine (yuan)"),
    "Rectify by": ("整改期限", "Rectify by"),
    "Decided": ("决定时间", "Decided"),
    "Closure kind": ("取缔类型", "Closure kind"),
    "Executed": ("执行时间", "Executed"),
    "Execution": ("执行情况", "Execution"),
    "Closed": ("结案时间", "Closed"),
    "Hazard": ("隐患", "Hazard"),
    "Inspection": ("检查记录", "Inspection"),
    "Evidence": ("证据材料", "Evidence"),
    "Photos": ("照片/材料", "Photos / documents"),
    "Activities": ("关停后活动", "Activity after closure"),
    "Seen": ("发现时间", "Seen"),
    "What": ("情况", "What was seen"),
    "Reviewed": ("已核查", "Reviewed"),
    "Not reviewed": ("待核查", "Not reviewed"),
    "Review": ("核查", "Review"),
    "Review note": ("核查情况", "What was found"),
    "Timeline": ("办案过程", "Timeline"),
    "Handle": ("办理", "Handle"),
    "Note": ("备注", "Note"),
    "No cases": ("暂无案件", "No cases"),
    "Search": ("搜索", "Search"),
    "Code, party, address": ("编号、当事人、地址或文号", "Number, party, address or document"),
    "All": ("全部", "All"),
    "Yes": ("是", "Yes"),
    "No": ("否", "No"),
    "Filter": ("筛选", "Filter"),
    "Reset": ("重置", "Reset"),
    "Saved": ("已保存", "Saved"),
    "Map": ("取缔点位地图", "Map of closures"),
    "Personal data masked": ("个人信息已脱敏", "personal data masked"),
    "From hazard": ("由隐患移交", "From the hazard"),
    "From inspection": ("由检查记录移交", "From the inspection"),
    "Unlicensed help": (
        "无证经营者：填写姓名或名称、地址、联系电话、身份证号及位置；持证企业：选择企业。",
        "Unlicensed operator: name, address, phone, ID number and position; licensed: pick the"
        " enterprise.",
    ),
    "step:investigate": ("调查取证", "Start investigating"),
    "step:evidence": ("补充证据", "Add evidence"),
    "step:decide": ("作出决定", "Decide"),
    "step:execute": ("执行", "Execute"),
    "step:close": ("结案", "Close the case"),
    "step:comment": ("备注", "Comment"),
    "step:activity": ("记录关停后活动", "Record activity after closure"),
    "Execution note": ("执行情况说明", "What was done"),
    "Activity source": ("发现途径", "Seen through"),
    "Activity detail": ("发现的情况", "What was seen"),
}

# Closure kinds on the map: the badge colours of ClosureKind, as hex (web/map.COLOURS).
CLOSURE_SYMBOL = "✕"


def text(key: str, lang: str) -> str:
    pair = TEXTS.get(key)
    if pair is None:
        return t(key, lang)
    return pair[0] if lang == "zh" else pair[1]


def may_write(principal: Principal) -> bool:
    return principal.scope_kind is ScopeKind.ALL or principal.role in WRITERS


def steps_for(principal: Principal, case: EnforcementCase) -> list[str]:
    """The steps the caller may take on the case now (the service checks again)."""
    if not may_write(principal):
        return []
    out: list[str] = []
    for step, move in MOVES.items():
        allowed = case.status in move.sources
        if step is Step.EXECUTE and case.decision is Decision.NO_ACTION:
            allowed = False  # nothing to execute: it closes from decided
        if (
            step is Step.CLOSE
            and case.status is CaseStatus.DECIDED
            and case.decision is Decision.NO_ACTION
        ):
            allowed = True
        if allowed:
            out.append(step.value)
    if case.watched:
        out.insert(len(out) - 1 if out and out[-1] == "comment" else len(out), "activity")
    return out


def money(value: Any) -> str:
    return "" if value is None else f"{float(value):,.2f}"


def row(case: EnforcementCase, lang: str, tz: str) -> dict[str, Any]:
    return {
        "id": case.id,
        "code": case.code,
        "status": case.status,
        "source": case.source,
        "party_kind": case.party_kind,
        "party": case.party_name,
        "site": case.site.name if case.site else "",
        "site_id": case.site_id,
        "address": case.address or "",
        "area": case.area_name or "",
        "decision": case.decision,
        "closure_kind": case.closure_kind,
        "opened": local_time(case.opened_at, tz, "%Y-%m-%d"),
        "watched": case.watched,
        "flagged": case.activity_flagged,
        "fine": money(case.fine_yuan),
    }


def detail(case: EnforcementCase, lang: str, tz: str) -> dict[str, Any]:
    """Every field of the case as shown; the party's phone and ID number masked."""
    out = row(case, lang, tz)
    out.update(
        {
            "contact": mask_phone(case.party_contact) or "",
            "id_number": mask_id_number(case.party_id_number) or "",
            "owner_id": case.owner_id,
            "owner": case.owner_name or "",
            "lon": case.lon,
            "lat": case.lat,
            "opened_at": local_time(case.opened_at, tz),
            "opened_by": case.opened_by_name,
            "facts": case.facts,
            "rule_violated": case.rule_violated or "",
            "decision_no": case.decision_no or "",
            "decided_at": local_time(case.decided_at, tz) if case.decided_at else "",
            "rectify_by": case.rectify_by.isoformat() if case.rectify_by else "",
            "executed_at": local_time(case.executed_at, tz) if case.executed_at else "",
            "execution_note": case.execution_note or "",
            "closed_at": local_time(case.closed_at, tz) if case.closed_at else "",
            "hazard_id": case.hazard_id,
            "inspection_id": case.inspection_id,
        }
    )
    return out


def _data_text(data: dict[str, Any], lang: str) -> str:
    parts = []
    for key, value in data.items():
        if value is None or key in ("photo_ids", "activity_id", "reviewed"):
            continue
        if key == "decision" and value in set(Decision):
            value = Decision(value).label(lang)
        elif key == "closure_kind" and value in set(ClosureKind):
            value = ClosureKind(value).label(lang)
        elif isinstance(value, bool):
            value = text("Yes", lang) if value else text("No", lang)
        parts.append(f"{key}: {value}")
    return ", ".join(parts)


def timeline_rows(events: list[CaseEvent], lang: str, tz: str) -> list[dict[str, Any]]:
    return [
        {
            "at": local_time(e.at, tz),
            "kind": e.kind.label(lang),
            "kind_value": e.kind.value,
            "colour": e.kind.colour,
            "actor": e.actor_name,
            "from": e.from_status.label(lang) if e.from_status else "",
            "to": e.to_status.label(lang) if e.to_status else "",
            "moved": e.from_status is not None and e.from_status is not e.to_status,
            "note": e.note or "",
            "data": _data_text(e.data or {}, lang),
        }
        for e in events
    ]


def activity_rows(items: list[SiteActivity], lang: str, tz: str) -> list[dict[str, Any]]:
    return [
        {
            "id": a.id,
            "seen": local_time(a.seen_at, tz),
            "source": a.source,
            "detail": a.detail,
            "reviewed": a.reviewed,
            "reviewed_by": a.reviewed_by_name or "",
            "review_note": a.review_note or "",
        }
        for a in items
    ]


def evidence(session: Session, case: EnforcementCase) -> list[tuple[int, str, bool]]:
    """(attachment id, name, is an image) of the case's evidence."""
    return [
        (a.id, a.filename, a.content_type.startswith("image/"))
        for a in service.evidence(session=session, case=case)
    ]
