from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Action, Principal
from gaswarden.core.crud import CrudService
from gaswarden.core.errors import Invalid
from gaswarden.core.filters import Filter, FilterSet, date_range
from gaswarden.core.scope import located
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.asset.models import Asset
from gaswarden.domains.asset.service import inherit_from_site
from gaswarden.domains.asset.service import service as assets
from gaswarden.domains.audit import service as audit
from gaswarden.domains.device.enums import DeviceKind, DeviceStatus
from gaswarden.domains.device.models import Device
from gaswarden.domains.device.schemas import DeviceCreate, DeviceUpdate
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.service import locate
from gaswarden.domains.site.service import service as sites


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class DeviceService(CrudService[Device]):
    model = Device
    create_schema = DeviceCreate
    update_schema = DeviceUpdate
    entity = "device"
    zh, en = "物联设备", "Devices"
    unique = ("serial",)
    filters = FilterSet(
        filters=(
            Filter("kind", Device.kind, choices=DeviceKind, zh="类型", en="Kind"),
            Filter("status", Device.status, choices=DeviceStatus, zh="状态", en="Status"),
            Filter("owner_id", Device.owner_id, type=int, zh="所属企业", en="Enterprise"),
            Filter("area_id", Device.area_id, type=int, zh="网格", en="Grid"),
            Filter("site_id", Device.site_id, type=int, zh="场站", en="Site"),
            Filter("asset_id", Device.asset_id, type=int, zh="设施", en="Asset"),
            *date_range("expiry", Device.expiry_date, "有效期", "Expiry"),
        ),
        search=(Device.serial, Device.model, Device.maker, Device.address),
        sort={
            "serial": Device.serial,
            "kind": Device.kind,
            "status": Device.status,
            "expiry_date": Device.expiry_date,
            "install_date": Device.install_date,
        },
        default_sort=("serial",),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        return located(principal, owner=Device.owner_id, area=Device.area_id, site=Device.site_id)

    def references(self) -> dict[str, CrudService[Any]]:
        return {"owner_id": organizations, "area_id": areas, "site_id": sites, "asset_id": assets}

    def prepare(
        self,
        *,
        session: Session,
        principal: Principal,
        obj: Device,
        data: dict[str, Any],
        creating: bool,
    ) -> None:
        if obj.site_id is None and obj.asset_id is None:
            raise Invalid(
                "a device is bound to a site or an asset",
                errors=[{"loc": ["body", "site_id"], "msg": "give site_id or asset_id"}],
            )
        if obj.asset_id is not None:
            asset = session.get(Asset, obj.asset_id)
            if asset is not None:
                if obj.site_id is None:
                    obj.site_id = asset.site_id
                for field in ("owner_id", "area_id", "lon", "lat", "address"):
                    if getattr(obj, field) is None:
                        setattr(obj, field, getattr(asset, field))
        inherit_from_site(session, obj)
        locate(session, obj, data)
        if obj.install_date and obj.expiry_date and obj.expiry_date < obj.install_date:
            raise Invalid(
                "expiry date is before install date",
                errors=[{"loc": ["body", "expiry_date"], "msg": "before install_date"}],
            )
        if creating and obj.token is None:
            issue_token(obj)

    def rotate_token(
        self, *, session: Session, principal: Principal, id: int
    ) -> tuple[Device, str]:
        """A new secret for the device; the old one stops working at once."""
        principal.require(Action.REGISTRY_WRITE)
        device = self.get(session=session, principal=principal, id=id)
        token = issue_token(device)
        session.flush()
        audit.record(
            session=session,
            principal=principal,
            action="rotate_token",
            entity_type=self.entity,
            entity_id=device.id,
            entity_label=device.serial,
            owner_id=device.owner_id,
            area_id=device.area_id,
        )
        return device, token

    def reveal_token(
        self, *, session: Session, principal: Principal, id: int
    ) -> tuple[Device, str]:
        """The current secret, for configuring the device; every reveal is audited."""
        principal.require(Action.REGISTRY_WRITE)
        device = self.get(session=session, principal=principal, id=id)
        if device.token is None:
            return self.rotate_token(session=session, principal=principal, id=id)
        audit.record(
            session=session,
            principal=principal,
            action="reveal_token",
            entity_type=self.entity,
            entity_id=device.id,
            entity_label=device.serial,
            owner_id=device.owner_id,
            area_id=device.area_id,
        )
        return device, device.token


def issue_token(device: Device) -> str:
    token = secrets.token_urlsafe(24)
    device.token = token
    device.token_digest = token_digest(token)
    return token


def authenticate(*, session: Session, serial: str, token: str) -> Device | None:
    """The device whose serial and token match, or None. For the ingestion edges."""
    device = session.scalar(select(Device).where(Device.serial == serial))
    if device is None or device.token_digest is None:
        return None
    if not secrets.compare_digest(device.token_digest, token_digest(token)):
        return None
    return device


service = DeviceService()
