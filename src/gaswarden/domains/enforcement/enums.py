from gaswarden.core.enums import LabeledEnum


class CaseSource(LabeledEnum):
    INSPECTION = "inspection", "检查发现", "Inspection", "purple"
    HAZARD = "hazard", "隐患移交", "Hazard", "orange"
    REPORT = "report", "举报线索", "Report", "amber"
    OTHER = "other", "其他", "Other", "grey"


class CaseStatus(LabeledEnum):
    OPENED = "opened", "立案", "Opened", "orange"
    INVESTIGATING = "investigating", "调查取证", "Investigating", "amber"
    DECIDED = "decided", "已作出决定", "Decided", "blue"
    EXECUTED = "executed", "已执行", "Executed", "teal"
    CLOSED = "closed", "结案", "Closed", "grey"


class PartyKind(LabeledEnum):
    LICENSED = "licensed", "持证燃气企业", "Licensed enterprise", "blue"
    UNLICENSED = "unlicensed", "无证经营者", "Unlicensed operator", "red"


class Decision(LabeledEnum):
    ORDER_RECTIFY = "order_rectify", "责令限期整改", "Order to rectify", "amber"
    WARNING = "warning", "警告", "Warning", "orange"
    FINE = "fine", "罚款", "Fine", "orange"
    SUSPENSION = "suspension", "责令停业整顿", "Suspension", "red"
    CLOSURE = "closure", "关停取缔", "Closure", "red"
    NO_ACTION = "no_action", "不予处罚", "No penalty", "grey"


class ClosureKind(LabeledEnum):
    """What kind of illegal facility a closure shut down (the article counts these)."""

    FILLING_STATION = "filling_station", "非法液化气充装站", "Illegal LPG filling station", "red"
    SUPPLY_STATION = "supply_station", "非法液化气供应站", "Illegal LPG supply station", "orange"
    LNG_FACILITY = "lng_facility", "企业自备LNG设施", "Private LNG facility", "purple"
    OTHER = "other", "其他非法设施", "Other illegal facility", "grey"


class CaseEventKind(LabeledEnum):
    OPENED = "opened", "立案", "Opened", "orange"
    INVESTIGATING = "investigating", "调查取证", "Investigation started", "amber"
    EVIDENCE = "evidence", "补充证据", "Evidence added", "indigo"
    DECIDED = "decided", "作出决定", "Decision made", "blue"
    EXECUTED = "executed", "执行完毕", "Executed", "teal"
    CLOSED = "closed", "结案", "Closed", "grey"
    ACTIVITY = "activity", "关停后发现活动", "Activity after closure", "red"
    COMMENT = "comment", "备注", "Comment", "grey"


class ActivitySource(LabeledEnum):
    """How a closed site was seen active again."""

    TELEMETRY = "telemetry", "设备数据", "Device data", "blue"
    CYLINDER = "cylinder", "钢瓶流转", "Cylinder delivered from it", "orange"
    REPORT = "report", "举报", "Report", "amber"
    INSPECTION = "inspection", "检查发现", "Inspection", "purple"
