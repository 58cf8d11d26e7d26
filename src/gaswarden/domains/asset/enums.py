from gaswarden.core.enums import LabeledEnum


class AssetKind(LabeledEnum):
    REGULATOR = "regulator", "调压器", "Pressure regulator", "indigo"
    VALVE_WELL = "valve_well", "阀井", "Valve well", "brown"
    PIPE_SEGMENT = "pipe_segment", "管段", "Pipe segment", "blue"
    JUNCTION = "junction", "管网节点", "Network junction", "teal"


class PipeMaterial(LabeledEnum):
    PE = "pe", "聚乙烯(PE)", "Polyethylene (PE)", "green"
    STEEL = "steel", "钢管", "Steel", "blue"
    STEEL_UNPROTECTED = "steel_unprotected", "无防腐钢管", "Unprotected steel", "orange"
    CAST_IRON = "cast_iron", "铸铁管", "Cast iron", "red"
    DUCTILE_IRON = "ductile_iron", "球墨铸铁管", "Ductile iron", "amber"
    COMPOSITE = "composite", "钢骨架复合管", "Steel-reinforced composite", "teal"


class AssetStatus(LabeledEnum):
    IN_SERVICE = "in_service", "在用", "In service", "green"
    OUT_OF_SERVICE = "out_of_service", "停用", "Out of service", "grey"
    ABANDONED = "abandoned", "废弃", "Abandoned", "grey"
    UNDER_REPAIR = "under_repair", "维修中", "Under repair", "amber"
