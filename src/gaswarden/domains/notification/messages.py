"""What a notice says: the JSON payload of an alarm change, its Chinese and English text, the
e-mail subject and the short SMS text."""

from __future__ import annotations

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
}
# The SMS text when no template is configured; fields as in `sms_fields`.
DEFAULT_SMS_TEMPLATE = (
    "【燃气监管】{grade_zh}报警:{site}{serial} {rule_zh}{value},{time}。请立即处置。"
)


def _value(alarm: Alarm) -> tuple[str, str]:
    metric = METRICS.get(alarm.metric or "")
    value = alarm.last_value if alarm.last_value is not None else alarm.first_value
    if value is None:
        return "", ""
    unit = metric.unit if metric else ""
    return f" {value:g}{unit}", f" {value:g} {unit}".rstrip()


def payload(
    alarm: Alarm, *, reason: str, audience: str, level: int, timezone: str
) -> dict[str, Any]:
    """The notice, JSON-safe: what every channel renders from."""
    rule = RULES.get(alarm.rule)
    device = alarm.device
    site = device.site.name if device.site else ""
    local = alarm.raised_at.astimezone(ZoneInfo(timezone))
    value_zh, value_en = _value(alarm)
    why_zh, why_en = REASONS.get(reason, (reason, reason))
    rule_zh = rule.zh if rule else alarm.rule
    rule_en = rule.en if rule else alarm.rule
    grade: Grade = alarm.grade
    where_zh = f"{site} " if site else ""
    where_en = f"{site} " if site else ""
    text_zh = (
        f"[{grade.zh}] {why_zh}:{where_zh}设备 {device.serial} {rule_zh}{value_zh},"
        f"报警时间 {local:%Y-%m-%d %H:%M:%S}。请立即处置。"
    )
    text_en = (
        f"[{grade.en}] {why_en}: {where_en}device {device.serial} {rule_en}{value_en}, "
        f"raised {local:%Y-%m-%d %H:%M:%S}. Please respond now."
    )
    return {
        "alarm_id": alarm.id,
        "reason": reason,
        "audience": audience,
        "level": level,
        "grade": grade.value,
        "grade_zh": grade.zh,
        "rule": alarm.rule,
        "rule_zh": rule_zh,
        "rule_en": rule_en,
        "serial": device.serial,
        "device_kind": alarm.device_kind.value,
        "site_id": alarm.site_id,
        "site": site,
        "owner_id": alarm.owner_id,
        "area_id": alarm.area_id,
        "metric": alarm.metric,
        "values": {
            "first": alarm.first_value,
            "last": alarm.last_value,
            "peak": alarm.peak_value,
        },
        "raised_at": alarm.raised_at.isoformat(),
        "raised_local": f"{local:%Y-%m-%d %H:%M:%S}",
        "link": f"/alarms/{alarm.id}",
        "text_zh": text_zh,
        "text_en": text_en,
    }


def subject(p: dict[str, Any]) -> str:
    why_zh = REASONS.get(p.get("reason", ""), (p.get("reason", ""), ""))[0]
    where = p.get("site") or p.get("serial")
    return f"【燃气报警】{p.get('grade_zh', '')} {why_zh}:{where} {p.get('rule_zh', '')}"


def email_body(p: dict[str, Any], public_url: str | None) -> str:
    link = p.get("link", "")
    if public_url:
        link = public_url.rstrip("/") + link
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
    fields = sms_fields(p)
    try:
        return (template or DEFAULT_SMS_TEMPLATE).format(**fields)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"SMS template is wrong ({exc}); fields: {', '.join(fields)}") from exc
