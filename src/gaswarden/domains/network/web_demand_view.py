"""What the forecast, supply-plan, sensor-placement and users'-pressure pages show, shaped for
the templates: their texts (中文 / English), the chart's series in local time, the plan's rows
with their warnings, the placement map's markers and the fluctuation table worst first."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from gaswarden.domains.network.web_view import text as network_text
from gaswarden.network.forecast.model import DAY_AHEAD

# Page texts: id -> (中文, English).
TEXTS: dict[str, tuple[str, str]] = {
    "Forecast title": ("需求预测与供气计划", "Demand forecast and supply plan"),
    "Forecast chart": ("逐时用气量:实际与预测", "Hourly demand: actual and forecast"),
    "Actual": ("实际(近14天)", "Actual (last 14 days)"),
    "Forecast line": ("预测", "Forecast"),
    "Part day": ("部分日", "part day"),
    "Band": ("预测区间", "Forecast band"),
    "m3 per hour": ("用气量(m³/h)", "Demand (m³/h)"),
    "Time": ("时间", "Time"),
    "Daily forecast": ("逐日预测", "Daily forecast"),
    "Day": ("日期", "Day"),
    "Volume": ("预测用气量(m³)", "Forecast volume (m³)"),
    "Range": ("区间(m³)", "Band (m³)"),
    "Peak hour": ("高峰小时", "Peak hour"),
    "Peak m3h": ("高峰流量(m³/h)", "Peak flow (m³/h)"),
    "Peak high": ("高峰上限(m³/h)", "Peak, band top (m³/h)"),
    "Model": ("模型", "Model"),
    f"kind:{DAY_AHEAD}": ("日前", "Day-ahead"),
    "kind:week": ("周前", "Week-ahead"),
    "Issued after": ("预测起点(最后计量小时)", "Issued after (last metered hour)"),
    "Days": ("天数", "Days"),
    "Feed": ("气源", "Feed"),
    "Show": ("显示", "Show"),
    "Supply plan": ("供气计划", "Supply plan"),
    "Day-ahead": ("日前申报", "Day-ahead nomination"),
    "Week-ahead": ("周前申报(7天)", "Week-ahead nominations (7 days)"),
    "Week total": ("一周合计", "Week total"),
    "Capacity": ("气源供气能力", "Feed capacity"),
    "Min pressure": ("最低允许压力", "Minimum allowed pressure"),
    "Not set": ("未设置", "Not set"),
    "Warnings": ("预警", "Warnings"),
    "No warnings": (
        "无预警:高峰小时在供气能力和最低压力之内",
        "No warnings: peak hours stay within capacity and minimum pressure",
    ),
    "level:exceeds": ("超出", "Exceeds"),
    "level:may_exceed": ("可能超出(区间上限)", "May exceed (band top)"),
    "warn:capacity": ("供气能力", "Capacity"),
    "warn:pressure": ("最低压力", "Minimum pressure"),
    "Hours": ("小时数", "Hours"),
    "Placement title": ("监测点布设建议", "Sensor placement"),
    "How many": ("新增监测点数", "Monitors to add"),
    "Compute": ("计算", "Compute"),
    "Existing": ("现有压力监测点", "Existing pressure monitors"),
    "Suggested": ("建议新增监测点", "Suggested monitors"),
    "Rank": ("序号", "Rank"),
    "Junction": ("节点", "Junction"),
    "Lon/lat": ("经纬度", "Lon/lat"),
    "Share after": ("加入后200 m内定位率", "Located within 200 m after adding"),
    "Share existing": (
        "仅现有监测点的200 m内定位率",
        "Located within 200 m with the existing monitors",
    ),
    "Placement note": (
        "按贪心法逐个加入:每一步选择使模拟泄漏(需求的2–10%,含传感器噪声和±20%用户负荷偏差)"
        "在200 m内被定位的比例提高最多的节点。表中比例在另一组独立的模拟泄漏上重新计算,"
        "为平滑估计:1 − 平均(min(误差, 200 m))/200 m。",
        "Added greedily: each step takes the junction that most raises the share of simulated "
        "leaks (2–10 % of demand, with sensor noise and ±20 % per-house demand) located within "
        "200 m. The shares are measured again on an independent set of simulated leaks, as the "
        "smooth measure 1 − mean(min(error, 200 m))/200 m.",
    ),
    "Serial": ("设备编号", "Serial"),
    "Pipes": ("管段", "Pipes"),
    "Users pressure": ("用户压力波动", "Users' pressure fluctuations"),
    "Users pressure note": (
        "各区域压力监测点读数偏离其报警带(欠压/超压一级限值)的频次、幅度和时长,最差的区域在前。",
        "Per area, how often, how far and how long the pressure monitors' readings strayed "
        "outside their alarm band (the first under- and over-pressure levels); worst first.",
    ),
    "Area": ("区域", "Area"),
    "Monitors": ("监测点", "Monitors"),
    "Readings": ("读数", "Readings"),
    "Share outside": ("超出比例", "Readings outside"),
    "Below": ("欠压次数", "Below"),
    "Above": ("超压次数", "Above"),
    "Excursions": ("偏离次数", "Excursions"),
    "Max excursion": ("最大偏离", "Largest excursion"),
    "Mean excursion": ("平均偏离", "Mean excursion"),
    "Hours observed": ("观测小时", "Hours observed"),
    "Hours outside": ("超出小时", "Hours outside"),
    "Time outside": ("超出时间比例", "Time outside"),
    "No readings": (
        "所选时段内没有带报警带的压力读数",
        "No pressure readings with a band in the period",
    ),
    "Last days": ("最近天数", "Last days"),
}
DAY_CHOICES = (1, 7, 14, 30, 90)
FORECAST_DAYS = (3, 7, 14)


def text(key: str, lang: str) -> str:
    pair = TEXTS.get(key)
    if pair is None:
        return network_text(key, lang)
    return pair[0] if lang == "zh" else pair[1]


def local(iso: str | datetime, tz: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    value = datetime.fromisoformat(iso) if isinstance(iso, str) else iso
    return value.astimezone(ZoneInfo(tz)).strftime(fmt)


# ---- the forecast -------------------------------------------------------------------------------
def chart(fc: dict[str, Any], lang: str, tz: str) -> dict[str, Any]:
    """The chart's series: actual hours, then the forecast with its band (local time)."""
    hourly = fc["hourly"]
    return {
        "actual": {
            "x": [local(a["hour"], tz) for a in fc["actual"]],
            "y": [a["m3"] for a in fc["actual"]],
        },
        "forecast": {
            "x": [local(h["hour"], tz) for h in hourly],
            "y": [h["forecast"] for h in hourly],
            "low": [h["low"] for h in hourly],
            "high": [h["high"] for h in hourly],
        },
        "labels": {
            "actual": text("Actual", lang),
            "forecast": text("Forecast line", lang),
            "band": text("Band", lang),
            "y": text("m3 per hour", lang),
            "x": text("Time", lang),
        },
    }


