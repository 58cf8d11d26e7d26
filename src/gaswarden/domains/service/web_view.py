"""How service requests and coverage look on the pages: page texts, list rows, a request's
fields (the phone masked), its timeline, the steps the caller may take, the statistics'
rows and the coverage chart's data. Reads only; changes go through the services."""

from __future__ import annotations

from typing import Any

from gaswarden.core.auth import Principal
from gaswarden.core.i18n import local_time, t
from gaswarden.core.protect import mask_phone
from gaswarden.domains.service.enums import RequestChannel, RequestKind, RequestStatus
from gaswarden.domains.service.models import RequestEvent, ServiceRequest
from gaswarden.domains.service.scope import may_handle
from gaswarden.domains.service.workflow import MOVES
from gaswarden.standards.service import Target

# Page texts: id -> (中文, English); anything else goes through core.i18n.t.
TEXTS: dict[str, tuple[str, str]] = {
    "Service requests": ("服务工单", "Service requests"),
    "Hotline entry": ("热线受理", "Hotline entry"),
    "Online service": ("网上服务", "Online service"),
    "Report a problem": ("网上报修与咨询", "Report a problem or ask"),
    "Report intro": (
        "填写以下信息，燃气企业将按服务时限与您联系。",
        "Fill in the form; the gas company will contact you within its time targets.",
    ),
    "Leak warning": (
        "闻到燃气味：请立即关闭燃气阀门、打开门窗、不要开关电器、到室外拨打燃气抢修电话或119。本表提交后将立即转为应急事件。",
        "If you smell gas: close the gas valve, open windows, do not touch switches, go outside "
        "and call the gas emergency line or 119. A leak report here opens an emergency case at "
        "once.",
    ),
    "Received": ("已受理", "Received"),
    "Your code": ("您的工单编号", "Your request number"),
    "Keep the code": (
        "请保存工单编号，查询时请提供。",
        "Keep this number; quote it when you call.",
    ),
    "Send": ("提交", "Send"),
    "Save": ("保存", "Save"),
    "Saved": ("已保存", "Saved"),
    "Saved next": ("已受理，可继续受理下一个来电", "Saved; ready for the next call"),
    "Statistics": ("服务统计", "Statistics"),
    "Coverage": ("燃气覆盖与清洁取暖", "Gas and clean-heating coverage"),
    "Code": ("工单编号", "Request number"),
    "Kind": ("类型", "Kind"),
    "Channel": ("渠道", "Channel"),
    "Priority": ("紧急程度", "Priority"),
    "Status": ("状态", "Status"),
    "Caller": ("来电人/联系人", "Caller"),
    "Contact": ("联系人", "Contact"),
    "Phone": ("联系电话", "Phone"),
    "Address": ("地址", "Address"),
    "Town": ("镇/街道", "Town / street"),
    "Area": ("所在区域", "Area"),
    "Enterprise": ("责任企业", "Gas company"),
    "Auto": ("自动(按位置)", "Automatic (from the place)"),
    "Description": ("情况描述", "What happened / what is wanted"),
    "Longitude": ("经度", "Longitude"),
    "Latitude": ("纬度", "Latitude"),
    "Received at": ("受理时间", "Received"),
    "Received by": ("受理人", "Received by"),
    "Respond by": ("响应时限", "Respond by"),
    "Resolve by": ("办结时限", "Resolve by"),
    "Responded": ("响应时间", "Responded"),
    "Resolved": ("办结时间", "Resolved"),
    "Closed": ("归档时间", "Closed"),
    "Assigned to": ("承办", "Assigned to"),
    "Team": ("班组", "Team"),
    "Person": ("承办人", "Person"),
    "Resolution": ("处理结果", "Resolution"),
    "Satisfaction": ("满意度", "Satisfaction"),
    "Incident": ("应急事件", "Emergency incident"),
    "Overdue": ("超时", "Overdue"),
    "Timeline": ("办理过程", "Timeline"),
    "Note": ("备注", "Note"),
    "Personal data masked": ("个人信息已脱敏", "personal data masked"),
    "No requests": ("暂无工单", "No requests"),
    "Search": ("搜索", "Search"),
    "Code, name, address": ("编号、联系人或地址", "Number, name or address"),
    "All": ("全部", "All"),
    "Yes": ("是", "Yes"),
    "No": ("否", "No"),
    "Filter": ("筛选", "Filter"),
    "Reset": ("重置", "Reset"),
    "Targets": ("服务时限", "Time targets"),
    "Respond within": ("响应时限", "Respond within"),
    "Resolve within": ("办结时限", "Resolve within"),
    "Source": ("依据", "Source"),
    "Total": ("合计", "Total"),
    "On time (respond)": ("响应及时率", "Responded on time"),
    "On time (resolve)": ("办结及时率", "Resolved on time"),
    "Mean respond": ("平均响应(分钟)", "Mean response (min)"),
    "Mean resolve": ("平均办结(小时)", "Mean resolution (h)"),
    "Mean satisfaction": ("平均满意度", "Mean satisfaction"),
    "By kind": ("按类型", "By kind"),
    "By channel": ("按渠道", "By channel"),
    "By status": ("按状态", "By status"),
    "By enterprise": ("按企业", "By enterprise"),
    "By month": ("按月", "By month"),
    "Month": ("月份", "Month"),
    "From": ("自", "From"),
    "To": ("至", "To"),
    "Villages": ("村(社区)数", "Villages"),
    "Villages piped": ("通管道气村数", "Villages with pipe gas"),
    "Villages heated": ("清洁取暖村数", "Villages on clean heating"),
    "Households": ("户数", "Households"),
    "Households piped": ("通气户数", "Households piped"),
    "Households heated": ("清洁取暖户数", "Households on clean heating"),
    "Progress": ("历年进展", "Progress over the years"),
    "Year": ("年份", "Year"),
    "Village": ("村(社区)", "Village"),
    "Piped since": ("通气年份", "Piped since"),
    "Heated since": ("清洁取暖年份", "Clean heating since"),
    "Edit figures": ("更新数据", "Update figures"),
    "Reason": ("原因", "Reason"),
    "step:assign": ("派单", "Assign"),
    "step:respond": ("已响应/到场", "Responded / on site"),
    "step:resolve": ("办结", "Resolve"),
    "step:close": ("回访归档", "Return visit and close"),
    "step:note": ("备注", "Add a note"),
}


