from gaswarden.core.enums import LabeledEnum


class SourceFormat(LabeledEnum):
    PANDAPIPES = "pandapipes", "pandapipes JSON", "pandapipes JSON", "blue"
    GEOJSON = "geojson", "GeoJSON", "GeoJSON", "teal"


class JunctionRole(LabeledEnum):
    FEED = "feed", "气源(门站/调压)", "Feed (gate or regulator)", "indigo"
    MAINS = "mains", "干管节点", "Mains junction", "blue"
    SERVICE = "service", "户线节点", "Service-line junction", "grey"


class SensorQuantity(LabeledEnum):
    PRESSURE = "pressure", "压力", "Pressure", "blue"
    FLOW = "flow", "流量", "Flow", "teal"


class LeakStatus(LabeledEnum):
    SUSPECTED = "suspected", "疑似泄漏", "Suspected leak", "orange"
    CONFIRMED = "confirmed", "确认泄漏", "Confirmed leak", "red"
    REPAIRED = "repaired", "已修复", "Repaired", "green"
    FALSE_ALARM = "false_alarm", "误报", "False alarm", "grey"


class DetectionMethod(LabeledEnum):
    MASS_BALANCE = "mass_balance", "进气量平衡", "Inflow mass balance", "teal"
    RESIDUAL_GLR = "residual_glr", "压力残差似然比检验", "Pressure-residual likelihood ratio", "red"
    RESIDUAL_CUSUM = "residual_cusum", "压力残差CUSUM", "Pressure-residual CUSUM", "blue"
    RESIDUAL_EWMA = "residual_ewma", "压力残差EWMA", "Pressure-residual EWMA", "indigo"
    MANUAL = "manual", "人工定位", "Manual localisation", "grey"
