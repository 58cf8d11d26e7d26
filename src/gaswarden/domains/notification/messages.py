"""What a notice says: the JSON payload of an alarm change, its Chinese and English text, the
e-mail subject and the short SMS text."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from gaswarden.domains.alarm.models import Alarm
from gaswarden.ingestion.contract import METRICS
from gaswarden.rules.catalog import RULES
from gaswarden.rules.grades import Grade

REASONS: dict[str, tuple[str, str]] = {
    "raised": ("新报警", "New alarm"),
    "escalated": ("报警升级", "Alarm escalated"),
    "ack_overdue": ("超时未确认", "Not acknowledged in time"),
    "on_site_overdue": ("超时未到场", "Not on site in time"),
    "hazard_overdue": ("隐患逾期督办", "Overdue hazard"),
    "incident": ("应急事件通知", "Emergency incident"),
}
# The SMS text when no template is configured; fields as in `sms_fields`.
DEFAULT_SMS_TEMPLATE = (
    "【燃气监管】{grade_zh}报警:{site}{serial} {rule_zh}{value},{time}。请立即处置。"
)


def _value(metric_key: str | None, value: Any) -> tuple[str, str]:
    if not isinstance(value, int | float):
        return "", ""
    metric = METRICS.get(metric_key or "")
    unit = metric.unit if metric else ""
    return f" {value:g}{unit}", f" {value:g} {unit}".rstrip()


def payload(
    alarm: Alarm, *, reason: str, audience: str, level: int, timezone: str
) -> dict[str, Any]:
    """The notice, JSON-safe: what every channel renders from. Its local time and texts are
    in `timezone`; the sender renders them again in the deployment's zone (`localise`)."""
    rule = RULES.get(alarm.rule)
    device = alarm.device
    grade: Grade = alarm.grade
    p = {
        "alarm_id": alarm.id,
        "reason": reason,
        "audience": audience,
        "level": level,
        "grade": grade.value,
        "grade_zh": grade.zh,
        "rule": alarm.rule,
        "rule_zh": rule.zh if rule else alarm.rule,
        "rule_en": rule.en if rule else alarm.rule,
        "serial": device.serial,
        "device_kind": alarm.device_kind.value,
        "site_id": alarm.site_id,
        "site": device.site.name if device.site else "",
        "owner_id": alarm.owner_id,
        "area_id": alarm.area_id,
        "metric": alarm.metric,
        "values": {
            "first": alarm.first_value,
            "last": alarm.last_value,
            "peak": alarm.peak_value,
        },
        "raised_at": alarm.raised_at.isoformat(),
        "link": f"/alarms/{alarm.id}",
    }
    return localise(p, timezone)


def localise(p: dict[str, Any], timezone: str) -> dict[str, Any]:
    """The notice with `raised_local`, `text_zh` and `text_en` rendered in `timezone` (an IANA
    zone such as Asia/Shanghai) from its UTC `raised_at`; other notices (a channel test, a
    payload without `raised_at`) come back as they are."""
    raised = p.get("raised_at")
    if p.get("test") or not isinstance(raised, str):
        return p
    try:
        local = datetime.fromisoformat(raised).astimezone(ZoneInfo(timezone))
    except ValueError:
        return p
    values = p.get("values") or {}
    last = values.get("last")
    value_zh, value_en = _value(p.get("metric"), last if last is not None else values.get("first"))
    reason = str(p.get("reason", ""))
    why_zh, why_en = REASONS.get(reason, (reason, reason))
    grade = Grade(p["grade"]) if p.get("grade") in Grade._value2member_map_ else None
    grade_zh = grade.zh if grade else str(p.get("grade_zh", ""))
    grade_en = grade.en if grade else str(p.get("grade", ""))
    site = p.get("site") or ""
    where = f"{site} " if site else ""
    when = f"{local:%Y-%m-%d %H:%M:%S}"
    text_zh = (
        f"[{grade_zh}] {why_zh}:{where}设备 {p.get('serial', '')} {p.get('rule_zh', '')}"
        f"{value_zh},报警时间 {when}。请立即处置。"
    )
    text_en = (
        f"[{grade_en}] {why_en}: {where}device {p.get('serial', '')} {p.get('rule_en', '')}"
        f"{value_en}, raised {when}. Please respond now."
    )
    return {
        **p,
        "raised_local": when,
        "timezone": timezone,
        "text_zh": text_zh,
        "text_en": text_en,
    }


