"""What the network pages show, shaped for the templates: the pages' texts (中文 / English), the
list's counts per network, the side card of the state and the leak's tables. The map's data
is shaped in web_map.py."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.i18n import local_time, t
from gaswarden.domains.network.enums import LeakStatus, SensorQuantity
from gaswarden.domains.network.leaks import NEXT, OPEN
from gaswarden.domains.network.models import NetworkJunction, NetworkLeak, NetworkSensor
from gaswarden.domains.network.state import NetworkState

# Page texts: id -> (中文, English).
TEXTS: dict[str, tuple[str, str]] = {
    "Pipe networks": ("管网", "Pipe networks"),
    "Network": ("管网", "Network"),
    "Code": ("编号", "Code"),
    "Name": ("名称", "Name"),
    "Enterprise": ("燃气企业", "Enterprise"),
    "Area": ("区域", "Area"),
    "Junctions": ("节点", "Junctions"),
    "Pipes": ("管段", "Pipes"),
    "km": ("长度(km)", "Length (km)"),
    "Feeds": ("气源", "Feeds"),
    "Consumers": ("用户", "Consumers"),
    "Sensors bound": ("已绑定监测点", "Sensors bound"),
    "Open leaks": ("未处置泄漏", "Open leaks"),
    "None": ("无", "None"),
    "No networks": ("您的范围内没有管网模型", "No pipe networks within your scope"),
    "Map": ("管网地图", "Network map"),
    "Leaks": ("泄漏定位", "Leak localisation"),
    "Forecast": ("需求预测与供气计划", "Forecast and supply plan"),
    "Placement": ("监测点布设建议", "Sensor placement"),
    "Coming": ("(建设中)", "(coming)"),
    "State": ("当前工况", "Current state"),
    "Inflow": ("进气量", "Inflow"),
    "Demand scale": ("用气负荷系数", "Demand scale"),
    "Lowest node": ("最低压力节点", "Lowest-pressure node"),
    "Highest node": ("最高压力节点", "Highest-pressure node"),
    "State time": ("工况时间", "State time"),
    "Source": ("依据", "Source"),
    "source:metered": ("计量进气量", "Metered inflow"),
    "source:nominal": ("设计负荷(无近期计量)", "Nominal demand (no recent metering)"),
    "Min pressure": ("最低允许压力", "Minimum allowed pressure"),
    "Check now": ("立即检测", "Check now"),
    "Check result": ("检测结果", "Check result"),
    "Detected": ("发现疑似泄漏", "Leak suspected"),
    "Not detected": ("未发现泄漏", "No leak found"),
    "Snapshots": ("快照数", "Snapshots"),
    "Sensors used": ("参与检测的监测点", "Monitors used"),
    "GLR": ("似然比统计量", "Likelihood-ratio statistic"),
    "Open the leak": ("查看泄漏定位", "Open the leak view"),
    "Pressure kPa": ("模拟压力(kPa)", "Simulated pressure (kPa)"),
    "Residual Pa": ("残差(Pa)", "Residual (Pa)"),
    "Monitors": ("压力监测点", "Pressure monitors"),
    "Monitor": ("监测点", "Monitor"),
    "Junction": ("节点", "Junction"),
    "Measured": ("实测", "Measured"),
    "Simulated": ("模拟", "Simulated"),
    "Residual": ("残差", "Residual"),
    "Feed": ("气源", "Feed"),
    "Set pressure": ("出口压力", "Set pressure"),
    "Capacity": ("供气能力", "Capacity"),
    "Flow meter": ("进口流量计", "Inlet flow meter"),
    "Leak": ("泄漏", "Leak"),
    "Detected at": ("发现时间", "Detected"),
    "Method": ("检测方法", "Method"),
    "Status": ("状态", "Status"),
    "Size": ("估计泄漏量", "Estimated size"),
    "Share": ("占用气量", "Share of demand"),
    "Candidates": ("可疑泄漏点排序", "Ranked candidates"),
    "Rank": ("排序", "Rank"),
    "Probability": ("概率", "Probability"),
    "Est kg/h": ("估计(kg/h)", "Est. kg/h"),
    "Lon/lat": ("经纬度", "Lon/lat"),
    "Zone": ("搜索范围", "Search zone"),
    "Zone length": ("搜索管段长度", "Pipe length to search"),
    "Zone radius": ("搜索半径", "Radius"),
    "Segments": ("关断区段", "Shut-off segments"),
    "Valves to close": ("需关闭阀门", "Valves to close"),
    "Customers cut off": ("停气用户", "Customers cut off"),
    "Residuals": ("各监测点残差", "Residuals per monitor"),
    "Excluded": ("已剔除的故障监测点", "Monitors left out as faulty"),
    "Reason": ("原因", "Reason"),
    "Alarm": ("报警", "Alarm"),
    "Open alarm": ("查看报警", "Open the alarm"),
    "Simulated true leak": ("模拟真实泄漏点", "Simulated true leak"),
    "Simulated leak": ("模拟注入的泄漏", "Leak injected by the simulator"),
    "Search zone": ("搜索范围管段", "Search-zone pipes"),
    "Feed marker": ("气源", "Feed"),
    "Candidate": ("可疑点", "Candidate"),
    "Note": ("说明", "Note"),
    "status:confirmed": ("确认泄漏", "Confirm the leak"),
    "status:repaired": ("标记已修复", "Mark repaired"),
    "status:false_alarm": ("判定为误报", "False alarm"),
    "All leaks": ("该管网的泄漏记录", "The network's leaks"),
    "No leaks": ("暂无泄漏记录", "No leaks recorded"),
    "Saved": ("已保存", "Saved"),
    "Nothing": ("无", "None"),
    "Back": ("返回管网地图", "Back to the map"),
}


def text(key: str, lang: str) -> str:
    pair = TEXTS.get(key)
    if pair is None:
        return t(key, lang)
    return pair[0] if lang == "zh" else pair[1]


# ---- the list ----------------------------------------------------------------------------------
def counts(session: Session, ids: list[int]) -> dict[int, dict[str, int]]:
    """Per network: sensors bound and open leaks (the ids come from a scoped list)."""
    out = {i: {"sensors": 0, "open_leaks": 0} for i in ids}
    if not ids:
        return out
    for nid, n in session.execute(
        select(NetworkSensor.network_id, func.count())
        .where(NetworkSensor.network_id.in_(ids))
        .group_by(NetworkSensor.network_id)
    ):
        out[nid]["sensors"] = int(n)
    for nid, n in session.execute(
        select(NetworkLeak.network_id, func.count())
        .where(NetworkLeak.network_id.in_(ids), NetworkLeak.status.in_(OPEN))
        .group_by(NetworkLeak.network_id)
    ):
        out[nid]["open_leaks"] = int(n)
    return out


# ---- the side card -------------------------------------------------------------------------------
def junction_names(session: Session, network_id: int, indexes: list[int]) -> dict[int, str]:
    rows = session.execute(
        select(NetworkJunction.index, NetworkJunction.name).where(
            NetworkJunction.network_id == network_id, NetworkJunction.index.in_(indexes)
        )
    ).all()
    return {i: (name or f"#{i}") for i, name in rows}


def state_card(
    session: Session, st: NetworkState, lang: str, tz: str
) -> list[tuple[str, str, str]]:
    """(key, label, value) rows of the state's side card."""
    ends = [x[0] for x in (st.lowest, st.highest) if x is not None]
    names = junction_names(session, st.network_id, ends)

    def node(value: tuple[int, float] | None) -> str:
        if value is None:
            return "—"
        return f"{names.get(value[0], value[0])} (#{value[0]}) · {value[1]:.2f} kPa"

    return [
        ("inflow", text("Inflow", lang), f"{st.inflow_m3h:,.1f} m³/h"),
        ("scale", text("Demand scale", lang), f"{st.scale:.3f}"),
        ("lowest", text("Lowest node", lang), node(st.lowest)),
        ("highest", text("Highest node", lang), node(st.highest)),
        ("at", text("State time", lang), local_time(st.at, tz) if st.at else "—"),
        ("source", text("Source", lang), text(f"source:{st.source}", lang)),
    ]