def daily_rows(fc: dict[str, Any], lang: str, tz: str) -> list[dict[str, Any]]:
    """The daily forecast; a day the horizon covers only in part says how many hours."""
    hours: dict[str, int] = {}
    for h in fc["hourly"]:
        day = local(h["hour"], tz, "%Y-%m-%d")
        hours[day] = hours.get(day, 0) + 1
    return [
        {
            "day": d["day"],
            "part": (
                f"{text('Part day', lang)} · {hours.get(d['day'], 0)} h"
                if hours.get(d["day"], 24) < 24
                else ""
            ),
            "forecast": f"{d['forecast']:,}",
            "range": f"{d['low']:,} – {d['high']:,}",
            "peak_hour": local(d["peak_hour"], tz, "%H:%M"),
            "peak_m3h": f"{d['peak_m3h']:,.1f}",
            "kind": text(f"kind:{d['kind']}", lang),
        }
        for d in fc["daily"]
    ]


# ---- the plan -----------------------------------------------------------------------------------
def _day(value: date | str) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def plan_rows(plan: dict[str, Any], lang: str, tz: str) -> dict[str, Any]:
    """The nominations (day-ahead first), the warnings, and which days are warned."""
    warnings = [
        {
            "day": _day(w["day"]),
            "kind": w["kind"],
            "kind_text": text(f"warn:{w['kind']}", lang),
            "level": w["level"],
            "level_text": text(f"level:{w['level']}", lang),
            "peak_hour": local(w["peak_hour"], tz),
            "message": w["message_zh"] if lang == "zh" else w["message_en"],
        }
        for w in plan["warnings"]
    ]
    warned: dict[str, str] = {}
    for w in warnings:  # "exceeds" outranks "may_exceed" on a day
        if warned.get(w["day"]) != "exceeds":
            warned[w["day"]] = w["level"]

    def row(n: dict[str, Any] | None) -> dict[str, Any] | None:
        if n is None:
            return None
        day = _day(n["day"])
        return {
            "day": day,
            "volume": f"{n['volume_m3']:,.0f}",
            "range": f"{n['low_m3']:,.0f} – {n['high_m3']:,.0f}",
            "peak_hour": local(n["peak_hour"], tz, "%H:%M"),
            "peak_m3h": f"{n['peak_m3h']:,.1f}",
            "peak_high_m3h": f"{n['peak_high_m3h']:,.1f}",
            "hours": n["hours"],
            "kind": text(f"kind:{n['kind']}", lang),
            "warned": warned.get(day, ""),
        }

    cap = plan.get("capacity_m3h")
    low = plan.get("min_pressure_bar")
    return {
        "day_ahead": row(plan.get("day_ahead")),
        "week": [row(n) for n in plan["week"]],
        "warnings": warnings,
        "week_volume": f"{plan['week_volume_m3']:,.0f}",
        "capacity": text("Not set", lang) if cap is None else f"{cap:,.0f} m³/h",
        "min_pressure": (
            text("Not set", lang) if low is None else f"{low:g} bar ({low * 100:.1f} kPa)"
        ),
    }


