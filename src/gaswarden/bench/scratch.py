"""A scratch PostgreSQL database for a benchmark, with a small registry loaded through the
services; dropped afterwards."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gaswarden.core.auth import SYSTEM
from gaswarden.db import migrate
from gaswarden.db.session import make_engine, make_session_factory, unit_of_work
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.service import service as sites
from gaswarden.settings import Settings

SECRET = "gaswarden-bench-secret"


@contextmanager
def scratch_database(server_url: str, data_dir: Path, *, keep: bool = False) -> Iterator[Settings]:
    """Create `gaswarden_bench_<random>` on the server of `server_url`, migrate it, yield its
    Settings, drop it (unless `keep`)."""
    url = make_url(server_url)
    if not url.drivername.startswith("postgresql"):
        raise RuntimeError("the ingest benchmark needs PostgreSQL (--database-url postgresql://…)")
    name = f"gaswarden_bench_{secrets.token_hex(4)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        settings = Settings(
            data_dir=data_dir,
            database_url=url.set(database=name).render_as_string(hide_password=False),
            secret_key=SECRET,
        )
        migrate.upgrade(settings)
        yield settings
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _square(lon: float, lat: float, size: float) -> dict[str, object]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size]]
    return {"type": "Polygon", "coordinates": [[*ring, [lon, lat]]]}


def load_registry(settings: Settings, count: int) -> list[str]:
    """`count` pressure monitors of one enterprise at one site, created through the services
    (schema, scope and audit apply); returns their serials."""
    engine = make_engine(settings)
    try:
        with unit_of_work(make_session_factory(engine)) as session:

            def make(service: object, **data: object) -> object:
                return service.create(session=session, principal=SYSTEM, data=data)  # type: ignore[attr-defined]

            district = make(
                areas,
                code="371502",
                name="东昌府区",
                level="district",
                boundary=_square(115.9, 36.4, 0.2),
            )
            org = make(
                organizations,
                name="压测燃气有限公司",
                kind="pipeline",
                area_id=district.id,  # type: ignore[attr-defined]
            )
            site = make(
                sites,
                code="S-BENCH",
                name="压测门站",
                kind="gate_station",
                owner_id=org.id,  # type: ignore[attr-defined]
                lon=115.95,
                lat=36.45,
            )
            serials = [f"BENCH-{i:05d}" for i in range(count)]
            for serial in serials:
                make(devices, serial=serial, kind="pressure_monitor", site_id=site.id)  # type: ignore[attr-defined]
        return serials
    finally:
        engine.dispose()
