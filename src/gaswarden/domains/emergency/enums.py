from gaswarden.core.enums import LabeledEnum


class PlanLevel(LabeledEnum):
    DISTRICT = "district", "区级总体预案", "District plan", "red"
    ENTERPRISE = "enterprise", "企业综合预案", "Enterprise plan", "orange"
    SPECIAL = "special", "专项应急预案", "Special plan", "amber"
    ON_SITE = "on_site", "现场处置方案", "On-site procedure", "blue"


class PlanStatus(LabeledEnum):
    DRAFT = "draft", "草稿", "Draft", "grey"
    SUBMITTED = "submitted", "待审批", "Awaiting approval", "amber"
    APPROVED = "approved", "已批准(现行)", "Approved (in force)", "green"
    SUPERSEDED = "superseded", "已废止(被新版替代)", "Superseded", "grey"


class ReserveCategory(LabeledEnum):
    EQUIPMENT = "equipment", "应急装备", "Equipment", "blue"
    MATERIAL = "material", "应急物资", "Material", "teal"


class ReserveKind(LabeledEnum):
    GAS_DETECTOR = "gas_detector", "可燃气体检测仪", "Gas detector", "blue"
    BREATHING_APPARATUS = "breathing_apparatus", "正压式空气呼吸器", "Breathing apparatus", "red"
    EXPLOSION_PROOF_TOOLS = "explosion_proof_tools", "防爆工具", "Explosion-proof tools", "orange"
    LEAK_SEALING = "leak_sealing", "带压堵漏器材", "Leak-sealing kit", "orange"
    PIPE_REPAIR = "pipe_repair", "管道抢修器材", "Pipe repair kit", "indigo"
    FIRE_EXTINGUISHER = "fire_extinguisher", "灭火器材", "Fire extinguishers", "red"
    PROTECTIVE_CLOTHING = "protective_clothing", "防护服", "Protective clothing", "amber"
    COMMUNICATION = "communication", "防爆通讯设备", "Explosion-proof radios", "purple"
    LIGHTING_POWER = "lighting_power", "照明发电设备", "Lighting and power", "teal"
    CORDON = "cordon", "警戒器材", "Cordon equipment", "yellow"
    VENTILATION = "ventilation", "防爆风机", "Explosion-proof fan", "teal"
    SPARE_PIPE = "spare_pipe", "备用管材管件", "Spare pipes and fittings", "grey"
    OTHER = "other", "其他", "Other", "grey"


class IncidentGrade(LabeledEnum):
    """Gas accident grades (事故等级), I most severe, as in the district's overall plan."""

    I = "I", "I级(特别重大)", "Grade I (very serious)", "red"  # noqa: E741
    II = "II", "II级(重大)", "Grade II (serious)", "orange"
    III = "III", "III级(较大)", "Grade III (major)", "yellow"
    IV = "IV", "IV级(一般)", "Grade IV (general)", "blue"

    @property
    def rank(self) -> int:
        """1 for I ... 4 for IV: lower is more severe."""
        return list(IncidentGrade).index(self) + 1


class IncidentSource(LabeledEnum):
    ALARM = "alarm", "监测报警", "Monitoring alarm", "red"
    HAZARD = "hazard", "隐患", "Hazard", "orange"
    CALL = "call", "电话报警", "Phone call", "amber"
    SERVICE_REQUEST = "service_request", "服务工单(漏气报告)", "Service request (leak)", "purple"
    PATROL = "patrol", "巡查发现", "Found on patrol", "blue"
    OTHER = "other", "其他", "Other", "grey"


class IncidentStatus(LabeledEnum):
    REPORTED = "reported", "已接报", "Reported", "red"
    DISPATCHED = "dispatched", "已派遣", "Dispatched", "orange"
    ON_SCENE = "on_scene", "处置中", "On scene", "amber"
    CONTROLLED = "controlled", "已控制", "Under control", "blue"
    CLOSED = "closed", "已结案", "Closed", "grey"

    @property
    def is_open(self) -> bool:
        return self is not IncidentStatus.CLOSED


class IncidentEventKind(LabeledEnum):
    REPORTED = "reported", "接报", "Reported", "red"
    GRADED = "graded", "定级", "Graded", "orange"
    DISPATCHED = "dispatched", "派遣", "Dispatched", "orange"
    ARRIVED = "arrived", "到场", "Arrived", "blue"
    ACTION = "action", "处置措施", "Action taken", "amber"
    NOTIFIED = "notified", "通知", "Notified", "purple"
    CONTROLLED = "controlled", "险情控制", "Under control", "teal"
    RETURNED = "returned", "归队", "Team returned", "grey"
    CLOSED = "closed", "结案", "Closed", "grey"
    NOTE = "note", "备注", "Note", "grey"


class DistanceMethod(LabeledEnum):
    ROAD = "road", "道路距离", "Road distance", "green"
    STRAIGHT = "straight", "直线距离(未加载路网)", "Straight line (no road graph)", "amber"


class DrillKind(LabeledEnum):
    TABLETOP = "tabletop", "桌面推演", "Tabletop exercise", "blue"
    FUNCTIONAL = "functional", "单项(功能)演练", "Functional drill", "teal"
    FULL_SCALE = "full_scale", "综合(实战)演练", "Full-scale drill", "red"


class DrillStatus(LabeledEnum):
    PLANNED = "planned", "计划中", "Planned", "amber"
    HELD = "held", "已举行", "Held", "green"
    CANCELLED = "cancelled", "已取消", "Cancelled", "grey"


class DrillRating(LabeledEnum):
    EXCELLENT = "excellent", "优秀", "Excellent", "green"
    GOOD = "good", "良好", "Good", "teal"
    ADEQUATE = "adequate", "合格", "Adequate", "amber"
    POOR = "poor", "不合格", "Poor", "red"
