from __future__ import annotations

from gaswarden.core.enums import LabeledEnum


class CylinderStatus(LabeledEnum):
    IN_STOCK = "in_stock", "在库(空瓶)", "In stock (empty)", "blue"
    FILLED = "filled", "已充装", "Filled", "teal"
    IN_TRANSIT = "in_transit", "运输中", "In transit", "indigo"
    AT_STATION = "at_station", "在供应站", "At a supply station", "cyan"
    WITH_USER = "with_user", "在用户处", "With a user", "green"
    EMPTY_RETURNED = "empty_returned", "空瓶回收", "Empty returned", "amber"
    AT_INSPECTION = "at_inspection", "送检中", "At inspection", "purple"
    SCRAPPED = "scrapped", "已报废", "Scrapped", "grey"
    LOST = "lost", "已丢失", "Lost", "red"


class EventKind(LabeledEnum):
    """One scan in the chain: tag code + who + where + when."""

    REGISTER = "register", "建档", "Registered", "grey"
    FILL = "fill", "充装", "Filled", "teal"
    LOAD = "load", "装车", "Loaded on a vehicle", "indigo"
    ARRIVE = "arrive", "到站", "Arrived at a supply station", "cyan"
    DELIVER = "deliver", "配送入户", "Delivered to a user", "green"
    COLLECT = "collect", "空瓶回收", "Empty collected", "amber"
    RETURN = "return", "返回充装站", "Back at the filling station", "blue"
    SEND_INSPECTION = "send_inspection", "送检", "Sent for inspection", "purple"
    INSPECT = "inspect", "定期检验", "Periodic inspection", "purple"
    SCRAP = "scrap", "报废", "Scrapped", "grey"
    LOST = "lost", "报失", "Reported lost", "red"
    FOUND = "found", "找回", "Found again", "orange"


class EventResult(LabeledEnum):
    ACCEPTED = "accepted", "已受理", "Accepted", "green"
    ANOMALY = "anomaly", "受理(异常)", "Accepted with anomaly", "amber"
    REFUSED = "refused", "已拒绝", "Refused", "red"


class RefusalReason(LabeledEnum):
    """Why a scan was refused (TSG 23-2021 before filling; real-name rules before delivery)."""

    UNKNOWN_CODE = "unknown_code", "未登记的气瓶码", "Unknown or unregistered code", "red"
    NOT_OWN = "not_own", "非本单位产权或委托气瓶", "Another enterprise's cylinder", "red"
    INSPECTION_OVERDUE = "inspection_overdue", "超期未检", "Periodic inspection overdue", "red"
    LIFE_EXPIRED = "life_expired", "超过设计使用年限", "Past its service life", "red"
    SCRAPPED = "scrapped", "已报废", "Scrapped (code revoked)", "grey"
    LOST = "lost", "已报失", "Reported lost", "red"
    OVERFILL = "overfill", "超装", "Over-filled by weight", "red"
    CUSTOMER_UNREGISTERED = (
        "customer_unregistered",
        "用户未实名登记",
        "Customer not registered under a real name",
        "red",
    )
    SAFETY_CHECK_FAILED = (
        "safety_check_failed",
        "用户安检不合格",
        "The customer's premises failed the safety check",
        "red",
    )
    NO_ALARM = (
        "no_alarm",
        "商业用户未登记燃气报警器及切断阀",
        "Commercial user without a gas alarm and shut-off valve on record",
        "red",
    )
    INVALID = "invalid", "信息不完整", "Incomplete or invalid scan", "red"


class AnomalyKind(LabeledEnum):
    """A break of the chain or a suspicious scan: stored and raised, never dropped."""

    DELIVERED_UNFILLED = "delivered_unfilled", "未充装即配送", "Delivered without a fill", "red"
    DOUBLE_FILL = "double_fill", "重复充装", "Filled twice without a delivery", "orange"
    OUT_OF_ORDER = "out_of_order", "流转顺序异常", "Step out of the usual order", "amber"
    IMPOSSIBLE_TRAVEL = (
        "impossible_travel",
        "位置跳变",
        "Two places too far apart for the time between",
        "red",
    )
    UNREGISTERED_WORKER = "unregistered_worker", "非登记从业人员", "Unregistered worker", "red"
    UNCERTIFIED_WORKER = (
        "uncertified_worker",
        "从业人员无有效证书",
        "Worker without a valid certificate",
        "orange",
    )
    UNREGISTERED_VEHICLE = "unregistered_vehicle", "非专用车辆", "Unregistered vehicle", "red"
    CLOSED_SITE = "closed_site", "已关停场站仍有流转", "Activity at a closed site", "red"
    HEAVY_USE = "heavy_use", "用气量异常", "Far more than a household uses", "amber"
    UNKNOWN_CODE = "unknown_code", "无主或未登记气瓶", "Ownerless or unregistered code", "red"
    OVERDUE_WITH_USER = (
        "overdue_with_user",
        "超期气瓶在用户处",
        "Overdue or expired cylinder delivered to a user",
        "red",
    )
