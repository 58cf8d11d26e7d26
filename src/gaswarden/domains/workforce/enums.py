from gaswarden.core.enums import LabeledEnum


class Position(LabeledEnum):
    PRINCIPAL = "principal", "主要负责人", "Principal", "red"
    SAFETY_MANAGER = "safety_manager", "安全管理人员", "Safety manager", "orange"
    FILLING_OPERATOR = "filling_operator", "充装人员", "Filling operator", "amber"
    DELIVERY_WORKER = "delivery_worker", "送气工", "Delivery worker", "teal"
    DRIVER = "driver", "驾驶员", "Driver", "blue"
    ESCORT = "escort", "押运员", "Escort", "blue"
    OPERATOR = "operator", "运行维护人员", "Operation & maintenance", "indigo"
    RESCUE = "rescue", "抢险救援人员", "Rescue", "red"
    INSPECTOR = "inspector", "检查人员", "Inspector", "purple"
    OTHER = "other", "其他", "Other", "grey"


class CertificateKind(LabeledEnum):
    GAS_PRINCIPAL = (
        "gas_principal",
        "燃气经营企业主要负责人考核合格证",
        "Gas enterprise principal",
        "blue",
    )
    GAS_SAFETY = (
        "gas_safety",
        "燃气经营企业安全生产管理人员考核合格证",
        "Gas safety manager",
        "blue",
    )
    GAS_OPERATOR = (
        "gas_operator",
        "燃气经营企业运行维护和抢修人员考核合格证",
        "Gas O&M and repair",
        "blue",
    )
    CYLINDER_FILLING = (
        "cylinder_filling",
        "特种设备作业人员证(气瓶充装)",
        "Cylinder filling (special equipment)",
        "amber",
    )
    HAZMAT_DRIVER = (
        "hazmat_driver",
        "道路危险货物运输驾驶员从业资格证",
        "Dangerous-goods driver",
        "red",
    )
    HAZMAT_ESCORT = (
        "hazmat_escort",
        "道路危险货物运输押运人员从业资格证",
        "Dangerous-goods escort",
        "red",
    )
    OTHER = "other", "其他", "Other", "grey"


class TeamKind(LabeledEnum):
    RESCUE = "rescue", "专业应急救援队", "Rescue team", "red"
    PATROL = "patrol", "巡线巡检队", "Patrol team", "blue"
    DELIVERY = "delivery", "配送队", "Delivery team", "teal"


class VehicleKind(LabeledEnum):
    LPG_DELIVERY = "lpg_delivery", "瓶装气专用配送车", "LPG delivery vehicle", "teal"
    CYLINDER_TRANSPORT = "cylinder_transport", "钢瓶运输车", "Cylinder transport truck", "blue"
    TANKER = "tanker", "槽罐车", "Tanker", "orange"
    RESCUE = "rescue", "抢险救援车", "Rescue vehicle", "red"
    PATROL = "patrol", "巡检车", "Patrol vehicle", "indigo"


class VehicleStatus(LabeledEnum):
    IN_SERVICE = "in_service", "在用", "In service", "green"
    REPAIR = "repair", "维修中", "Under repair", "amber"
    RETIRED = "retired", "已报废", "Retired", "grey"


class DutyStatus(LabeledEnum):
    ON_DUTY = "on_duty", "值守中", "On duty", "green"
    DEPLOYED = "deployed", "出动中", "Deployed", "red"
    STANDBY = "standby", "备勤", "Standby", "amber"
    OFF_DUTY = "off_duty", "休整", "Off duty", "grey"

    @property
    def available(self) -> bool:
        """Can be sent to a new incident."""
        return self in (DutyStatus.ON_DUTY, DutyStatus.STANDBY)
