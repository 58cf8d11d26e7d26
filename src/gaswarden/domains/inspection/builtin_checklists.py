"""The built-in checklist templates (统一检查内容和标准), one per ChecklistTarget.

Seeded from /work/shared/STANDARDS.md: the major-hazard criteria of 城镇燃气经营安全重大隐患判定
标准 (建城规〔2023〕4号) give the major items (their source text was only partly recovered, so
some carry "(待核实 verify)"); the pre-filling checks of TSG 23-2021 and plausible general items
(fire extinguishers, signage, detectors working, records kept ...) fill in the rest. Every item
cites where it comes from; a citation marked "(待核实 verify)" names the standard we believe
applies without a checked clause. The regulator edits these by publishing new versions.

Item codes are stable (recurrence keys on site + item code): never reuse a code for a
different check. `deadline_days` None means the grade's default (standards/hazards.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from gaswarden.domains.hazard.enums import SystemKind
from gaswarden.domains.inspection.enums import ChecklistTarget
from gaswarden.standards.hazards import HazardGrade

MAJOR, GENERAL = HazardGrade.MAJOR, HazardGrade.GENERAL

# Sources, cited once each.
MAJOR_2023 = "建城规〔2023〕4号 城镇燃气经营安全重大隐患判定标准"
MAJOR_2023_VERIFY = MAJOR_2023 + " (待核实 verify)"
GAS_REGULATION = "城镇燃气管理条例 (国务院令第583号)"
GB50028 = "GB 50028-2006 城镇燃气设计规范"
GB55009 = "GB 55009-2021 燃气工程项目规范"
CJJ51 = "CJJ 51-2016 城镇燃气设施运行、维护和抢修安全技术规程"
GB50493 = "GB/T 50493-2019 可燃气体和有毒气体检测报警设计标准"
GB50140 = "GB 50140-2005 建筑灭火器配置设计规范"
GB2894 = "GB 2894-2008 安全标志及其使用导则"
GB51142 = "GB 51142-2015 液化石油气供应工程设计规范"
GB50156 = "GB 50156-2021 汽车加油加气加氢站技术标准"
TSG23 = "TSG 23-2021 气瓶安全技术规程"
GB8334 = "GB/T 8334-2022 液化石油气钢瓶定期检验与评定"
DB4114 = "DB4114/T 185-2023"
GB15322 = "GB 15322.2-2019 可燃气体探测器 第2部分：家用可燃气体探测器"
SAFETY_LAW = "中华人民共和国安全生产法 (2021)"


def verify(source: str) -> str:
    return f"{source} (待核实 verify)"


@dataclass(frozen=True)
class Item:
    code: str
    category: str
    text: str
    text_en: str
    standard: str
    hazard_grade: HazardGrade = GENERAL
    deadline_days: int | None = None
    system_kind: SystemKind | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "category": self.category,
            "text": self.text,
            "text_en": self.text_en,
            "standard": self.standard,
            "hazard_grade": self.hazard_grade.value,
            "deadline_days": self.deadline_days,
            "system_kind": self.system_kind.value if self.system_kind else None,
        }


@dataclass(frozen=True)
class Builtin:
    code: str
    name: str
    target: ChecklistTarget
    description: str
    items: tuple[Item, ...]

    def as_export(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "target": self.target.value,
            "description": self.description,
            "note": "内置模板 Built-in template (v1)",
            "items": [i.as_dict() for i in self.items],
        }


def _common_station(prefix: str, start: int) -> tuple[Item, ...]:
    """General items every station shares: detectors, fire fighting, signage, records."""
    n = start
    items = []
    for category, text, text_en, standard in (
        (
            "检测报警",
            "可燃气体检测报警器安装到位、定期标定并工作正常，报警信号传至有人值守处",
            "Gas detectors installed, calibrated on schedule and working; alarms reach a "
            "manned point",
            GB50493,
        ),
        (
            "消防",
            "灭火器等消防器材按规定配置、在有效期内，消防通道畅通",
            "Fire extinguishers provided as required and in date; fire lanes clear",
            GB50140,
        ),
        (
            "安全标志",
            "站区设置禁止烟火、禁止携带火种等安全警示标志，清晰完好",
            "No-smoking and no-open-flame warning signs posted and legible",
            GB2894,
        ),
        (
            "防雷防静电",
            "防雷、防静电接地装置完好，检测报告在有效期内",
            "Lightning and static earthing intact; test report in date",
            verify(GB50028),
        ),
        (
            "运行记录",
            "巡检、运行、维护及交接班记录完整",
            "Patrol, operation, maintenance and shift records complete",
            CJJ51,
        ),
    ):
        items.append(Item(f"{prefix}-{n:02d}", category, text, text_en, standard))
        n += 1
    return tuple(items)


GATE_STATION = Builtin(
    code="GW-GATE",
    name="门站安全检查表 Gate station checklist",
    target=ChecklistTarget.GATE_STATION,
    description="门站、储配站（管道天然气）的专项检查 Special inspection of gate stations",
    items=(
        Item(
            "GS-01",
            "储气设施",
            "储气设施设置压力（液位）监测及超限报警，且工作正常（无储气设施的填不适用）",
            "Storage has pressure (level) monitoring with over-limit alarms, working "
            "(not applicable without storage)",
            MAJOR_2023,
            MAJOR,
        ),
        Item(
            "GS-02",
            "调压计量",
            "进站及调压装置设置超压自动切断和放散装置，且动作可靠",
            "Inlet and regulating skids have automatic over-pressure cut-off and venting that work",
            MAJOR_2023,
            MAJOR,
        ),
        Item(
            "GS-03",
            "加臭",
            "加臭装置运行正常，管网末端加臭剂浓度可察觉",
            "Odorant injection working; odorant detectable at the network's ends",
            verify(GB50028),
        ),
        Item(
            "GS-04",
            "安全附件",
            "安全阀、压力表等安全附件定期校验，在有效期内",
            "Relief valves and pressure gauges calibrated on schedule and in date",
            verify(CJJ51),
        ),
        *_common_station("GS", 5),
    ),
)

LPG_FILLING = Builtin(
    code="GW-LPG-FILL",
    name="液化气储配站安全检查表 LPG storage & filling station checklist",
    target=ChecklistTarget.LPG_FILLING,
    description="液化石油气储配站（充装站）专项检查，含充装前检查 "
    "LPG storage and filling stations, with the pre-filling checks",
    items=(
        Item(
            "LF-01",
            "储罐",
            "储罐设置压力、液位（容积）、温度监测及超限报警，且工作正常",
            "Tanks have pressure, level (volume) and temperature monitoring with over-limit "
            "alarms, working",
            MAJOR_2023,
            MAJOR,
        ),
        Item(
            "LF-02",
            "储罐",
            "储罐设置超压自动切断（紧急切断）和安全放散装置，且有效",
            "Tanks have automatic over-pressure (emergency) cut-off and relief venting that work",
            MAJOR_2023,
            MAJOR,
        ),
        Item(
            "LF-03",
            "装卸",
            "槽车装卸系统设置紧急切断、拉断保护及静电接地",
            "Tanker loading has emergency cut-off, breakaway protection and static earthing",
            MAJOR_2023_VERIFY,
            MAJOR,
        ),
        Item(
            "LF-04",
            "气瓶充装",
            "未充装非自有产权或未经委托的气瓶",
            "No cylinders filled that are neither the filler's own nor entrusted to it",
            MAJOR_2023,
            MAJOR,
        ),
        Item(
            "LF-05",
            "充装前检查",
            "充装前核验气瓶登记及追溯标识，未登记或标识无法识读的不充装",
            "Before filling, registration and trace code checked; unregistered or unreadable "
            "cylinders refused",
            TSG23,
        ),
        Item(
            "LF-06",
            "充装前检查",
            "超期未检、报废或超过设计使用年限的气瓶不充装",
            "Cylinders overdue for inspection, scrapped or past their service life refused",
            f"{TSG23}; {verify(GB8334)}",
        ),
        Item(
            "LF-07",
            "充装前检查",
            "瓶阀及附件完好、颜色标志正确、有余压、无明显损伤，不合格的不充装",
            "Valve and fittings intact, marks and colour right, residual pressure present, no "
            "visible damage; otherwise refused",
            TSG23,
        ),
        Item(
            "LF-08",
            "充装后检查",
            "充装后逐瓶复检重量，无超装",
            "Every cylinder re-weighed after filling; none over-filled",
            TSG23,
            deadline_days=1,
        ),
        Item(
            "LF-09",
            "充装记录",
            "充装及配送记录完整，保存不少于2年，一瓶一码不重复登记",
            "Filling and delivery records complete and kept at least 2 years; one code per "
            "cylinder, never registered twice",
            DB4114,
        ),
        *_common_station("LF", 10),
    ),
)

LPG_SUPPLY = Builtin(
    code="GW-LPG-SUP",
    name="液化气供应站安全检查表 LPG supply station checklist",
    target=ChecklistTarget.LPG_SUPPLY,
    description="瓶装液化石油气供应站（门店）专项检查 LPG cylinder supply stations",
    items=(
        Item(
            "LS-01",
            "气源",
            "未销售无充装许可单位充装的气瓶",
            "No cylinders sold that were filled by an unlicensed filler",
            MAJOR_2023,
            MAJOR,
        ),
        Item(
            "LS-02",
            "瓶库",
            "瓶库存瓶量不超过站点等级规定，实瓶空瓶分区存放",
            "Cylinders stored within the station grade's limit; full and empty kept apart",
            verify(GB51142),
        ),
        Item(
            "LS-03",
            "瓶库",
            "瓶库通风良好，使用防爆电器，无火源",
            "Store ventilated, explosion-proof electrics, no ignition sources",
            verify(GB51142),
        ),
        Item(
            "LS-04",
            "经营行为",
            "站内无倒灌、无私自排放残液",
            "No decanting between cylinders and no dumping of residue at the station",
            verify(GAS_REGULATION),
        ),
        Item(
            "LS-05",
            "配送",
            "气瓶配送实名登记，送气人员经培训，配送记录可追溯",
            "Deliveries registered by customer name, delivery staff trained, records traceable",
            DB4114,
        ),
        *_common_station("LS", 6),
    ),
)

LNG_CNG = Builtin(
    code="GW-LNG-CNG",
    name="LNG/CNG站安全检查表 LNG/CNG station checklist",
    target=ChecklistTarget.LNG_CNG,
    description="LNG、CNG加气站及气化站专项检查 LNG and CNG stations",
    items=(
        Item(
            "LN-01",
            "储罐",
            "储罐（储气瓶组）设置压力、液位监测及超限报警，且工作正常",
            "Tanks (storage banks) have pressure and level monitoring with over-limit alarms, "
            "working",
            MAJOR_2023,
            MAJOR,
        ),
        Item(
            "LN-02",
            "储罐",
            "设置超压自动切断和安全放散（含BOG放散）装置，且有效",
            "Automatic over-pressure cut-off and relief venting (including BOG) that work",
            MAJOR_2023,
            MAJOR,
        ),
        Item(
            "LN-03",
            "装卸加气",
            "卸车及加气系统设置紧急切断、拉断阀等保护",
            "Unloading and dispensing have emergency cut-off and breakaway valves",
            MAJOR_2023_VERIFY,
            MAJOR,
        ),
        Item(
            "LN-04",
            "加气",
            "车用气瓶检验合格、在有效期内方可加气",
            "Vehicle cylinders filled only when inspected and in date",
            verify(TSG23),
        ),
        Item(
            "LN-05",
            "安全间距",
            "站内设施与站外建构筑物安全间距符合要求",
            "Separation distances to buildings outside the station met",
            verify(GB50156),
        ),
        *_common_station("LN", 6),
    ),
)

REGULATOR = Builtin(
    code="GW-REG",
    name="调压站（箱）安全检查表 Regulator station/box checklist",
    target=ChecklistTarget.REGULATOR,
    description="调压站、调压箱及其进出口管道 Regulator stations, boxes and their pipes",
    items=(
        Item(
            "RG-01",
            "调压",
            "调压器出口设置超压保护（切断或放散）装置，且设定值正确、动作可靠",
            "Regulator outlet has over-pressure protection (cut-off or relief), set right and "
            "working",
            MAJOR_2023,
            MAJOR,
        ),
        Item(
            "RG-02",
            "管道保护",
            "中压及以上燃气管道保护范围内无建（构）筑物占压",
            "No buildings over medium- or higher-pressure pipes within the protection zone (占压)",
            f"{MAJOR_2023}; {GAS_REGULATION}",
            MAJOR,
        ),
        Item(
            "RG-03",
            "泄漏",
            "调压设施及接口检测无燃气泄漏",
            "No leaks at the regulator and its joints",
            CJJ51,
            deadline_days=1,
        ),
        Item(
            "RG-04",
            "设施",
            "箱体（站房）完好、锁闭、通风良好，周边无易燃物堆放",
            "Cabinet (house) intact, locked and ventilated; no combustibles stacked around",
            verify(CJJ51),
        ),
        Item(
            "RG-05",
            "安全标志",
            "设置燃气警示标志及抢险电话",
            "Gas warning sign with the emergency number posted",
            GB2894,
        ),
        Item(
            "RG-06",
            "运行记录",
            "定期检查切断、放散压力设定值并记录",
            "Cut-off and relief set points checked on schedule and recorded",
            CJJ51,
        ),
    ),
)

VALVE_WELL = Builtin(
    code="GW-WELL",
    name="阀井安全检查表 Valve well checklist",
    target=ChecklistTarget.VALVE_WELL,
    description="燃气阀井、阀室及沿线管道 Valve wells and the pipes along them",
    items=(
        Item(
            "VW-01",
            "管道保护",
            "阀井及中压以上管道保护范围内无建（构）筑物占压",
            "No buildings over the well or medium- or higher-pressure pipes within the "
            "protection zone (占压)",
            f"{MAJOR_2023}; {GAS_REGULATION}",
            MAJOR,
        ),
        Item(
            "VW-02",
            "泄漏",
            "井内可燃气体检测无燃气积聚",
            "No gas accumulated in the well (combustible gas measured)",
            CJJ51,
            deadline_days=1,
        ),
        Item(
            "VW-03",
            "阀门",
            "阀门启闭灵活、无锈蚀、无泄漏",
            "Valve operates freely, no corrosion, no leak",
            CJJ51,
        ),
        Item(
            "VW-04",
            "井体",
            "井盖完好、标识清晰，井内无积水杂物",
            "Cover intact and marked; no water or debris inside",
            CJJ51,
        ),
        Item(
            "VW-05",
            "安全标志",
            "管道标志桩、警示牌齐全",
            "Pipe markers and warning signs in place",
            verify(GB55009),
        ),
    ),
)

COMMERCIAL = Builtin(
    code="GW-COMM",
    name="餐饮及商业用户安全检查表 Restaurant & commercial user checklist",
    target=ChecklistTarget.COMMERCIAL,
    description="餐饮等商业用户用气场所检查（发现重大隐患须书面告知用户）"
    " Restaurants and other commercial users (major findings notified in writing)",
    items=(
        Item(
            "CU-01",
            "用气场所",
            "未在地下室、半地下室等地下空间使用液化石油气",
            "No LPG used in basements, semi-basements or other underground spaces",
            MAJOR_2023,
            MAJOR,
        ),
        Item(
            "CU-02",
            "燃气设施",
            "燃气管道及设施未设在休息室（卧室）、卫生间内",
            "No gas pipes or appliances in rest rooms (bedrooms) or toilets",
            MAJOR_2023,
            MAJOR,
        ),
        Item(
            "CU-03",
            "燃气具",
            "未使用国家明令淘汰的燃气具或不合格连接软管",
            "No banned appliances or substandard hoses in use",
            MAJOR_2023,
            MAJOR,
        ),
        Item(
            "CU-04",
            "报警切断",
            "安装可燃气体报警装置并与紧急切断阀联动，工作正常",
            "Gas alarm installed, interlocked with an emergency cut-off valve, working",
            verify(GB55009),
        ),
        Item(
            "CU-05",
            "燃气具",
            "连接软管不超过2米、无老化破损、不穿墙，灶具有熄火保护",
            "Hoses at most 2 m, not aged or damaged, not through walls; flame-failure devices",
            verify(GB50028),
        ),
        Item(
            "CU-06",
            "气瓶",
            "气瓶间独立、通风，存瓶不超量，气瓶直立放置",
            "Separate ventilated cylinder room, within the quantity limit, cylinders upright",
            verify(GB51142),
        ),
        Item(
            "CU-07",
            "安全管理",
            "燃气经营企业入户安全检查记录齐全，隐患已书面告知用户",
            "Supplier's safety check records complete; hazards notified to the user in writing",
            MAJOR_2023_VERIFY,
        ),
    ),
)

HOUSEHOLD = Builtin(
    code="GW-HOME",
    name="居民用户安全检查表 Household checklist",
    target=ChecklistTarget.HOUSEHOLD,
    description="居民用户入户安全检查（发现重大隐患须书面告知用户）"
    " Household safety checks (major findings notified in writing)",
    items=(
        Item(
            "HH-01",
            "用气场所",
            "未在地下室、半地下室使用液化石油气",
            "No LPG used in a basement or semi-basement",
            MAJOR_2023,
            MAJOR,
        ),
        Item(
            "HH-02",
            "燃气设施",
            "燃气引入管、立管未设在卫生间内",
            "No service pipe or riser in a bathroom",
            MAJOR_2023,
            MAJOR,
        ),
        Item(
            "HH-03",
            "燃气设施",
            "燃气管道或燃气具未设在卧室内",
            "No gas pipe or appliance in a bedroom",
            MAJOR_2023,
            MAJOR,
        ),
        Item(
            "HH-04",
            "燃气具",
            "未使用国家明令淘汰的燃气具或不合格连接软管",
            "No banned appliances or substandard hoses in use",
            MAJOR_2023,
            MAJOR,
        ),
        Item(
            "HH-05",
            "燃气具",
            "灶具有熄火保护装置，连接软管无老化、不超期",
            "Hob has flame-failure protection; hose not aged or past its life",
            verify(GB50028),
        ),
        Item(
            "HH-06",
            "报警",
            "安装的家用可燃气体探测器在有效期内且工作正常",
            "Household gas detector (where fitted) in date and working",
            verify(GB15322),
        ),
        Item(
            "HH-07",
            "燃气具",
            "燃气热水器不安装在浴室内，烟道完好、排烟通畅",
            "Water heater not in the bathroom; flue intact and clear",
            verify(GB50028),
        ),
    ),
)

ENTERPRISE = Builtin(
    code="GW-ENT",
    name="燃气企业安全管理检查表 Enterprise safety management checklist",
    target=ChecklistTarget.ENTERPRISE,
    description="燃气经营企业安全管理制度与落实（重大隐患项对应企业规章制度）"
    " The enterprise's safety systems (major items map to its required systems)",
    items=(
        Item(
            "EM-01",
            "经营许可",
            "取得燃气经营许可证并在有效期内，按许可范围经营",
            "Holds a gas operating licence in date and operates within it",
            f"{MAJOR_2023}; {GAS_REGULATION}",
            MAJOR,
            system_kind=SystemKind.OPERATING_LICENCE,
        ),
        Item(
            "EM-02",
            "安全制度",
            "建立安全风险分级管控制度并落实",
            "Graded risk-control system established and applied",
            MAJOR_2023,
            MAJOR,
            system_kind=SystemKind.RISK_CONTROL,
        ),
        Item(
            "EM-03",
            "安全制度",
            "建立隐患排查治理制度并落实，隐患台账完整",
            "Hazard investigation and rectification system established and applied; hazard "
            "ledger complete",
            MAJOR_2023,
            MAJOR,
            system_kind=SystemKind.HAZARD_INVESTIGATION,
        ),
        Item(
            "EM-04",
            "应急管理",
            "制定生产安全事故应急预案并定期演练",
            "Emergency plan drawn up and drilled on schedule",
            MAJOR_2023,
            MAJOR,
            system_kind=SystemKind.EMERGENCY_PLAN,
        ),
        Item(
            "EM-05",
            "用户安全",
            "建立用户燃气设施定期安全检查制度并按周期入户检查",
            "User safety-check system established; users' facilities checked on schedule",
            MAJOR_2023,
            MAJOR,
            system_kind=SystemKind.USER_SAFETY_CHECKS,
        ),
        Item(
            "EM-06",
            "安全制度",
            "建立全员安全生产责任制",
            "Safety responsibility system for all staff established",
            SAFETY_LAW,
            system_kind=SystemKind.SAFETY_RESPONSIBILITY,
        ),
        Item(
            "EM-07",
            "教育培训",
            "建立安全教育培训制度，主要负责人、安全管理人员及运行维护和抢修人员经考核合格",
            "Training system established; managers and O&M/rescue staff assessed and certified",
            f"{SAFETY_LAW}; {verify(GAS_REGULATION)}",
            system_kind=SystemKind.SAFETY_TRAINING,
        ),
        Item(
            "EM-08",
            "操作规程",
            "制定并执行安全操作规程",
            "Safe operating procedures written and followed",
            SAFETY_LAW,
            system_kind=SystemKind.OPERATING_PROCEDURES,
        ),
        Item(
            "EM-09",
            "应急管理",
            "配备抢险抢修队伍、车辆及器材，24小时值班电话畅通",
            "Rescue team, vehicles and equipment in place; 24-hour duty line answered",
            verify(CJJ51),
        ),
    ),
)

BUILTINS: tuple[Builtin, ...] = (
    GATE_STATION,
    LPG_FILLING,
    LPG_SUPPLY,
    LNG_CNG,
    REGULATOR,
    VALVE_WELL,
    COMMERCIAL,
    HOUSEHOLD,
    ENTERPRISE,
)
