"""How conversions look on the pages: page texts (中文 first), a list row, the detail's fields
(personal data masked), the quote, the timeline, the steps the caller may take, the chart's
data. Reads only; every change goes through the domain's services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gaswarden.core.auth import Principal
from gaswarden.core.i18n import local_time, t
from gaswarden.core.protect import mask_id_number, mask_phone
from gaswarden.domains.conversion import rules
from gaswarden.domains.conversion.enums import (
    ApplicationChannel,
    ConversionStatus,
    QuotaCategory,
    RefusalReason,
)
from gaswarden.domains.conversion.models import ConversionApplication, ConversionEvent
from gaswarden.domains.conversion.workflow import MOVES, Step, may_write

TEXTS: dict[str, tuple[str, str]] = {
    "Conversions": ("瓶改管", "Bottle-to-pipe conversion"),
    "Applications": ("申请列表", "Applications"),
    "Counter entry": ("营业厅受理", "Counter entry"),
    "Progress": ("进度统计", "Progress"),
    "Prices": ("定额与套餐", "Quota and packages"),
    "Apply title": ("瓶改管（液化气改管道燃气）申请", "Apply for bottle-to-pipe conversion"),
    "Apply intro": (
        "一户一方案：提交后燃气公司将电话联系您预约上门勘察，按省工程定额优惠后报价。"
        "个人信息加密保存，仅用于办理本业务。",
        "One plan per household: the gas company calls you to arrange a survey, then quotes "
        "the connection at the provincial quota less the district's discount. Your personal "
        "data is stored encrypted and used for this application only.",
    ),
    "Submit": ("提交申请", "Submit"),
    "Received": ("申请已提交", "Application received"),
    "Your code": ("申请编号", "Your application number"),
    "Keep the code": (
        "请保存申请编号，燃气公司将尽快与您联系。",
        "Keep the number; the gas company will call you soon.",
    ),
    "Apply again": ("返回申请页", "Back to the form"),
    "Code": ("申请编号", "Application no."),
    "Applicant": ("申请人", "Applicant"),
    "Phone": ("联系电话", "Phone"),
    "ID number": ("身份证号", "ID number"),
    "Household kind": ("用户类型", "Household kind"),
    "Channel": ("受理渠道", "Channel"),
    "Company": ("管道燃气企业", "Pipeline company"),
    "Company (optional)": (
        "管道燃气企业（不清楚可不选，按所在村/社区确定）",
        "Pipeline company (leave empty: the one serving your village or community)",
    ),
    "ID number (households)": ("身份证号（居民户必填）", "ID number (households: required)"),
    "Grid": ("所在村/社区（网格）", "Village or community (grid)"),
    "Village": ("村/小区", "Village or estate"),
    "Address": ("详细地址", "Address"),
    "Position": ("位置（经度, 纬度）", "Position (lon, lat)"),
    "Longitude": ("经度", "Longitude"),
    "Latitude": ("纬度", "Latitude"),
    "LPG card": ("液化气用户卡号", "LPG customer card no."),
    "LPG record": ("液化气用户档案", "LPG customer record"),
    "Cylinders held": (
        "尚持有钢瓶（通气前须由供气企业回收）",
        "Cylinders still held (the supplier collects them before the gas is on)",
    ),
    "Clerk": ("受理人", "Entered by"),
    "Applied": ("申请时间", "Applied"),
    "Status": ("状态", "Status"),
    "Survey": ("勘察", "Survey"),
    "Surveyor": ("勘察人", "Surveyor"),
    "Distance": ("距最近干管(m)", "Distance to the main (m)"),
    "Source": ("距离来源", "Distance from"),
    "source:network": ("管网模型计算", "network model"),
    "source:survey": ("现场测量", "measured on site"),
    "Nearest pipe": ("最近管段", "Nearest pipe"),
    "Eligible": ("符合条件", "Eligible"),
    "Max distance": ("最大接入距离", "Largest distance"),
    "Quote": ("报价", "Quote"),
    "Item code": ("定额编号", "Quota code"),
    "Item": ("项目", "Item"),
    "Unit": ("单位", "Unit"),
    "Quantity": ("数量", "Quantity"),
    "Unit price": ("定额单价(元)", "Unit price (yuan)"),
    "Amount": ("金额(元)", "Amount (yuan)"),
    "Works list": ("工程费(定额价)", "Works at quota prices"),
    "Discount": ("优惠比例", "Discount"),
    "Works payable": ("优惠后工程费", "Works payable"),
    "Package": ("套餐", "Package"),
    "Package price": ("套餐价", "Package price"),
    "Total payable": ("应付合计(元)", "Total payable (yuan)"),
    "No package": ("不选套餐", "No package"),
    "Plan lines": (
        "施工方案（定额编号 数量，每行一项；留空按标准方案）",
        "Plan (quota code and quantity, one a line; empty: the standard plan)",
    ),
    "Refusal": ("不符合原因", "Refusal reason"),
    "Refusal note": ("说明", "Explanation"),
    "Timeline": ("办理过程", "Timeline"),
    "Handle": ("办理", "Handle"),
    "Note": ("备注", "Note"),
    "Saved": ("已保存", "Saved"),
    "No applications": ("暂无申请", "No applications"),
    "Search": ("搜索", "Search"),
    "Search hint": ("编号、申请人、地址或村名", "Number, applicant, address or village"),
    "All": ("全部", "All"),
    "Filter": ("筛选", "Filter"),
    "Reset": ("重置", "Reset"),
    "Personal data masked": ("个人信息已脱敏", "personal data masked"),
    "Converted": ("已通气户数", "Converted"),
    "In progress": ("办理中", "In progress"),
    "Refused": ("不符合条件", "Refused"),
    "Cancelled": ("已撤销", "Cancelled"),
    "By state": ("办理中（按状态）", "In progress by state"),
    "By reason": ("不符合原因", "Refused by reason"),
    "By channel": ("受理渠道", "By channel"),
    "By town": ("按镇街", "By town"),
    "By month": ("按月", "By month"),
    "Month": ("月份", "Month"),
    "Town": ("镇/街道", "Town"),
    "Applied n": ("申请", "Applied"),
    "Connected n": ("通气", "Connected"),
    "Chart": ("每月申请与通气户数", "Applications and connections per month"),
    "Paid": ("已通气用户应付合计(元)", "Payable by connected households (yuan)"),
    "Quota tables": ("工程定额表", "Quota tables"),
    "Packages": ("套餐", "Packages"),
    "Active": ("启用中", "Active"),
    "Activate": ("启用", "Activate"),
    "Version": ("版本", "Version"),
    "Effective": ("生效日期", "Effective"),
    "Name": ("名称", "Name"),
    "Items": ("定额子目", "Items"),
    "Items help": (
        "每行一项：定额编号, 名称, 单位, 单价, 类别(service_pipe/riser/meter/valve/other)",
        "One a line: code, name, unit, unit price, category (service_pipe/riser/meter/valve/other)",
    ),
    "New table": ("新建定额表", "New quota table"),
    "New package": ("新建套餐", "New package"),
    "Includes": ("包含内容（逗号分隔）", "Includes (comma-separated)"),
    "For kind": ("适用用户", "For households"),
    "Price": ("价格(元)", "Price (yuan)"),
    "Create": ("创建", "Create"),
    "Deactivate": ("停用", "Deactivate"),
    "Reactivate": ("重新启用", "Reactivate"),
    "Inactive": ("已停用", "Inactive"),
    "Standard plan": ("标准方案", "Standard plan"),
    "Standard plan help": (
        "标准方案：引入管按勘察距离向上取整计米，立管、燃气表安装、阀门各一项。",
        "Standard plan: service pipe by the surveyed distance rounded up to metres, one riser, "
        "one meter installation, one valve.",
    ),
    "Cylinder rule": (
        "通气时液化气用户档案同时销户；用户仍持有钢瓶时不能通气，须先由供气企业扫码回收空瓶。",
        "At connection the LPG record is closed; while the household holds cylinders the gas "
        "is not turned on: the LPG supplier first collects them (collect scan).",
    ),
    "step:survey": ("现场勘察", "Record the survey"),
    "step:quote": ("出具报价", "Quote"),
    "step:contract": ("签订合同", "Contract signed"),
    "step:start": ("开工", "Start the works"),
    "step:connect": ("通气点火", "Connect"),
    "step:refuse": ("不予受理", "Refuse"),
    "step:cancel": ("撤销申请", "Cancel"),
    "step:note": ("备注", "Add a note"),
    "Yes": ("是", "Yes"),
    "No": ("否", "No"),
}


def text(key: str, lang: str) -> str:
    pair = TEXTS.get(key)
    if pair is None:
        return t(key, lang)
    return pair[0] if lang == "zh" else pair[1]


def money(value: Any) -> str:
    if value is None:
        return ""
    return f"{Decimal(str(value)):,.2f}"


def percent(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:g} %"


def steps_for(principal: Principal, app: ConversionApplication) -> list[str]:
    """The steps the caller may take now (the service checks again)."""
    if not may_write(principal, app.owner_id):
        return []
    out = [s.value for s, move in MOVES.items() if app.status in move.sources]
    if Step.QUOTE.value in out and not app.eligible:
        out.remove(Step.QUOTE.value)
    return out


def row(app: ConversionApplication, tz: str) -> dict[str, Any]:
    return {
        "id": app.id,
        "code": app.code,
        "status": app.status,
        "channel": app.channel,
        "kind": app.household_kind,
        "applicant": app.applicant_name,
        "phone": mask_phone(app.applicant_phone) or "",
        "area": app.area_name or "",
        "village": app.village or "",
        "address": app.address or "",
        "owner": app.owner_name or "",
        "applied": local_time(app.applied_at, tz, "%Y-%m-%d"),
        "total": money(app.total_payable_yuan),
        "refusal": app.refusal_reason,
    }


def detail(app: ConversionApplication, lang: str, tz: str) -> dict[str, Any]:
    """Every field as shown; the applicant's phone and ID number masked."""
    out = row(app, tz)
    source = app.main_distance_source
    out.update(
        {
            "id_number": mask_id_number(app.applicant_id_number) or "",
            "owner_id": app.owner_id,
            "customer_id": app.customer_id,
            "customer": app.customer.code if app.customer else "",
            "customer_active": app.customer.active if app.customer else None,
            "lon": app.lon,
            "lat": app.lat,
            "applied_at": local_time(app.applied_at, tz),
            "clerk": app.entered_by_name or "",
            "surveyed_at": local_time(app.surveyed_at, tz) if app.surveyed_at else "",
            "surveyor": app.surveyor_name or "",
            "distance": "" if app.main_distance_m is None else f"{app.main_distance_m:g}",
            "source": text(f"source:{source}", lang) if source else "",
            "source_value": source or "",
            "pipe": app.nearest_pipe_ref or "",
            "eligible": app.eligible,
            "survey_note": app.survey_note or "",
            "works_list": money(app.works_list_yuan),
            "discount": percent(app.discount_rate),
            "works_payable": money(app.works_payable_yuan),
            "package": app.package.name if app.package else "",
            "package_price": money(app.package_yuan),
            "quoted_at": local_time(app.quoted_at, tz) if app.quoted_at else "",
            "contracted_at": local_time(app.contracted_at, tz) if app.contracted_at else "",
            "works_started_at": local_time(app.works_started_at, tz)
            if app.works_started_at
            else "",
            "connected_at": local_time(app.connected_at, tz) if app.connected_at else "",
            "refusal_note": app.refusal_note or "",
            "closed_at": local_time(app.closed_at, tz) if app.closed_at else "",
            "lines": [
                {
                    "code": line.code,
                    "name": line.name,
                    "unit": line.unit,
                    "quantity": f"{line.quantity:g}",
                    "unit_price": money(line.unit_price_yuan),
                    "amount": money(line.amount_yuan),
                }
                for line in app.lines
            ],
        }
    )
    return out


