"""The generic REST tests for staff, certificates, teams, vehicles and user accounts."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.enums import Role
from gaswarden.domains.account.models import User
from gaswarden.domains.account.service import hash_password, users
from gaswarden.domains.workforce.service import certificates, people, teams, vehicles
from tests.api.mixins import ResourceTests
from tests.factories import ID_NUMBER, World

BAD_ID_NUMBER = ID_NUMBER[:-1] + "5"  # the check digit of ID_NUMBER is 4
SHARED_HASH = hash_password("long-enough-pw")


class TestPeople(ResourceTests):
    path, entity, service = "people", "person", people
    masked = frozenset({"id_number", "phone"})
    sort_field = "position"
    filter_cases = [
        ({"position": "safety_manager"}, {"person_a"}),
        ({"owner_id": "@ent_b"}, {"person_b"}),
        ({"team_id": "@team_a"}, {"person_a"}),
        ({"active": "true"}, {"person_a", "person_b"}),
        ({"active": "false"}, 0),
    ]
    q_cases = [("王安全", {"person_a"}), ("赵", {"person_b"})]
    invalid_field = "id_number"
    list_queries = 5

    def payload(self, w: World, n: int) -> dict[str, Any]:
        return {
            "name": f"测试运维员{n}",
            "owner_id": w.ids["ent_a"],
            "position": "operator",
            "id_number": ID_NUMBER,
            "phone": "13812345678",
            "team_id": w.ids["team_a"],
        }

    def update_payload(self, w: World) -> dict[str, Any]:
        return {"position": "rescue", "phone": "13900001234"}

    def invalid_payload(self, w: World) -> dict[str, Any]:
        return {**self.payload(w, 0), "id_number": BAD_ID_NUMBER}


class TestCertificates(ResourceTests):
    path, entity, service = "certificates", "certificate", certificates
    sort_field = "expires_on"
    filter_cases = [
        ({"person_id": "@person_b"}, {"cert_b"}),
        ({"kind": "gas_safety"}, {"cert_a"}),
        ({"expires_from": "2027-01-01"}, {"cert_b"}),
        ({"expires_to": "2026-12-31"}, {"cert_a"}),
        ({"kind": "cylinder_filling"}, 0),
    ]
    q_cases = [("WH-2022", {"cert_b"}), ("aq-", {"cert_a"})]
    invalid_field = "expires_on"
    list_queries = 4

    def payload(self, w: World, n: int) -> dict[str, Any]:
        return {
            "person_id": w.ids["person_a"],
            "kind": "gas_operator",
            "number": f"YW-2024-{n:04d}",
            "issued_on": "2024-01-01",
            "expires_on": "2027-12-31",
        }

    def update_payload(self, w: World) -> dict[str, Any]:
        return {"number": "YW-2024-RENEWED", "expires_on": "2030-12-31"}

    def invalid_payload(self, w: World) -> dict[str, Any]:
        # A business rule (checked by the service, not the schema): expiry before issue.
        return {**self.payload(w, 0), "expires_on": "2023-12-31"}


class TestTeams(ResourceTests):
    path, entity, service = "teams", "team", teams
    masked = frozenset({"duty_phone"})
    sort_field = "kind"
    filter_cases = [
        ({"kind": "rescue"}, {"team_a"}),
        ({"owner_id": "@ent_b"}, {"team_b"}),
        ({"kind": ["rescue", "delivery"]}, {"team_a", "team_b"}),
        ({"kind": "patrol"}, 0),
    ]
    q_cases = [("配送", {"team_b"}), ("张强", {"team_a"})]
    invalid_field = "equipment_sets"
    list_queries = 5

    def payload(self, w: World, n: int) -> dict[str, Any]:
        return {
            "name": f"东昌燃气巡线{n}队",
            "kind": "patrol",
            "owner_id": w.ids["ent_a"],
            "base_site_id": w.ids["box"],
            "leader_name": "周队长",
            "duty_phone": "13711112222",
            "equipment_sets": 5,
        }

    def update_payload(self, w: World) -> dict[str, Any]:
        return {"equipment_sets": 20, "leader_name": "吴队长"}

    def invalid_payload(self, w: World) -> dict[str, Any]:
        return {**self.payload(w, 0), "equipment_sets": -1}


class TestVehicles(ResourceTests):
    path, entity, service = "vehicles", "vehicle", vehicles
    sort_field = "plate"
    filter_cases = [
        ({"kind": "rescue"}, {"veh_a"}),
        ({"owner_id": "@ent_b"}, {"veh_b"}),
        ({"team_id": "@team_a"}, {"veh_a"}),
        ({"licence_expiry_from": "2027-01-01"}, {"veh_b"}),
        ({"status": "retired"}, 0),
    ]
    q_cases = [("鲁PA", {"veh_b"}), ("聊字", {"veh_b"})]
    invalid_field = "plate"
    list_queries = 4

    def payload(self, w: World, n: int) -> dict[str, Any]:
        return {
            "plate": f"鲁PT{n:04d}",
            "kind": "patrol",
            "owner_id": w.ids["ent_a"],
            "team_id": w.ids["team_a"],
            "licence_no": "鲁交运管聊字100",
            "licence_expiry": "2026-01-31",
        }

    def update_payload(self, w: World) -> dict[str, Any]:
        return {"status": "repair", "licence_expiry": "2027-01-31"}

    def invalid_payload(self, w: World) -> dict[str, Any]:
        return {**self.payload(w, 0), "plate": "ABC123"}


class TestUsers(ResourceTests):
    path, entity, service = "users", "user", users
    non_writer = "reg_staff"
    masked = frozenset({"phone"})
    virtual = frozenset({"password"})
    sort_field = "username"
    filter_cases = [
        ({"role": "enterprise_admin"}, {"user_ent_a_admin", "user_ent_b_admin"}),
        ({"org_id": "@ent_a"}, {"user_ent_a_admin", "user_ent_a_staff"}),
        ({"org_id": "@agency"}, {"user_inspector"}),
        ({"active": "true"}, 9),
        ({"active": "false"}, 0),
    ]
    q_cases = [("ent_a", {"user_ent_a_admin", "user_ent_a_staff"}), ("GRID", {"user_grid_sup"})]
    invalid_field = "password"
    list_queries = 5

    def payload(self, w: World, n: int) -> dict[str, Any]:
        return {
            "username": f"test_user{n}",
            "display_name": f"测试用户{n}",
            "password": "long-enough-pw",
            "role": "enterprise_staff",
            "org_id": w.ids["ent_a"],
            "phone": "13812345678",
            "email": f"user{n}@example.com",
        }

    def make(self, session: Session, w: World, n: int) -> None:
        # Straight into the table with one shared hash: 22 argon2 hashes would take seconds.
        data = {k: v for k, v in self.payload(w, n).items() if k != "password"}
        data["role"] = Role(data["role"])
        session.add(User(**data, password_hash=SHARED_HASH))

    def update_payload(self, w: World) -> dict[str, Any]:
        return {"display_name": "改过的名字", "lang": "en"}

    def invalid_payload(self, w: World) -> dict[str, Any]:
        return {**self.payload(w, 0), "password": "short"}
