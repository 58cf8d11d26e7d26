from gaswarden.core.enums import LabeledEnum


class DeviceKind(LabeledEnum):
    PRESSURE_MONITOR = "pressure_monitor", "压力监测仪", "Pressure monitor", "blue"
    WELL_METHANE = "well_methane", "阀井燃气泄漏监测仪", "Valve-well methane detector", "orange"
    WELL_INTRUSION = (
        "well_intrusion",
        "阀井非法闯入监测仪",
        "Valve-well intrusion detector",
        "purple",
    )
    HOUSEHOLD_ALARM = "household_alarm", "户内物联报警器", "Household gas alarm", "pink"
    LASER_METHANE = "laser_methane", "激光甲烷检测仪", "Laser methane detector", "red"
    FLOW_METER = "flow_meter", "流量计", "Flow meter", "teal"
    CAMERA = "camera", "视频监控", "Camera", "indigo"


class DeviceStatus(LabeledEnum):
    ACTIVE = "active", "在用", "Active", "green"
    INACTIVE = "inactive", "未启用", "Not yet active", "grey"
    MAINTENANCE = "maintenance", "维护中", "Under maintenance", "amber"
    FAULT = "fault", "故障", "Faulty", "red"
    DECOMMISSIONED = "decommissioned", "已停用", "Decommissioned", "grey"
