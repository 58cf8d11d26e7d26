"""What the cylinder pages show, shaped for the templates: the pages' texts (中文 / English),
the choices of the scanning form, the map's and the charts' data. No queries of their own but
the option lists, each in the caller's scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.i18n import t
from gaswarden.domains.cylinder.models import GasBatch
from gaswarden.domains.cylinder.tracing_schemas import CylinderLife
from gaswarden.domains.site.enums import SiteKind
from gaswarden.domains.site.models import Site
from gaswarden.domains.workforce.models import Person, Vehicle

# Page texts: id -> (中文, English).
TEXTS: dict[str, tuple[str, str]] = {
    "Scan": ("扫码作业", "Scan a cylinder"),
    "Tag code": ("气瓶码", "Tag code"),
    "Look up": ("查询", "Look up"),
    "Step": ("作业环节", "Step"),
    "Station": ("场站", "Station"),
    "Vehicle": ("车辆", "Vehicle"),
    "Worker": ("作业人员", "Worker"),
    "Customer code": ("用户卡号", "Customer code"),
    "Batch": ("气源批次", "Gas batch"),
    "Gross kg": ("充装后称重(kg)", "Gross weight (kg)"),
    "Passed": ("检验合格", "Passed"),
    "Next inspection": ("下次检验日期", "Next inspection"),
    "Send": ("提交作业", "Send the step"),
    "Allowed": ("可以", "Allowed"),
    "Not allowed": ("不可以", "Not allowed"),
    "Unknown code": ("未登记的气瓶码", "Unknown code"),
    "Only staff scan": (
        "仅液化气企业的作业人员可提交扫码作业",
        "Only an LPG enterprise's staff send scans",
    ),
    "Result": ("作业结果", "Result"),
    "Status": ("状态", "Status"),
    "Owner": ("产权单位", "Owner"),
    "Capacity": ("公称容量", "Capacity"),
    "Inspection due": ("下次检验", "Inspection due"),
    "Life ends": ("报废日期", "Life ends"),
    "Last scan": ("最近扫码", "Last scan"),
    "Cylinder": ("气瓶", "Cylinder"),
    "Cylinders": ("气瓶档案", "Cylinders"),
    "Open page": ("查看气瓶档案", "Open the cylinder's page"),
    "Stamp serial": ("钢印号", "Steel stamp serial"),
    "Maker": ("制造单位", "Maker"),
    "Made on": ("制造日期", "Made on"),
    "Tare": ("皮重(kg)", "Tare (kg)"),
    "Design life": ("设计使用年限", "Design life"),
    "years": ("年", "years"),
    "Extended": ("已延寿", "extended"),
    "Last inspected": ("上次检验", "Last inspected"),
    "Where now": ("当前位置", "Where now"),
    "Holds gas": ("瓶内气源", "Gas inside"),
    "Empty": ("空瓶", "Empty"),
    "Revoked": ("码已注销", "Code revoked"),
    "Label": ("打印标签", "Print label"),
    "Edit": ("编辑档案", "Edit"),
    "Timeline": ("全生命周期", "Timeline"),
    "When": ("时间", "When"),
    "Where": ("地点", "Where"),
    "Who": ("人员/车辆", "Who"),
    "Detail": ("详情", "Detail"),
    "Late": ("离线补传", "sent late"),
    "Map": ("流转轨迹", "Where it has been"),
    "Handlers": ("经手人员、车辆与场站", "Who handled it"),
    "Role": ("类别", "Role"),
    "Scans": ("次数", "Scans"),
    "First": ("首次", "First"),
    "Last": ("最近", "Last"),
    "role:worker": ("作业人员", "Worker"),
    "role:vehicle": ("车辆", "Vehicle"),
    "role:site": ("场站", "Site"),
    "role:user": ("扫码账号", "Scanning user"),
    "Nothing": ("无记录", "Nothing recorded"),
    "Customer": ("用户", "Customer"),
    "Customer history": ("用户用气档案", "Customer history"),
    "Kind": ("类型", "Kind"),
    "Phone": ("电话", "Phone"),
    "ID number": ("身份证号", "ID number"),
    "Address": ("地址", "Address"),
    "Area": ("网格", "Area"),
    "Safety": ("安检状态", "Safety check"),
    "Alarm on record": ("报警器/切断阀", "Alarm and shut-off valve"),
    "Masked": ("个人信息已脱敏", "Personal data masked"),
    "Deliveries": ("配送与回收记录", "Deliveries and collections"),
    "Held now": ("在用气瓶", "Cylinders held now"),
    "Checks": ("入户安检记录", "Safety checks"),
    "kg 30 days": ("近30天配送量(kg)", "kg in the last 30 days"),
    "Checker": ("检查人", "Checker"),
    "Hose": ("软管", "Hose"),
    "Valve": ("阀门", "Valve"),
    "Alarm": ("报警器", "Alarm"),
    "Ventilation": ("通风", "Ventilation"),
    "Basement": ("地下室", "Basement"),
    "Yes": ("是", "Yes"),
    "No": ("否", "No"),
    "Recall": ("气源批次追溯召回", "Gas batch recall"),
    "Pick batch": ("选择气源批次", "Pick a gas batch"),
    "Show": ("查询", "Show"),
    "Supplier": ("供应商", "Supplier"),
    "Arrived": ("到货日期", "Arrived on"),
    "Certificate": ("质量证明", "Quality certificate"),
    "Fills": ("充装瓶次", "Fills"),
    "Customers": ("涉及用户", "Customers"),
    "Delivered": ("配送次数", "Deliveries"),
    "Not delivered": ("未配送(应收回)", "Not delivered (pull back)"),
    "Delivered at": ("配送时间", "Delivered"),
    "Filled at": ("充装", "Filled"),
    "Operator": ("充装人员", "Operator"),
    "Vehicles": ("运输车辆", "Vehicles"),
    "Supply stations": ("供应站", "Supply stations"),
    "Delivery workers": ("送气工", "Delivery workers"),
    "By area": ("按网格", "By area"),
    "Still holds": ("瓶内仍为该批气", "Still holds this gas"),
    "Statistics": ("瓶装液化气统计", "Bottled LPG statistics"),
    "Filled per day": ("近30天每日充装瓶数", "Cylinders filled per day (30 days)"),
    "Per station": ("各供应站配送量(近30天)", "Deliveries per supply station (30 days)"),
    "Overdue": ("超期气瓶", "Overdue cylinders"),
    "Inspection overdue": ("超期未检", "Inspection overdue"),
    "Life expired": ("超设计使用年限", "Past service life"),
    "With users": ("在用户处", "With users"),
    "In stock": ("在企业(库存/流转中)", "With the enterprise"),
    "Coverage": ("实名制覆盖率", "Real-name coverage"),
    "Delivery share": ("实名配送占比", "Deliveries to registered customers"),
    "Verified share": ("身份证核验用户占比", "Customers with a verified ID number"),
    "Filled total": ("30天充装", "Filled in 30 days"),
    "Deliveries total": ("30天配送", "Delivered in 30 days"),
    "attempts": ("配送尝试", "attempts"),
    "customers": ("用户", "customers"),
    "Whereabouts": ("气瓶分布与去向", "Where the cylinders are"),
    "By status": ("按状态", "By status"),
    "By station": ("按场站", "By station"),
    "Total": ("合计", "Total"),
    "Overdue with users": (
        "超期/超年限仍在用户处(须收回)",
        "Overdue or expired, still with users (recover them)",
    ),
    "Since": ("送达时间", "With the user since"),
    "Unknown codes": ("现场发现的无主/未登记气瓶码", "Ownerless or unregistered codes seen"),
    "Count": ("次数", "Times"),
    "First seen": ("首次发现", "First seen"),
    "Last seen": ("最近发现", "Last seen"),
    "Open": ("未处理", "Open"),
    "Anomalies": ("流转异常", "Chain anomalies"),
    "All": ("全部", "All"),
    "Reviewed": ("已核查", "Reviewed"),
    "Not reviewed": ("待核查", "Not reviewed"),
    "Filter": ("筛选", "Filter"),
    "Review": ("核查", "Review"),
    "Review note": ("核查情况", "What was found"),
    "Found": ("发现时间", "Found"),
    "Enterprise": ("企业", "Enterprise"),
    "Saved": ("已保存", "Saved"),
    "Prev": ("上一页", "Previous"),
    "Next": ("下一页", "Next"),
    "Page": ("页", "page"),
    "Refused": ("已拒绝", "Refused"),
    "Accepted": ("已受理", "Accepted"),
    "Anomaly": ("受理(有异常)", "Accepted with anomaly"),
}


def text(key: str, lang: str) -> str:
    pair = TEXTS.get(key)
    if pair is None:
        return t(key, lang)
    return pair[0] if lang == "zh" else pair[1]


def _org(principal: Principal) -> int | None:
    return principal.org_id if principal.scope_kind is ScopeKind.ORG else None


def scan_options(session: Session, principal: Principal) -> dict[str, list[tuple[str, str]]]:
    """The enterprise's stations, vehicles, staff and recent batches for the scanning form."""
    org = _org(principal)
    if org is None:
        return {"sites": [], "vehicles": [], "workers": [], "batches": []}
    stations = (SiteKind.LPG_FILLING, SiteKind.LPG_SUPPLY)
    sites = session.execute(
        select(Site.code, Site.name)
        .where(Site.owner_id == org, Site.kind.in_(stations))
        .order_by(Site.kind, Site.name)
    ).all()
    vehicles = session.execute(
        select(Vehicle.plate, Vehicle.kind).where(Vehicle.owner_id == org).order_by(Vehicle.plate)
    ).all()
    workers = session.execute(
        select(Person.id, Person.name, Person.position)
        .where(Person.owner_id == org, Person.active.is_(True))
        .order_by(Person.name)
    ).all()
    batches = session.execute(
        select(GasBatch.code, GasBatch.supplier)
        .where(GasBatch.owner_id == org)
        .order_by(GasBatch.arrived_on.desc(), GasBatch.id.desc())
        .limit(30)
    ).all()
    return {
        "sites": [(code, f"{name} ({code})") for code, name in sites],
        "vehicles": [(plate, f"{plate} · {kind.zh}") for plate, kind in vehicles],
        "workers": [(str(i), f"{name} · {pos.zh}") for i, name, pos in workers],
        "batches": [(code, f"{code} · {supplier}") for code, supplier in batches],
    }


def map_data(life: CylinderLife, areas: list[dict[str, Any]], lang: str, tz: str) -> dict[str, Any]:
    """The path the cylinder took, on a lon/lat plane over the grid polygons (no tiles)."""
    from gaswarden.core.i18n import local_time
    from gaswarden.web.map import COLOURS

    pts = life.places
    return {
        "areas": areas,
        "path": {
            "x": [p.lon for p in pts],
            "y": [p.lat for p in pts],
            "text": [
                "<br>".join(
                    (
                        local_time(p.at, tz),
                        f"{p.kind.label(lang)} · {p.result.label(lang)}",
                        p.label,
                    )
                )
                for p in pts
            ],
            "colours": [COLOURS.get(p.kind.colour, "#555") for p in pts],
            "symbols": ["x" if p.result.value == "refused" else "circle" for p in pts],
        },
        "labels": {"path": text("Map", lang)},
    }
