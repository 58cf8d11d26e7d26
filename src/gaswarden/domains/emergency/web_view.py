"""How emergency records look on the pages: the page texts (中文 first, English second), the
rows of the lists, the steps offered on an incident, and the resources map's data. Reads
only; every change goes through the domain's services."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.i18n import local_time, t
from gaswarden.domains.emergency import roads
from gaswarden.domains.emergency.enums import IncidentStatus
from gaswarden.domains.emergency.models import Incident, ReserveItem
from gaswarden.domains.emergency.reserves import reserve_point
from gaswarden.domains.emergency.scope import REPORTERS, WRITERS, incident_scope, reserve_scope
from gaswarden.domains.emergency.teams import TeamView
from gaswarden.web.alarm_view import duration_text

TEXTS: dict[str, tuple[str, str]] = {
    "Emergency": ("应急处置", "Emergency response"),
    "Incidents": ("突发事件", "Incidents"),
    "Incident": ("突发事件", "Incident"),
    "Plans": ("应急预案", "Emergency plans"),
    "Resources": ("应急资源", "Resources"),
    "Drills": ("应急演练", "Drills"),
    "Open incidents": ("处置中的事件", "Open incidents"),
    "New incident": ("接报登记(电话报警)", "New incident (phone call)"),
    "Open incident": ("启动应急", "Open incident"),
    "Incidents opened": ("已启动的应急事件", "Incidents opened"),
    "Title": ("标题", "Title"),
    "Grade": ("等级", "Grade"),
    "Source": ("来源", "Source"),
    "Status": ("状态", "Status"),
    "Code": ("编号", "Code"),
    "Reported": ("接报时间", "Reported"),
    "Reported by": ("接报人", "Reported by"),
    "Caller": ("报警人", "Caller"),
    "Caller phone": ("报警电话", "Caller's phone"),
    "Address": ("地址", "Address"),
    "Longitude": ("经度", "Longitude"),
    "Latitude": ("纬度", "Latitude"),
    "Description": ("情况描述", "Description"),
    "Enterprise": ("责任企业", "Responsible enterprise"),
    "Site": ("场站", "Site"),
    "Area": ("区域", "Area"),
    "Dispatch time": ("派遣用时", "Time to dispatch"),
    "Arrival time": ("到场用时", "Time to arrive"),
    "Response times": ("响应时间", "Response times"),
    "Mean dispatch": ("平均派遣用时", "Mean time to dispatch"),
    "Mean arrival": ("平均到场用时", "Mean time to arrive"),
    "Max arrival": ("最长到场用时", "Longest time to arrive"),
    "By grade": ("按等级", "By grade"),
    "By enterprise": ("按企业", "By enterprise"),
    "By month": ("按月份", "By month"),
    "Count": ("数量", "Count"),
    "Timeline": ("处置过程", "Timeline"),
    "Time": ("时间", "Time"),
    "Event": ("事项", "Event"),
    "Actor": ("操作人", "Actor"),
    "Note": ("说明", "Note"),
    "Dispatches": ("派遣队伍", "Teams sent"),
    "Team": ("队伍", "Team"),
    "Vehicle": ("车辆", "Vehicle"),
    "Distance": ("距离", "Distance"),
    "Method": ("测距方式", "Method"),
    "Dispatched": ("派遣时间", "Dispatched"),
    "Arrived": ("到场时间", "Arrived"),
    "Returned": ("归队时间", "Returned"),
    "Nearest teams": ("最近的可用救援队伍", "Nearest available teams"),
    "Nearest reserves": ("最近的装备物资", "Nearest reserves"),
    "Distances by": ("距离计算方式", "Distances by"),
    "No road link": ("无道路连通，按直线", "No road link: straight line"),
    "Contacts to notify": ("应通知的联络人", "Contacts to notify"),
    "No contacts": ("本等级无需通知的联络人", "No contact listed for this grade"),
    "Handle": ("处置", "Handle"),
    "step:dispatch": ("派遣", "Dispatch"),
    "step:arrive": ("到场", "Arrived"),
    "step:action": ("处置措施", "Action taken"),
    "step:control": ("险情控制", "Under control"),
    "step:return": ("归队", "Team returned"),
    "step:close": ("结案", "Close"),
    "step:grade": ("定级", "Set the grade"),
    "step:notify": ("通知联络人", "Notify contacts"),
    "step:submit": ("提交审批", "Submit"),
    "step:approve": ("批准", "Approve"),
    "step:send_back": ("退回修改", "Send back"),
    "step:version": ("修订(新版本)", "Revise (new version)"),
    "step:held": ("登记演练结果", "Record as held"),
    "step:cancel": ("取消", "Cancel"),
    "step:add_action": ("添加整改措施", "Add follow-up"),
    "step:action_done": ("完成", "Done"),
    "Cause": ("事故原因", "Cause"),
    "Summary": ("处置总结", "Summary"),
    "Injured": ("受伤人数", "Injured"),
    "Deaths": ("死亡人数", "Deaths"),
    "Plan": ("预案", "Plan"),
    "New plan": ("新建预案", "New plan"),
    "Version": ("版本", "Version"),
    "Level": ("级别", "Level"),
    "Review due": ("评估修订期限", "Review due"),
    "Review overdue": ("逾期未评估修订", "Review overdue"),
    "In force": ("现行有效", "In force"),
    "Awaiting approval": ("待审批", "Awaiting approval"),
    "Effective": ("生效日期", "Effective"),
    "Approved by": ("批准人", "Approved by"),
    "Document": ("预案文本", "Document"),
    "Attachment id": ("预案文件(上传编号)", "Document (upload id)"),
    "Scenarios": ("适用情形", "Scenarios"),
    "Versions": ("历史版本", "Versions"),
    "Filed with": ("备案单位", "Filed with"),
    "Owner": ("所属单位", "Owner"),
    "District": ("区级", "District"),
    "Teams": ("救援队伍", "Rescue teams"),
    "Members": ("队员", "Members"),
    "Skills": ("专业技能", "Skills"),
    "Duty": ("值守状态", "Duty status"),
    "Set": ("设置", "Set"),
    "Vehicles": ("车辆", "Vehicles"),
    "Equipment sets": ("装备(台/套)", "Equipment sets"),
    "Reserves": ("装备物资储备", "Equipment and material reserves"),
    "Name": ("名称", "Name"),
    "Kind": ("种类", "Kind"),
    "Quantity": ("数量", "Quantity"),
    "Held by": ("存放/保管", "Held by"),
    "Expires": ("有效期至", "Expires"),
    "Next maintenance": ("下次维护", "Next maintenance"),
    "Expired": ("已过期", "Expired"),
    "Maintenance due": ("待维护", "Maintenance due"),
    "Map": ("资源分布图", "Resources map"),
    "Roads": ("道路", "Roads"),
    "Road graph": ("路网", "Road graph"),
    "No road graph": (
        "未加载路网：距离按直线计算",
        "No road graph loaded: straight-line distances",
    ),
    "Road graph loaded": ("已加载路网", "Road graph loaded"),
    "Drill": ("演练", "Drill"),
    "Plan a drill": ("计划演练", "Plan a drill"),
    "Scenario": ("演练场景", "Scenario"),
    "Planned on": ("计划日期", "Planned on"),
    "Held on": ("举行日期", "Held on"),
    "Participants": ("参演人数", "Participants"),
    "Participant units": ("参演单位", "Participating units"),
    "Rating": ("评估结果", "Rating"),
    "Evaluation": ("评估总结", "Evaluation"),
    "Follow-ups": ("整改措施", "Follow-up actions"),
    "Responsible": ("责任人", "Responsible"),
    "Due": ("期限", "Due"),
    "Done": ("完成日期", "Done"),
    "Counts per year": ("各单位年度演练次数", "Drills per organiser per year"),
    "Year": ("年度", "Year"),
    "Planned": ("计划", "Planned"),
    "Held": ("已举行", "Held"),
    "Cancelled": ("已取消", "Cancelled"),
    "All": ("全部", "All"),
    "Filter": ("筛选", "Filter"),
    "Save": ("保存", "Save"),
    "None": ("暂无", "None"),
    "Saved": ("已保存", "Saved"),
    "Contacts": ("应急联络人(按事件等级通知)", "Emergency contacts (told by grade)"),
    "Unit": ("单位", "Unit"),
    "Phone": ("电话", "Phone"),
    "Told of": ("通知等级", "Told of"),
    "or more severe": ("及以上", "or more severe"),
    "Add a reserve line": ("新增装备物资", "Add a reserve line"),
    "Category": ("类别", "Category"),
    "Every team en route": ("所有在途队伍", "Every team en route"),
    "Teams available": ("可用队伍", "Teams available"),
    "Plans in force": ("现行预案", "Plans in force"),
    "Reserve lines flagged": ("过期/待维护物资", "Reserve lines flagged"),
}


def text(key: str, lang: str) -> str:
    pair = TEXTS.get(key)
    if pair is None:
        return t(key, lang)
    return pair[0] if lang == "zh" else pair[1]


def may_write(principal: Principal) -> bool:
    return principal.scope_kind is ScopeKind.ALL or principal.role in WRITERS


def may_report(principal: Principal) -> bool:
    return principal.scope_kind is ScopeKind.ALL or principal.role in REPORTERS


def km(metres: float | None) -> str:
    return "—" if metres is None else f"{metres / 1000:.2f} km"


def incident_row(i: Incident, tz: str) -> dict[str, Any]:
    return {
        "id": i.id,
        "code": i.code,
        "title": i.title,
        "grade": i.grade,
        "source": i.source,
        "status": i.status,
        "owner": i.owner_name or "—",
        "address": i.address or (i.site.name if i.site else ""),
        "reported": local_time(i.reported_at, tz),
        "dispatch": duration_text(i.dispatch_s),
        "arrival": duration_text(i.arrival_s),
    }


def steps_for(principal: Principal, incident: Incident) -> list[str]:
    """The steps offered on the page now (the services check again)."""
    if not may_write(principal) or not incident.status.is_open:
        return []
    out = ["dispatch"]
    en_route = [d for d in incident.dispatches if d.arrived_at is None and d.returned_at is None]
    if en_route:
        out.append("arrive")
    out.append("action")
    if incident.arrived_at is not None and incident.status is not IncidentStatus.CONTROLLED:
        out.append("control")
    if any(d.returned_at is None for d in incident.dispatches):
        out.append("return")
    out += ["grade", "notify", "close"]
    return out


def map_data(
    session: Session, principal: Principal, views: list[TeamView], lang: str
) -> dict[str, Any]:
    """Teams by duty status, reserves, open incidents and the road graph, for emergency.js."""
    layers: list[dict[str, Any]] = []
    by_status: dict[str, dict[str, Any]] = {}
    for v in views:
        point = v.point
        if point is None:
            continue
        status = v.team.duty_status
        layer = by_status.setdefault(
            status.value,
            {
                "name": f"{text('Teams', lang)} · {status.label(lang)}",
                "x": [],
                "y": [],
                "text": [],
                "colour": status.colour,
                "symbol": "star",
                "size": 14,
            },
        )
        layer["x"].append(point[0])
        layer["y"].append(point[1])
        layer["text"].append(f"{v.team.name} · {status.label(lang)} · {len(v.members)}人")
    layers += list(by_status.values())
    reserves: dict[str, Any] = {
        "name": text("Reserves", lang),
        "x": [],
        "y": [],
        "text": [],
        "colour": "teal",
        "symbol": "square",
        "size": 8,
    }
    for item in session.scalars(select(ReserveItem).where(reserve_scope(principal))):
        point = reserve_point(item)
        if point is None:
            continue
        reserves["x"].append(point[0])
        reserves["y"].append(point[1])
        reserves["text"].append(f"{item.name} × {item.quantity:g}{item.unit}")
    layers.append(reserves)
    open_incidents: dict[str, Any] = {
        "name": text("Open incidents", lang),
        "x": [],
        "y": [],
        "text": [],
        "colour": "red",
        "symbol": "x",
        "size": 14,
    }
    for i in session.scalars(
        select(Incident).where(incident_scope(principal), Incident.status != IncidentStatus.CLOSED)
    ):
        if i.lon is None or i.lat is None:
            continue
        open_incidents["x"].append(i.lon)
        open_incidents["y"].append(i.lat)
        open_incidents["text"].append(f"{i.code} {i.title} · {i.grade.label(lang)}")
    layers.append(open_incidents)
    lines = roads.as_geojson(session)["coordinates"]
    rx: list[float | None] = []
    ry: list[float | None] = []
    for a, b in lines:
        rx += [a[0], b[0], None]
        ry += [a[1], b[1], None]
    return {
        "layers": layers,
        "roads": {"name": text("Roads", lang), "x": rx, "y": ry},
        "labels": {"x": text("Longitude", lang), "y": text("Latitude", lang)},
    }
