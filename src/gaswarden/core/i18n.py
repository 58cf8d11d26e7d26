"""Chinese first, English second: the UI's words, and times shown in the local zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

# English message id -> Chinese. Pages call t("Sites", lang).
ZH: dict[str, str] = {
    "GasWarden": "城镇燃气安全智慧监管平台",
    "Sign in": "登录",
    "Sign out": "退出",
    "Username": "用户名",
    "Password": "密码",
    "Wrong username or password": "用户名或密码错误",
    "Home": "首页",
    "Map": "地图",
    "Sites": "场站与用户",
    "Assets": "设施",
    "Devices": "物联设备",
    "Organisations": "单位",
    "Users": "用户",
    "Areas": "区域与网格",
    "Staff": "从业人员",
    "Vehicles": "车辆",
    "Teams": "队伍",
    "Audit log": "审计日志",
    "Search": "搜索",
    "Filter": "筛选",
    "Reset": "重置",
    "Edit": "编辑",
    "Save": "保存",
    "Cancel": "取消",
    "New": "新建",
    "Delete": "删除",
    "Back": "返回",
    "Detail": "详情",
    "Export CSV": "导出CSV",
    "Total": "共",
    "Previous": "上一页",
    "Next": "下一页",
    "Saved": "已保存",
    "Not found": "未找到",
    "Error": "出错了",
    "Language": "语言",
}


def t(message: str, lang: str = "zh") -> str:
    return ZH.get(message, message) if lang == "zh" else message


def local_time(
    value: datetime | None, tz: str = "Asia/Shanghai", fmt: str = "%Y-%m-%d %H:%M"
) -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(tz)).strftime(fmt)
