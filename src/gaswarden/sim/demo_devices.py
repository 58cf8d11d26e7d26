"""The IoT devices of the article: pressure monitors on the 400 regulators, leak and intrusion
detectors in the 600 valve wells, 500 household alarms, laser methane detectors, flow meters
and cameras at the stations."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from gaswarden.domains.asset.models import Asset
from gaswarden.domains.device.enums import DeviceKind
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.site.enums import SiteKind
from gaswarden.sim.context import Demo

N_HOUSEHOLD_ALARMS = 500
# Devices installed early in the pilot (due for replacement this year) and the few of them
# already past their service life: each of those raises an expiry alarm (yellow) at start, so
# a handful, not dozens.
PILOT_SHARE = 0.02
EXPIRED_SHARE = 0.004
ALARMS_PER_RESTAURANT = 2

# kind: (serial prefix, model, maker, reporting interval s, service life years)
CATALOGUE: dict[DeviceKind, tuple[str, str, str, int, int]] = {
    DeviceKind.PRESSURE_MONITOR: ("PM", "ZG-YL200", "聊城智感物联科技有限公司", 300, 8),
    DeviceKind.WELL_METHANE: ("WM", "HC-JW100", "济南华测燃气仪表有限公司", 600, 5),
    DeviceKind.WELL_INTRUSION: ("WI", "HC-RQ20", "济南华测燃气仪表有限公司", 3600, 6),
    # Household alarms: 5-year service life (GB 15322.2 / CJ/T 347 practice).
    DeviceKind.HOUSEHOLD_ALARM: ("HA", "AJB-NB301", "青岛安居宝电子有限公司", 3600, 5),
    DeviceKind.LASER_METHANE: ("LM", "GP-LD500", "北京光谱云测科技有限公司", 60, 8),
    DeviceKind.FLOW_METER: ("FM", "HL-TBQM150", "苏州衡流计量仪表有限公司", 300, 10),
    DeviceKind.CAMERA: ("CAM", "SA-IPC8243", "杭州视安科技有限公司", 60, 8),
}
CAMERAS = {
    SiteKind.GATE_STATION: 4,
    SiteKind.LPG_FILLING: 4,
    SiteKind.LPG_SUPPLY: 2,
    SiteKind.LNG_STATION: 3,
    SiteKind.CNG_STATION: 2,
}
LASERS = {SiteKind.GATE_STATION: 1, SiteKind.LPG_FILLING: 2, SiteKind.LNG_STATION: 1}


def _device(demo: Demo, kind: DeviceKind, **at: Any) -> None:
    """One device; a few are faulty or in maintenance and a few are past their service life."""
    rng = demo.rng
    prefix, model, maker, interval, life = CATALOGUE[kind]
    demo.counts["serial:" + prefix] += 1
    serial = f"{prefix}-{demo.counts['serial:' + prefix]:05d}"
    roll = rng.random()
    status = "fault" if roll < 0.015 else "maintenance" if roll < 0.025 else "active"
    early = rng.random()
    if early < PILOT_SHARE:  # installed early in the pilot: due for replacement
        overdue = rng.randint(10, 200)
        if early < EXPIRED_SHARE:  # past its service life and still in service
            installed = demo.today - timedelta(days=365 * life + overdue)
        else:  # to be replaced within the year (no expiry warning yet)
            installed = demo.today - timedelta(days=365 * life - 60 - overdue)
    else:
        installed = demo.today - timedelta(days=rng.randint(60, 3 * 365))
    expiry = date(installed.year + life, installed.month, min(installed.day, 28))
    demo.make(
        devices,
        serial=serial,
        kind=kind,
        status=status,
        model=model,
        maker=maker,
        install_date=installed,
        expiry_date=expiry,
        report_interval_s=interval,
        notes="通讯故障,待厂家检修" if status == "fault" else None,
        **at,
    )


def load_devices(demo: Demo, regulators: list[Asset], wells: list[Asset]) -> None:
    for regulator in regulators:
        _device(demo, DeviceKind.PRESSURE_MONITOR, asset_id=regulator.id)
    for well in wells:
        _device(demo, DeviceKind.WELL_METHANE, asset_id=well.id)
        _device(demo, DeviceKind.WELL_INTRUSION, asset_id=well.id)
    _household_alarms(demo)
    for site in demo.sites:
        for _ in range(LASERS.get(site.kind, 0)):
            _device(demo, DeviceKind.LASER_METHANE, site_id=site.id)
        if site.kind is SiteKind.GATE_STATION:
            for _ in range(2):
                _device(demo, DeviceKind.FLOW_METER, site_id=site.id)
        for k in range(CAMERAS.get(site.kind, 0)):
            _device(
                demo,
                DeviceKind.CAMERA,
                site_id=site.id,
                address=f"{site.name} {('大门', '储罐区', '充装区', '卸车区')[k % 4]}",
            )


def _household_alarms(demo: Demo) -> None:
    """Two alarms in each restaurant kitchen; the rest spread over the communities' flats."""
    rng = demo.rng
    restaurants = demo.sites_of("restaurant")
    communities = demo.sites_of("residential")
    for site in restaurants:
        for _ in range(ALARMS_PER_RESTAURANT):
            _device(demo, DeviceKind.HOUSEHOLD_ALARM, site_id=site.id, address=f"{site.name}后厨")
    left = N_HOUSEHOLD_ALARMS - ALARMS_PER_RESTAURANT * len(restaurants)
    per = [left // len(communities)] * len(communities)
    for i in rng.sample(range(len(communities)), left - sum(per)):
        per[i] += 1
    for site, count in zip(communities, per, strict=True):
        flats: set[str] = set()
        while len(flats) < count:
            flats.add(
                f"{rng.randint(1, 18)}号楼{rng.randint(1, 3)}单元"
                f"{rng.randint(1, 18)}{rng.randint(1, 2):02d}室"
            )
        for flat in sorted(flats):
            _device(demo, DeviceKind.HOUSEHOLD_ALARM, site_id=site.id, address=site.name + flat)