def _data_text(data: dict[str, Any], lang: str) -> str:
    parts = []
    for key, value in data.items():
        if value is None:
            continue
        if key == "reason" and value in RefusalReason._value2member_map_:
            value = RefusalReason(value).label(lang)
        elif key == "channel" and value in ApplicationChannel._value2member_map_:
            value = ApplicationChannel(value).label(lang)
        elif key == "source" and isinstance(value, str):
            value = text(f"source:{value}", lang)
        elif isinstance(value, bool):
            value = text("Yes", lang) if value else text("No", lang)
        parts.append(f"{key}: {value}")
    return ", ".join(parts)


def timeline_rows(events: list[ConversionEvent], lang: str, tz: str) -> list[dict[str, Any]]:
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


def labelled(counts: dict[str, int], enum: Any, lang: str) -> list[tuple[str, str, int]]:
    """(value, label, count) in the enum's order."""
    return [(m.value, m.label(lang), counts.get(m.value, 0)) for m in enum]


def chart_data(progress: dict[str, Any], lang: str) -> dict[str, Any]:
    months = progress["by_month"]
    return {
        "x": [m["month"] for m in months],
        "applied": [m["applied"] for m in months],
        "connected": [m["connected"] for m in months],
        "labels": {
            "applied": text("Applied n", lang),
            "connected": text("Connected n", lang),
            "month": text("Month", lang),
        },
    }


def status_options(lang: str) -> list[tuple[str, str]]:
    return ConversionStatus.choices(lang)


def category_names(lang: str) -> dict[str, str]:
    return {c.value: c.label(lang) for c in QuotaCategory}


MAX_DISTANCE_M = rules.MAX_MAIN_DISTANCE_M
