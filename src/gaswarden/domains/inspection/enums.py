from gaswarden.core.enums import LabeledEnum
from gaswarden.domains.site.enums import SiteKind


class ChecklistTarget(LabeledEnum):
    """What a checklist template is for: a kind of site, or the enterprise's management."""

    GATE_STATION = "gate_station", "门站", "Gate station", "blue"
    LPG_FILLING = "lpg_filling", "液化气储配站", "LPG storage & filling station", "orange"
    LPG_SUPPLY = "lpg_supply", "液化气供应站", "LPG supply station", "amber"
    LNG_CNG = "lng_cng", "LNG/CNG站", "LNG/CNG station", "teal"
    REGULATOR = "regulator", "调压站/调压箱", "Regulator station or box", "indigo"
    VALVE_WELL = "valve_well", "阀井", "Valve well", "brown"
    COMMERCIAL = "commercial", "餐饮及商业用户", "Restaurant or commercial user", "pink"
    HOUSEHOLD = "household", "居民用户", "Household", "green"
    ENTERPRISE = "enterprise", "企业安全管理", "Enterprise safety management", "purple"


SITE_TARGET: dict[SiteKind, ChecklistTarget] = {
    SiteKind.GATE_STATION: ChecklistTarget.GATE_STATION,
    SiteKind.LPG_FILLING: ChecklistTarget.LPG_FILLING,
    SiteKind.LPG_SUPPLY: ChecklistTarget.LPG_SUPPLY,
    SiteKind.LNG_STATION: ChecklistTarget.LNG_CNG,
    SiteKind.CNG_STATION: ChecklistTarget.LNG_CNG,
    SiteKind.REGULATOR_STATION: ChecklistTarget.REGULATOR,
    SiteKind.REGULATOR_BOX: ChecklistTarget.REGULATOR,
    SiteKind.VALVE_WELL: ChecklistTarget.VALVE_WELL,
    SiteKind.RESTAURANT: ChecklistTarget.COMMERCIAL,
    SiteKind.COMMERCIAL: ChecklistTarget.COMMERCIAL,
    SiteKind.RESIDENTIAL: ChecklistTarget.HOUSEHOLD,
}


class InspectionKind(LabeledEnum):
    THIRD_PARTY = "third_party", "第三方专项巡检", "Third-party special inspection", "purple"
    SELF = "self", "企业自查", "Enterprise self-inspection", "blue"
    SPOT_CHECK = "spot_check", "监管抽查", "Regulator spot check", "orange"
    ENFORCEMENT = "enforcement", "执法检查", "Law-enforcement inspection", "red"
    JOINT = "joint", "联合检查", "Joint inspection", "teal"

    @property
    def by_enterprise(self) -> bool:
        return self is InspectionKind.SELF


class TaskStatus(LabeledEnum):
    PENDING = "pending", "待检查", "Pending", "amber"
    DONE = "done", "已完成", "Done", "green"
    CANCELLED = "cancelled", "已取消", "Cancelled", "grey"


class Outcome(LabeledEnum):
    PASS = "pass", "合格", "Pass", "green"
    FAIL = "fail", "不合格", "Fail", "red"
    NOT_APPLICABLE = "na", "不适用", "Not applicable", "grey"