def sensor_rows(st: NetworkState) -> list[dict[str, Any]]:
    return [
        {
            "serial": s.serial,
            "junction": s.junction,
            "measured": "—" if s.measured_kpa is None else f"{s.measured_kpa:.3f}",
            "simulated": "—" if s.simulated_kpa is None else f"{s.simulated_kpa:.3f}",
            "residual": "—" if s.residual_pa is None else f"{s.residual_pa:+.0f}",
        }
        for s in st.sensors
    ]


def flow_serials(session: Session, network_id: int) -> list[str]:
    from gaswarden.domains.device.models import Device

    return list(
        session.scalars(
            select(Device.serial)
            .join(NetworkSensor, NetworkSensor.device_id == Device.id)
            .where(
                NetworkSensor.network_id == network_id,
                NetworkSensor.quantity == SensorQuantity.FLOW,
            )
            .order_by(Device.serial)
        )
    )


# ---- the leak ------------------------------------------------------------------------------------
def next_statuses(leak: NetworkLeak, lang: str) -> list[tuple[str, str]]:
    return [(s.value, text(f"status:{s.value}", lang)) for s in NEXT[leak.status]]


def is_open(leak: NetworkLeak) -> bool:
    return leak.status in OPEN


def segment_rows(leak: NetworkLeak) -> list[dict[str, Any]]:
    """The shut-off segments as the template lists them (valve names or ids, customers)."""
    rows = []
    for seg in leak.segments or []:
        valves = seg.get("valves") or []
        names = [
            str(v.get("name") or v.get("id") or v) if isinstance(v, dict) else str(v)
            for v in valves
        ]
        pipes = seg.get("pipes") or 0  # shutoff.segments_for gives the segment's pipe count
        rows.append(
            {
                "valves": names,
                "pipes": len(pipes) if isinstance(pipes, list) else int(pipes),
                "customers": seg.get("customers", 0),
                "length_m": seg.get("length_m"),
            }
        )
    return rows


def leak_facts(leak: NetworkLeak, lang: str, tz: str) -> list[tuple[str, str, str]]:
    kg_h = "—" if leak.leak_kg_s is None else f"{leak.leak_kg_s * 3600:.2f} kg/h"
    share = "—" if leak.leak_share is None else f"{leak.leak_share * 100:.1f}%"
    zone = leak.zone or {}
    return [
        ("detected_at", text("Detected at", lang), local_time(leak.detected_at, tz)),
        ("method", text("Method", lang), leak.method.label(lang)),
        ("size", text("Size", lang), kg_h),
        ("share", text("Share", lang), share),
        ("zone_length", text("Zone length", lang), f"{zone.get('length_m', 0):,.0f} m"),
        ("zone_radius", text("Zone radius", lang), f"{zone.get('radius_m') or 0:.0f} m"),
    ]


LEAK_STATUSES = [s.value for s in LeakStatus]
