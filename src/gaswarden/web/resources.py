"""The registry resources that get the generic list / detail / edit / new / delete pages.

A resource names its service and schemas (which already carry the filters, scope, references
and validation) and says only what the pages need on top: the list's columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from gaswarden.core.crud import CrudService
from gaswarden.domains.account.schemas import UserCreate, UserRead, UserUpdate
from gaswarden.domains.account.service import users
from gaswarden.domains.area.schemas import AreaCreate, AreaRead, AreaUpdate
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.asset.schemas import AssetCreate, AssetRead, AssetUpdate
from gaswarden.domains.asset.service import service as assets
from gaswarden.domains.customer import schemas as cu
from gaswarden.domains.customer.service import customers, safety_checks
from gaswarden.domains.cylinder import schemas as cy
from gaswarden.domains.cylinder.service import cylinders, gas_batches
from gaswarden.domains.device.schemas import DeviceCreate, DeviceRead, DeviceUpdate
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.notification.schemas import (
    SubscriptionCreate,
    SubscriptionRead,
    SubscriptionUpdate,
)
from gaswarden.domains.notification.service import subscriptions
from gaswarden.domains.organization.schemas import (
    OrganizationCreate,
    OrganizationRead,
    OrganizationUpdate,
)
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.schemas import (
    SiteAssignmentCreate,
    SiteAssignmentRead,
    SiteAssignmentUpdate,
    SiteCreate,
    SiteRead,
    SiteUpdate,
)
from gaswarden.domains.site.service import assignment_service
from gaswarden.domains.site.service import service as sites
from gaswarden.domains.workforce import schemas as wf
from gaswarden.domains.workforce.service import certificates, people, teams, vehicles


@dataclass(frozen=True)
class Resource:
    path: str  # URL segment, the same as the API's: /sites and /api/v1/sites
    title: str  # English message id, translated by t()
    service: CrudService[Any]
    read: type[BaseModel]
    create: type[BaseModel] | None
    update: type[BaseModel] | None
    columns: tuple[str, ...]  # read-schema fields; x_id columns show x_name when there is one
    deletable: bool = True
    exportable: bool = True  # has /api/v1/<path>/export (transfer.resources)
    links: tuple[tuple[str, str], ...] = ()  # (href, message id): related pages on the list


RESOURCES: tuple[Resource, ...] = (
    Resource(
        "sites", "Sites", sites, SiteRead, SiteCreate, SiteUpdate,
        ("code", "name", "kind", "status", "owner_id", "area_id", "licence_expiry"),
    ),
    Resource(
        "site-assignments", "Agency assignments", assignment_service, SiteAssignmentRead,
        SiteAssignmentCreate, SiteAssignmentUpdate, ("agency_id", "site_id", "valid_until"),
    ),
    Resource(
        "assets", "Assets", assets, AssetRead, AssetCreate, AssetUpdate,
        ("code", "name", "kind", "status", "pressure_class", "site_id", "area_id"),
    ),
    Resource(
        "devices", "Devices", devices, DeviceRead, DeviceCreate, DeviceUpdate,
        ("serial", "kind", "status", "model", "site_id", "area_id", "expiry_date"),
    ),
    Resource(
        "organizations", "Organisations", organizations, OrganizationRead,
        OrganizationCreate, OrganizationUpdate,
        ("name", "kind", "area_id", "contact_name", "contact_phone", "licence_expiry", "active"),
    ),
    Resource(
        "areas", "Areas", areas, AreaRead, AreaCreate, AreaUpdate,
        ("code", "name", "level", "parent_id", "supervisor_name", "supervisor_phone"),
    ),
    Resource(
        "people", "Staff", people, wf.PersonRead, wf.PersonCreate, wf.PersonUpdate,
        ("name", "position", "owner_id", "team_id", "phone", "id_number", "active"),
    ),
    Resource(
        "certificates", "Certificates", certificates, wf.CertificateRead,
        wf.CertificateCreate, wf.CertificateUpdate,
        ("number", "kind", "person_id", "issued_on", "expires_on"),
    ),
    Resource(
        "teams", "Teams", teams, wf.TeamRead, wf.TeamCreate, wf.TeamUpdate,
        ("name", "kind", "owner_id", "leader_name", "duty_phone", "equipment_sets"),
    ),
    Resource(
        "vehicles", "Vehicles", vehicles, wf.VehicleRead, wf.VehicleCreate, wf.VehicleUpdate,
        ("plate", "kind", "status", "owner_id", "team_id", "licence_expiry"),
    ),
    Resource(
        "users", "Users", users, UserRead, UserCreate, UserUpdate,
        ("username", "display_name", "role", "org_id", "active", "last_login_at"),
    ),
    Resource(
        "notification-subscriptions", "Notification subscriptions", subscriptions,
        SubscriptionRead, SubscriptionCreate, SubscriptionUpdate,
        ("name", "channel", "target", "audience", "owner_id", "area_id", "min_grade", "active"),
        exportable=False, links=(("/notifications", "Deliveries"),),
    ),
    Resource(
        "cylinders", "Cylinders", cylinders, cy.CylinderRead, cy.CylinderCreate,
        cy.CylinderUpdate,
        ("tag_code", "capacity_kg", "status", "owner_id", "next_inspection_on", "life_ends_on"),
        deletable=False, exportable=False, links=(("/gas-batches", "Gas batches"),),
    ),
    Resource(
        "gas-batches", "Gas batches", gas_batches, cy.GasBatchRead, cy.GasBatchCreate,
        cy.GasBatchUpdate,
        ("code", "supplier", "quantity_t", "owner_id", "site_id", "arrived_on", "certificate_no"),
        exportable=False,
    ),
    Resource(
        "customers", "LPG customers", customers, cu.CustomerRead, cu.CustomerCreate,
        cu.CustomerUpdate,
        ("code", "name", "kind", "safety_status", "owner_id", "area_id", "last_checked_on"),
        exportable=False, links=(("/customer-safety-checks", "Safety checks"),),
    ),
    Resource(
        "customer-safety-checks", "Safety checks", safety_checks, cu.SafetyCheckRead,
        cu.SafetyCheckCreate, None,
        ("customer_id", "checked_at", "checker_name", "passed", "basement", "alarm_ok"),
        deletable=False, exportable=False,
    ),
)  # fmt: skip

BY_ENTITY: dict[str, Resource] = {r.service.entity: r for r in RESOURCES}


def path_of(service: CrudService[Any]) -> str | None:
    """The web path of the pages showing a service's records, if there are pages for it."""
    for resource in RESOURCES:
        if resource.service is service:
            return resource.path
    return None