# ---- the placement ------------------------------------------------------------------------------
def placement_markers(result: dict[str, Any], lang: str) -> dict[str, Any]:
    def located(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in rows if r["lon"] is not None]

    existing = located(result["existing"])
    suggested = located(result["suggestions"])
    return {
        "existing": {
            "name": text("Existing", lang),
            "x": [r["lon"] for r in existing],
            "y": [r["lat"] for r in existing],
            "text": [f"{r['serial']} · {text('Junction', lang)} {r['junction']}" for r in existing],
        },
        "suggested": {
            "name": text("Suggested", lang),
            "x": [r["lon"] for r in suggested],
            "y": [r["lat"] for r in suggested],
            "label": [str(r["rank"]) for r in suggested],
            "text": [
                f"#{r['rank']} · {text('Junction', lang)} {r['name'] or r['junction']} · "
                f"{r['share_within_200m'] * 100:.1f}%"
                for r in suggested
            ],
        },
    }


# ---- users' pressure -----------------------------------------------------------------------------
def _f(v: Any) -> float | None:
    """A figure, or None where there is none (missing or NaN)."""
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) else f


def _pct(v: Any) -> str:
    f = _f(v)
    return "—" if f is None else f"{f * 100:.1f}%"


def _num(v: Any, fmt: str = "{:.2f}") -> str:
    f = _f(v)
    return "—" if f is None else fmt.format(f)


def pressure_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Worst first: the share of time outside the band, then of readings, then the excursion."""
    ordered = sorted(
        rows,
        key=lambda r: tuple(
            -(_f(r.get(k)) or 0.0)
            for k in ("share_time_outside", "share_outside", "max_excursion_kpa")
        ),
    )
    return [
        {
            "area": r["area"],
            "area_name": r["area_name"],
            "devices": r["devices"],
            "readings": r["readings"],
            "share_outside": _pct(r.get("share_outside")),
            "below": r.get("below", 0),
            "above": r.get("above", 0),
            "excursions": r.get("excursions", 0),
            "max_excursion": f"{_num(r.get('max_excursion_kpa'))} kPa "
            f"({_num(r.get('max_excursion_pct'), '{:.1f}')}%)",
            "mean_excursion": f"{_num(r.get('mean_excursion_kpa'))} kPa "
            f"({_num(r.get('mean_excursion_pct'), '{:.1f}')}%)",
            "hours_observed": _num(r.get("hours_observed"), "{:.1f}"),
            "hours_outside": _num(r.get("hours_outside"), "{:.1f}"),
            "share_time_outside": _pct(r.get("share_time_outside")),
            "bad": bool(r.get("excursions")),
        }
        for r in ordered
    ]
