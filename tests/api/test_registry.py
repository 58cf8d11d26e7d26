"""The generic REST tests for the registry: areas, organisations, sites, agency assignments,
assets and devices."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.asset.service import service as assets
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.service import assignment_service
from gaswarden.domains.site.service import service as sites
from tests.api.mixins import ResourceTests
from tests.factories import World, square


class TestAreas(ResourceTests):
    path, entity, service = "areas", "area", areas
    non_writer = "reg_staff"  # may write the registry, but not areas
    masked = frozenset({"supervisor_phone"})
    sort_field = "code"
    filter_cases = [
        ({"level": "grid"}, {"g11", "g12", "g21"}),
        ({"level": ["district", "town"]}, {"district", "t1", "t2"}),
        ({"parent_id": "@t1"}, {"g11", "g12"}),
        ({"parent_id": "@g21"}, 0),
    ]
    q_cases = [("古楼", {"t1", "g11", "g12"}), ("371502002", {"t2", "g21"})]
    invalid_field = "level"
    list_queries = 4

    def payload(self, w: World, n: int) -> dict[str, Any]:
        return {
            "code": f"371502002-{50 + n:02d}",
            "name": f"柳园测试网格{n}",
            "level": "grid",
            "parent_id": w.ids["t2"],
            "boundary": square(116.05, 36.40, 0.01),
            "supervisor_name": "孙网格",
            "supervisor_phone": "13712345678",
        }

    def update_payload(self, w: World) -> dict[str, Any]:
        return {"name": "柳园三网格", "notes": "2024年调整"}

    def invalid_payload(self, w: World) -> dict[str, Any]:
        return {**self.payload(w, 0), "level": "galaxy"}


class TestOrganizations(ResourceTests):
    path, entity, service = "organizations", "organization", organizations
    non_writer = "reg_staff"
    masked = frozenset({"contact_phone"})
    sort_field = "kind"
    filter_cases = [
        ({"kind": "pipeline"}, {"ent_a"}),
        ({"kind": ["lpg", "agency"]}, {"ent_b", "agency"}),
        ({"area_id": "@district"}, {"reg", "ent_a", "ent_b", "agency"}),
        ({"active": "false"}, 0),
    ]
    q_cases = [("鲁通", {"ent_b"}), ("91371502MA3C000001", {"ent_a"})]
    invalid_field = "credit_code"
    list_queries = 4

    def payload(self, w: World, n: int) -> dict[str, Any]:
        return {
            "name": f"聊城测试清洁能源有限公司{n}",
            "kind": "lng_cng",
            "area_id": w.ids["district"],
            "credit_code": f"91371502MA3D{n:06d}",
            "contact_name": "陈经理",
            "contact_phone": "13655556666",
            "licence_no": "鲁燃经字2023001",
            "licence_expiry": "2027-12-31",
        }

    def update_payload(self, w: World) -> dict[str, Any]:
        return {"short_name": "测试能源", "licence_no": "鲁燃经字2024009"}

    def invalid_payload(self, w: World) -> dict[str, Any]:
        return {**self.payload(w, 0), "credit_code": "not-a-code"}


class TestSites(ResourceTests):
    path, entity, service = "sites", "site", sites
    masked = frozenset({"contact_phone"})
    sort_field = "code"
    filter_cases = [
        ({"kind": "gate_station"}, {"gate"}),
        ({"kind": ["lpg_filling", "lpg_supply"]}, {"filling", "supply"}),
        ({"owner_id": "@ent_b"}, {"filling", "supply"}),
        ({"area_id": "@g11"}, {"gate", "supply"}),
        ({"status": "operating"}, {"gate", "box", "filling", "supply"}),
        ({"status": "closed"}, 0),
        ({"licence_expiry_from": "2000-01-01"}, 0),
    ]
    q_cases = [("鲁通", {"filling", "supply"}), ("s-a-", {"gate", "box"})]
    invalid_field = "lat"
    list_queries = 4

    def payload(self, w: World, n: int) -> dict[str, Any]:
        return {
            "code": f"S-T-{n:03d}",
            "name": f"柳园测试供应站{n}",
            "kind": "lpg_supply",
            "owner_id": w.ids["ent_b"],
            "lon": 116.02,
            "lat": 36.42,
            "address": "柳园路1号",
            "licence_no": "鲁燃经字2023015",
            "licence_expiry": "2026-06-30",
            "contact_name": "刘站长",
            "contact_phone": "13812345678",
        }

    def update_payload(self, w: World) -> dict[str, Any]:
        return {"name": "柳园测试供应站(整改)", "status": "suspended"}

    def invalid_payload(self, w: World) -> dict[str, Any]:
        return {**self.payload(w, 0), "lat": 95.0}


class TestSiteAssignments(ResourceTests):
    path, entity, service = "site-assignments", "site_assignment", assignment_service
    non_writer = "reg_staff"
    filter_cases = [
        ({"agency_id": "@agency"}, {"assign_gate"}),
        ({"site_id": "@gate"}, {"assign_gate"}),
        ({"site_id": "@box"}, 0),
    ]
    invalid_field = "agency_id"
    list_queries = 4

    def payload(self, w: World, n: int) -> dict[str, Any]:
        return {"agency_id": w.ids["agency"], "site_id": w.ids["box"], "valid_until": "2030-12-31"}

    def make(self, session: Session, w: World, n: int) -> None:
        # One assignment per site: each needs a site of its own.
        site = sites.create(
            session=session,
            principal=SYSTEM,
            data={
                "code": f"S-Q-{n:03d}",
                "name": f"查询站{n}",
                "kind": "valve_well",
                "owner_id": w.ids["ent_a"],
                "lon": 115.93,
                "lat": 36.43,
            },
        )
        data = {"agency_id": w.ids["agency"], "site_id": site.id}
        assignment_service.create(session=session, principal=SYSTEM, data=data)

    def update_payload(self, w: World) -> dict[str, Any]:
        return {"valid_until": "2031-01-31"}

    def invalid_payload(self, w: World) -> dict[str, Any]:
        return {**self.payload(w, 0), "agency_id": "the agency"}


class TestAssets(ResourceTests):
    path, entity, service = "assets", "asset", assets
    sort_field = "code"
    filter_cases = [
        ({"kind": "regulator"}, {"asset_reg"}),
        ({"owner_id": "@ent_b"}, {"asset_well"}),
        ({"site_id": "@box"}, {"asset_reg"}),
        ({"pressure_class": "medium_a"}, {"asset_reg"}),
        ({"area_id": "@g21"}, {"asset_well"}),
        ({"material": "cast_iron"}, 0),
    ]
    q_cases = [("阀井", {"asset_well"}), ("A-A-", {"asset_reg"})]
    invalid_field = "diameter_mm"
    list_queries = 4

    def payload(self, w: World, n: int) -> dict[str, Any]:
        line = [[115.910, 36.410], [115.915, 36.412], [115.920, 36.412]]
        return {
            "code": f"A-T-{n:03d}",
            "name": f"古楼路中压管段{n}",
            "kind": "pipe_segment",
            "owner_id": w.ids["ent_a"],
            "material": "pe",
            "diameter_mm": 110.0,
            "design_pressure_mpa": 0.3,
            "geometry": {"type": "LineString", "coordinates": line},
            "install_date": "2020-05-01",
        }

    def update_payload(self, w: World) -> dict[str, Any]:
        return {"status": "under_repair", "depth_m": 1.5}

    def invalid_payload(self, w: World) -> dict[str, Any]:
        return {**self.payload(w, 0), "diameter_mm": -110}


class TestDevices(ResourceTests):
    path, entity, service = "devices", "device", devices
    sort_field = "serial"
    filter_cases = [
        ({"kind": "pressure_monitor"}, {"dev_gate", "dev_box", "dev_fill", "dev_sup"}),
        ({"kind": "camera"}, 0),
        ({"site_id": "@gate"}, {"dev_gate"}),
        ({"owner_id": "@ent_a"}, {"dev_gate", "dev_box"}),
        ({"area_id": "@g11"}, {"dev_gate", "dev_sup"}),
        ({"status": ["fault", "maintenance"]}, 0),
    ]
    q_cases = [("SN-S-B", {"dev_fill", "dev_sup"}), ("gate", {"dev_gate"})]
    invalid_field = "serial"
    list_queries = 5

    def payload(self, w: World, n: int) -> dict[str, Any]:
        return {
            "serial": f"SN-T-{n:04d}",
            "kind": "well_methane",
            "site_id": w.ids["filling"],
            "model": "GW-100",
            "maker": "汉威科技",
            "install_date": "2024-01-01",
            "expiry_date": "2029-01-01",
            "report_interval_s": 60,
        }

    def update_payload(self, w: World) -> dict[str, Any]:
        return {"status": "maintenance", "notes": "更换电池"}

    def invalid_payload(self, w: World) -> dict[str, Any]:
        return {**self.payload(w, 0), "serial": "x"}
