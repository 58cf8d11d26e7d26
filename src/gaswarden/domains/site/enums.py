from gaswarden.core.enums import LabeledEnum


class SiteKind(LabeledEnum):
    GATE_STATION = "gate_station", "门站", "Gate station", "blue"
    LPG_FILLING = "lpg_filling", "液化气储配站", "LPG storage & filling station", "orange"
    LPG_SUPPLY = "lpg_supply", "液化气供应站", "LPG supply station", "amber"
    LNG_STATION = "lng_station", "LNG站", "LNG station", "teal"
    CNG_STATION = "cng_station", "CNG加气站", "CNG station", "cyan"
    REGULATOR_STATION = "regulator_station", "调压站", "Regulator station", "indigo"
    REGULATOR_BOX = "regulator_box", "调压箱", "Regulator box", "indigo"
    VALVE_WELL = "valve_well", "阀井", "Valve well", "brown"
    RESTAURANT = "restaurant", "餐饮用户", "Restaurant", "pink"
    COMMERCIAL = "commercial", "其他商业用户", "Other commercial user", "purple"
    RESIDENTIAL = "residential", "居民小区", "Residential community", "green"

    @property
    def is_station(self) -> bool:
        return self in _STATIONS


_STATIONS = {
    SiteKind.GATE_STATION,
    SiteKind.LPG_FILLING,
    SiteKind.LPG_SUPPLY,
    SiteKind.LNG_STATION,
    SiteKind.CNG_STATION,
}


class SiteStatus(LabeledEnum):
    OPERATING = "operating", "运营中", "Operating", "green"
    SUSPENDED = "suspended", "停业整改", "Suspended", "amber"
    CLOSED = "closed", "已关停", "Closed", "grey"
    PLANNED = "planned", "在建", "Under construction", "blue"
