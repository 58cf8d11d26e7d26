"""How the cockpit looks: its page texts (中文, English) and today's figures as display
strings keyed like the page's `data-fig` cells (the stream sends the same)."""

from __future__ import annotations

from typing import Any

from gaswarden.cockpit.figures import Figures
from gaswarden.core.i18n import t
from gaswarden.rules.grades import Grade

TEXTS: dict[str, tuple[str, str]] = {
    "Cockpit": ("燃气安全监管驾驶舱", "Gas safety cockpit"),
    "Live": ("实时", "Live"),
    "Connecting": ("连接中", "Connecting"),
    "Devices online": ("设备在线率", "Devices online"),
    "online of": ("在线 / 在用", "online / in use"),
    "Alarms today": ("今日报警", "Alarms today"),
    "Open alarms": ("未处置报警", "Open alarms"),
    "Mean to acknowledge": ("平均确认", "Mean to acknowledge"),
    "Mean on site": ("平均到场", "Mean on site"),
    "Hazards": ("隐患", "Hazards"),
    "Open": ("未销号", "Open"),
    "Overdue": ("逾期", "Overdue"),
    "Major open": ("重大未销号", "Major open"),
    "Closed this month": ("本月销号", "Closed this month"),
    "Cylinders today": ("今日钢瓶", "Cylinders today"),
    "Filled": ("充装", "Filled"),
    "Delivered": ("配送", "Delivered"),
    "Bottle-to-pipe": ("瓶改管", "Bottle-to-pipe"),
    "Connected this year": ("本年通气", "Connected this year"),
    "In progress": ("办理中", "In progress"),
    "Service and emergency": ("服务与应急", "Service and emergency"),
    "Open requests": ("未办结工单", "Open requests"),
    "Requests overdue": ("超时工单", "Requests overdue"),
    "Open incidents": ("处置中事件", "Open incidents"),
    "Incidents today": ("今日事件", "Incidents today"),
    "Map": ("态势地图", "Situation map"),
    "Loading": ("加载中…", "Loading…"),
    "Alarm feed": ("实时报警", "Live alarms"),
    "No open alarms": ("暂无未处置报警", "No open alarms"),
    "Safety score": ("安全指数", "Safety score"),
    "Towns": ("街镇", "Towns"),
    "Enterprises": ("企业", "Enterprises"),
    "Last 30 days": ("近30天", "Last 30 days"),
    "Score today": ("今日", "Today"),
    "District report": ("区燃气安全周报/月报", "District report"),
    "Week": ("周报", "Weekly"),
    "Month": ("月报", "Monthly"),
    "Starting": ("起始日期", "Starting"),
    "Download": ("下载", "Download"),
    "Updated": ("更新于", "Updated"),
    "min": ("分钟", "min"),
    "Sites": ("场站", "Sites"),
    "Devices": ("设备", "Devices"),
    "Alarms": ("报警", "Alarms"),
    "Incidents": ("应急事件", "Incidents"),
    "Teams": ("救援队伍", "Rescue teams"),
    "Longitude": ("经度", "Longitude"),
    "Latitude": ("纬度", "Latitude"),
}


def text(message: str, lang: str) -> str:
    pair = TEXTS.get(message)
    if pair is None:
        return t(message, lang)
    return pair[0] if lang == "zh" else pair[1]


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f}"


def display(f: Figures) -> dict[str, str]:
    """Every figure as the page shows it, keyed by its cell's `data-fig`."""
    a = f.alarms
    rate = f.online_rate
    out: dict[str, Any] = {
        "online_rate": "—" if rate is None else f"{rate * 100:.1f}%",
        "online": f.online,
        "devices": f.devices,
        "alarms_today": a.total_today,
        "alarms_open": a.open_total,
        "avg_ack_min": _minutes(a.avg_ack_s),
        "avg_on_site_min": _minutes(a.avg_on_site_s),
        "hazards_open": f.hazards_open,
        "hazards_overdue": f.hazards_overdue,
        "hazards_major_open": f.hazards_major_open,
        "hazards_closed_month": f.hazards_closed_month,
        "cylinders_filled_today": f.cylinders_filled_today,
        "cylinders_delivered_today": f.cylinders_delivered_today,
        "conversions_connected_year": f.conversions_connected_year,
        "conversions_in_progress": f.conversions_in_progress,
        "requests_open": f.requests_open,
        "requests_overdue": f.requests_overdue,
        "incidents_open": f.incidents_open,
        "incidents_today": f.incidents_today,
    }
    for g in Grade:
        out[f"alarms_today_{g.value}"] = a.today.get(g.value, 0)
        out[f"alarms_open_{g.value}"] = a.open.get(g.value, 0)
    return {k: str(v) for k, v in out.items()}