def is_hazard(p: dict[str, Any]) -> bool:
    """A hazard notice (an overdue escalation) carries its own rendered texts."""
    return p.get("hazard_id") is not None


def is_incident(p: dict[str, Any]) -> bool:
    """An emergency incident's notice to its contacts carries its own rendered texts too."""
    return p.get("incident_id") is not None


def subject(p: dict[str, Any]) -> str:
    if is_incident(p):
        return f"【应急事件】{p.get('grade_zh', '')} {p.get('code', '')} {p.get('site') or ''}"
    if is_hazard(p):
        return f"【隐患督办】{p.get('grade_zh', '')} {p.get('site') or ''} {p.get('code', '')}"
    why_zh = REASONS.get(p.get("reason", ""), (p.get("reason", ""), ""))[0]
    where = p.get("site") or p.get("serial")
    return f"【燃气报警】{p.get('grade_zh', '')} {why_zh}:{where} {p.get('rule_zh', '')}"


def email_body(p: dict[str, Any], public_url: str | None) -> str:
    link = p.get("link", "")
    if public_url:
        link = public_url.rstrip("/") + link
    if is_incident(p):
        return (
            f"{p.get('text_zh', '')}\n\n"
            f"事件编号 Incident: {p.get('code')}\n"
            f"查看 View: {link}\n\n"
            f"{p.get('text_en', '')}\n\n"
            "—— GasWarden 城镇燃气安全智慧监管平台(系统自动发送,请勿回复)\n"
        )
    if is_hazard(p):
        return (
            f"{p.get('text_zh', '')}\n\n"
            f"隐患编号 Hazard: {p.get('code')}\n"
            f"场站 Site: {p.get('site') or '-'}\n"
            f"整改期限 Deadline: {p.get('deadline')}\n"
            f"查看 View: {link}\n\n"
            f"{p.get('text_en', '')}\n\n"
            "—— GasWarden 城镇燃气安全智慧监管平台(系统自动发送,请勿回复)\n"
        )
    return (
        f"{p.get('text_zh', '')}\n\n"
        f"报警编号 Alarm: {p.get('alarm_id')}\n"
        f"设备 Device: {p.get('serial')}\n"
        f"场站 Site: {p.get('site') or '-'}\n"
        f"查看 View: {link}\n\n"
        f"{p.get('text_en', '')}\n\n"
        "—— GasWarden 城镇燃气安全智慧监管平台(系统自动发送,请勿回复)\n"
    )


def sms_fields(p: dict[str, Any]) -> dict[str, str]:
    last = (p.get("values") or {}).get("last")
    metric = METRICS.get(p.get("metric") or "")
    value = f" {last:g}{metric.unit if metric else ''}" if isinstance(last, int | float) else ""
    return {
        "grade_zh": str(p.get("grade_zh", "")),
        "grade": str(p.get("grade", "")),
        "site": str(p.get("site") or ""),
        "serial": str(p.get("serial", "")),
        "rule_zh": str(p.get("rule_zh", "")),
        "value": value,
        "time": str(p.get("raised_local", ""))[5:16],  # MM-DD HH:MM: short
        "alarm_id": str(p.get("alarm_id", "")),
        "link": str(p.get("link", "")),
    }


def sms_text(p: dict[str, Any], template: str | None) -> str:
    if is_hazard(p) or is_incident(p):  # the alarm template's fields don't apply
        return f"【燃气监管】{p.get('text_zh', '')}"
    fields = sms_fields(p)
    try:
        return (template or DEFAULT_SMS_TEMPLATE).format(**fields)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"SMS template is wrong ({exc}); fields: {', '.join(fields)}") from exc