def text(key: str, lang: str) -> str:
    pair = TEXTS.get(key)
    if pair is None:
        return t(key, lang)
    return pair[0] if lang == "zh" else pair[1]


def steps_for(principal: Principal, request: ServiceRequest) -> list[str]:
    """The steps the caller may take on the request now (the service checks again)."""
    if not may_handle(principal):
        return []
    return [s.value for s, move in MOVES.items() if request.status in move.sources]


def duration(minutes: int) -> str:
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)} d"
    if minutes % 60 == 0:
        return f"{minutes // 60} h"
    return f"{minutes} min"


def target_rows(targets: dict[RequestKind, Target], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "kind": kind,
            "priority": tg.priority,
            "respond": duration(tg.respond_min),
            "resolve": duration(tg.resolve_min),
            "source": tg.source,
        }
        for kind, tg in targets.items()
    ]


def row(r: ServiceRequest, tz: str) -> dict[str, Any]:
    return {
        "id": r.id,
        "code": r.code,
        "kind": r.kind,
        "channel": r.channel,
        "priority": r.priority,
        "status": r.status,
        "contact": r.contact_name,
        "address": r.address or "",
        "area": r.area_name or "",
        "owner": r.owner_name or "",
        "received": local_time(r.received_at, tz),
        "overdue": r.overdue,
        "incident_id": r.incident_id,
    }


def detail(r: ServiceRequest, tz: str) -> dict[str, Any]:
    """Every field as shown; the phone masked."""
    out = row(r, tz)
    out.update(
        {
            "phone": mask_phone(r.contact_phone) or "",
            "description": r.description,
            "owner_id": r.owner_id,
            "lon": r.lon,
            "lat": r.lat,
            "received_by": r.received_by_name,
            "respond_due": local_time(r.respond_due_at, tz),
            "resolve_due": local_time(r.resolve_due_at, tz),
            "responded": local_time(r.responded_at, tz),
            "resolved": local_time(r.resolved_at, tz),
            "closed": local_time(r.closed_at, tz),
            "assignee": r.assignee_name or "",
            "resolution": r.resolution or "",
            "satisfaction": r.satisfaction,
        }
    )
    return out


def timeline_rows(events: list[RequestEvent], lang: str, tz: str) -> list[dict[str, Any]]:
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
        }
        for e in events
    ]


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def number(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def labelled(counts: dict[str, int], enum: Any, lang: str) -> list[tuple[str, int]]:
    return [(member.label(lang), counts.get(member.value, 0)) for member in enum]


def figure_cells(f: dict[str, Any]) -> dict[str, str]:
    return {
        "total": str(f["total"]),
        "respond_rate": percent(f["respond_on_time_rate"]),
        "resolve_rate": percent(f["resolve_on_time_rate"]),
        "mean_respond": number(f["mean_respond_min"]),
        "mean_resolve": number(f["mean_resolve_h"]),
        "satisfaction": number(f["satisfaction_mean"]),
        "overdue": str(f["overdue"]),
    }


def breakdowns(f: dict[str, Any], lang: str) -> dict[str, list[tuple[str, int]]]:
    return {
        "By kind": labelled(f["by_kind"], RequestKind, lang),
        "By channel": labelled(f["by_channel"], RequestChannel, lang),
        "By status": labelled(f["by_status"], RequestStatus, lang),
    }


def chart_data(years: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """The coverage chart: households piped and on clean heating, villages, per year."""
    return {
        "x": [y["year"] for y in years],
        "households_piped": [y["households_piped"] for y in years],
        "households_clean_heating": [y["households_clean_heating"] for y in years],
        "villages_piped": [y["villages_piped"] for y in years],
        "villages_clean_heating": [y["villages_clean_heating"] for y in years],
        "labels": {
            k: text(k, lang)
            for k in (
                "Households piped",
                "Households heated",
                "Villages piped",
                "Villages heated",
                "Year",
                "Households",
                "Villages",
            )
        },
    }
