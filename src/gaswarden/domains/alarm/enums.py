from gaswarden.core.enums import LabeledEnum


class AlarmCondition(LabeledEnum):
    """What the device says now."""

    ACTIVE = "active", "报警中", "Active", "red"
    CLEARED = "cleared", "已恢复", "Cleared", "green"


class AlarmStage(LabeledEnum):
    """Where the handling stands (闭环处置)."""

    NEW = "new", "待确认", "Unacknowledged", "red"
    ACKNOWLEDGED = "acknowledged", "已确认", "Acknowledged", "orange"
    ASSIGNED = "assigned", "已派单", "Assigned", "amber"
    ON_SITE = "on_site", "已到场", "On site", "blue"
    RESOLVED = "resolved", "已处置", "Resolved", "teal"
    CLOSED = "closed", "已关闭", "Closed (reviewed)", "grey"


OPEN_STAGES = frozenset(
    {AlarmStage.NEW, AlarmStage.ACKNOWLEDGED, AlarmStage.ASSIGNED, AlarmStage.ON_SITE}
)


class AlarmCause(LabeledEnum):
    REAL_LEAK = "real_leak", "真实泄漏", "Real leak", "red"
    FALSE_ALARM = "false_alarm", "误报(如烹饪油烟)", "False alarm (e.g. cooking vapour)", "grey"
    DEVICE_FAULT = "device_fault", "设备故障", "Device fault", "amber"
    TEST = "test", "测试", "Test", "blue"
    THIRD_PARTY_DAMAGE = "third_party_damage", "第三方破坏", "Third-party damage", "orange"
    OTHER = "other", "其他", "Other", "grey"


class AlarmEventKind(LabeledEnum):
    RAISED = "raised", "产生报警", "Raised", "red"
    REPEATED = "repeated", "重复报警", "Repeated", "orange"
    ESCALATED = "escalated", "升级", "Escalated", "red"
    CLEARED = "cleared", "报警恢复", "Cleared", "green"
    REOPENED = "reopened", "重新打开", "Reopened", "orange"
    ACKNOWLEDGED = "acknowledged", "确认", "Acknowledged", "orange"
    ASSIGNED = "assigned", "派单", "Assigned", "amber"
    ON_SITE = "on_site", "到场", "On site", "blue"
    RESOLVED = "resolved", "处置完成", "Resolved", "teal"
    CLOSED = "closed", "审核关闭", "Closed", "grey"
    OVERDUE = "overdue", "超时未响应", "Response target missed", "red"
    NOTIFIED = "notified", "已通知", "Notified", "purple"


class ScopeLevel(LabeledEnum):
    """What a rule setting applies to; the most specific wins (device > asset > site > global)."""

    GLOBAL = "global", "全局", "Deployment", "grey"
    SITE = "site", "场站", "Site", "blue"
    ASSET = "asset", "设施", "Asset", "indigo"
    DEVICE = "device", "设备", "Device", "teal"
