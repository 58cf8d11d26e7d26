from gaswarden.core.enums import LabeledEnum
from gaswarden.standards.hazards import HazardGrade

__all__ = [
    "HazardEventKind",
    "HazardGrade",
    "HazardSource",
    "HazardStatus",
    "SystemKind",
    "SystemStatus",
    "Verdict",
]


class HazardSource(LabeledEnum):
    INSPECTION = "inspection", "检查发现", "Inspection", "purple"
    SELF_INSPECTION = "self_inspection", "企业自查", "Enterprise self-inspection", "blue"
    ALARM = "alarm", "报警处置", "Alarm disposition", "red"
    PUBLIC_REPORT = "public_report", "群众举报", "Public report", "orange"
    ENFORCEMENT = "enforcement", "执法检查", "Enforcement", "amber"
    OTHER = "other", "其他", "Other", "grey"


class HazardStatus(LabeledEnum):
    """The loop: reported -> assigned -> rectifying -> submitted -> closed (销号).

    A rejected rectification goes back to rectifying; a closed hazard can be reopened."""

    REPORTED = "reported", "已上报", "Reported", "red"
    ASSIGNED = "assigned", "已交办", "Assigned", "orange"
    RECTIFYING = "rectifying", "整改中", "Rectifying", "amber"
    SUBMITTED = "submitted", "待验收", "Awaiting verification", "blue"
    CLOSED = "closed", "已销号", "Closed", "green"


OPEN_STATUSES = frozenset(
    {
        HazardStatus.REPORTED,
        HazardStatus.ASSIGNED,
        HazardStatus.RECTIFYING,
        HazardStatus.SUBMITTED,
    }
)


class HazardEventKind(LabeledEnum):
    REPORTED = "reported", "上报", "Reported", "red"
    ASSIGNED = "assigned", "交办", "Assigned", "orange"
    PLAN_SUBMITTED = "plan_submitted", "提交整改方案", "Rectification plan submitted", "indigo"
    STARTED = "started", "开始整改", "Rectification started", "amber"
    SUBMITTED = "submitted", "提交整改", "Rectification submitted", "blue"
    RETURNED = "returned", "验收退回", "Sent back", "red"
    VERIFIED = "verified", "验收通过", "Verified", "teal"
    CLOSED = "closed", "销号", "Closed", "green"
    REOPENED = "reopened", "重新打开", "Reopened", "orange"
    DEADLINE_CHANGED = "deadline_changed", "调整期限", "Deadline changed", "purple"
    OVERDUE = "overdue", "逾期", "Overdue", "red"
    ESCALATED = "escalated", "逾期督办", "Escalated", "red"
    COMMENT = "comment", "备注", "Comment", "grey"


class Verdict(LabeledEnum):
    ACCEPTED = "accepted", "验收通过", "Accepted", "green"
    RETURNED = "returned", "退回整改", "Sent back", "red"


class SystemKind(LabeledEnum):
    """Systems (规章制度) an enterprise must have; the first five are major-hazard criteria of
    建城规〔2023〕4号 (their absence is a major hazard)."""

    OPERATING_LICENCE = "operating_licence", "燃气经营许可", "Gas operating licence", "red"
    RISK_CONTROL = "risk_control", "安全风险分级管控制度", "Graded risk control system", "red"
    HAZARD_INVESTIGATION = (
        "hazard_investigation",
        "隐患排查治理制度",
        "Hazard investigation and rectification system",
        "red",
    )
    EMERGENCY_PLAN = "emergency_plan", "生产安全事故应急预案", "Emergency plan", "red"
    USER_SAFETY_CHECKS = "user_safety_checks", "用户安全检查制度", "User safety checks", "red"
    SAFETY_RESPONSIBILITY = (
        "safety_responsibility",
        "全员安全生产责任制",
        "Safety responsibility system",
        "orange",
    )
    SAFETY_TRAINING = "safety_training", "安全教育培训制度", "Safety training system", "orange"
    OPERATING_PROCEDURES = (
        "operating_procedures",
        "安全操作规程",
        "Safe operating procedures",
        "orange",
    )

    @property
    def major(self) -> bool:
        return self in _MAJOR_SYSTEMS


_MAJOR_SYSTEMS = frozenset(
    {
        SystemKind.OPERATING_LICENCE,
        SystemKind.RISK_CONTROL,
        SystemKind.HAZARD_INVESTIGATION,
        SystemKind.EMERGENCY_PLAN,
        SystemKind.USER_SAFETY_CHECKS,
    }
)


class SystemStatus(LabeledEnum):
    PRESENT = "present", "已建立", "Present", "green"
    MISSING = "missing", "缺失", "Missing", "red"
    IMPROVED = "improved", "已完善", "Improved", "teal"
