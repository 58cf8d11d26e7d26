"""Building service requests and villages for the service tests, through the services."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM, Principal
from gaswarden.domains.service import requests
from gaswarden.domains.service.enums import RequestChannel, RequestKind
from gaswarden.domains.service.models import CoverageYear, ServiceRequest, Village

PHONE = "13987654321"
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
IN_G11: dict[str, Any] = {
    "lon": 115.915,
    "lat": 36.415,
}  # grid g11 of town t1, near ent_a's gate station
IN_G21: dict[str, Any] = {
    "lon": 116.011,
    "lat": 36.412,
}  # grid g21 of town t2, near ent_b's filling station


def receive(
    session: Session,
    principal: Principal = SYSTEM,
    kind: RequestKind = RequestKind.REPAIR,
    channel: RequestChannel = RequestChannel.HOTLINE,
    **kw: Any,
) -> ServiceRequest:
    data: dict[str, Any] = {
        "contact_name": "刘女士",
        "contact_phone": PHONE,
        "description": "灶具打不着火",
        "address": "古楼街道某小区3号楼",
        **IN_G11,
        **kw,
    }
    return requests.receive(
        session=session, principal=principal, channel=channel, kind=kind, **data
    )


def village(
    session: Session,
    area_id: int,
    name: str,
    households: int,
    years: dict[int, tuple[int, int]],
    *,
    piped_since: int | None = None,
    heated_since: int | None = None,
) -> Village:
    """A village with its year rows: {year: (households piped, households clean heating)}."""
    last = years[max(years)] if years else (0, 0)
    v = Village(
        area_id=area_id,
        name=name,
        households=households,
        pipe_gas_since=piped_since,
        households_piped=last[0],
        clean_heating_since=heated_since,
        households_clean_heating=last[1],
    )
    session.add(v)
    session.flush()
    for year, (piped, heated) in years.items():
        session.add(
            CoverageYear(
                village_id=v.id,
                year=year,
                piped=piped > 0,
                households_piped=piped,
                clean_heating=heated > 0,
                households_clean_heating=heated,
            )
        )
    session.flush()
    return v
