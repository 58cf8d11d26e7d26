"""A distribution network's hydraulic model and what we learn from it.

`PipeNetwork` keeps the validated pandapipes model (its JSON) so that every solve starts from
the same net; its junctions and pipes are also registry assets (`asset` rows of kind junction
and pipe_segment, with WGS 84 coordinates) linked here by their pandapipes index. Sensors are
devices bound to a junction (pressure) or to a feed (inflow). Hourly metered inflow and the
temperature feed the demand forecast; a detected leak is a `NetworkLeak` with its ranked
candidates and search zone, raised as an alarm on the feed's flow meter.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.db.base import Base, IdMixin, LocatedMixin, TimestampMixin
from gaswarden.db.types import UTCDateTime, enum_type
from gaswarden.domains.network.enums import (
    DetectionMethod,
    JunctionRole,
    LeakStatus,
    SensorQuantity,
    SourceFormat,
)


class PipeNetwork(IdMixin, TimestampMixin, LocatedMixin, Base):
    """One hydraulic model: a district's network fed by one or more feeds.

    Owned by the gas enterprise operating it and lying in an area (scope as for assets);
    lon/lat is its centre. `model_json` is the pandapipes net (pandapipes.to_json), in the
    projected metres of `crs`; `origin` maps those metres onto WGS 84 (see network/geo.py).
    """

    __tablename__ = "pipe_network"

    code: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    source_format: Mapped[SourceFormat] = mapped_column(enum_type(SourceFormat, 16))
    model_json: Mapped[str] = mapped_column(Text)
    crs: Mapped[str | None] = mapped_column(String(32))  # of the model's x/y, e.g. EPSG:31467
    origin: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # placement onto lon/lat
    fluid: Mapped[str] = mapped_column(String(32), default="hgas")
    junctions: Mapped[int] = mapped_column(Integer, default=0)
    pipes: Mapped[int] = mapped_column(Integer, default=0)
    length_km: Mapped[float] = mapped_column(Float, default=0.0)
    feeds: Mapped[int] = mapped_column(Integer, default=0)
    consumers: Mapped[int] = mapped_column(Integer, default=0)
    min_pressure_bar: Mapped[float | None] = mapped_column(Float)  # lowest allowed at a node
    validation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # warnings, figures
    notes: Mapped[str | None] = mapped_column(String(1000))

    def __str__(self) -> str:
        return self.name


class NetworkJunction(Base):
    """A junction of the model, by its pandapipes index; an asset of kind junction."""

    __tablename__ = "network_junction"
    __table_args__ = (UniqueConstraint("network_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("pipe_network.id", ondelete="CASCADE"), index=True
    )
    index: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(64))
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id", ondelete="SET NULL"))
    role: Mapped[JunctionRole] = mapped_column(enum_type(JunctionRole, 16))
    x_m: Mapped[float] = mapped_column(Float)  # model coordinates (crs), metres
    y_m: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    height_m: Mapped[float] = mapped_column(Float, default=0.0)
    pn_bar: Mapped[float] = mapped_column(Float)
    demand_kg_s: Mapped[float] = mapped_column(Float, default=0.0)  # nominal, all its sinks
    customers: Mapped[int] = mapped_column(Integer, default=0)


class NetworkPipe(Base):
    """A pipe of the model, by its pandapipes index; an asset of kind pipe_segment."""

    __tablename__ = "network_pipe"
    __table_args__ = (UniqueConstraint("network_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("pipe_network.id", ondelete="CASCADE"), index=True
    )
    index: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(64))
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id", ondelete="SET NULL"))
    from_junction: Mapped[int] = mapped_column(Integer)  # pandapipes junction indexes
    to_junction: Mapped[int] = mapped_column(Integer)
    length_m: Mapped[float] = mapped_column(Float)
    diameter_mm: Mapped[float] = mapped_column(Float)
    k_mm: Mapped[float] = mapped_column(Float)  # roughness
    material: Mapped[str | None] = mapped_column(String(24))  # PipeMaterial value
    pressure_class: Mapped[str | None] = mapped_column(String(16))  # PressureClass value


class NetworkFeed(Base):
    """A source of the model (pandapipes ext_grid): a gate station or regulator outlet."""

    __tablename__ = "network_feed"
    __table_args__ = (UniqueConstraint("network_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("pipe_network.id", ondelete="CASCADE"), index=True
    )
    index: Mapped[int] = mapped_column(Integer)  # pandapipes ext_grid index
    name: Mapped[str] = mapped_column(String(100))
    junction: Mapped[int] = mapped_column(Integer)
    p_bar: Mapped[float] = mapped_column(Float)  # set pressure, gauge
    capacity_m3h: Mapped[float | None] = mapped_column(Float)  # what the feed can deliver
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id", ondelete="SET NULL"))
    flow_device_id: Mapped[int | None] = mapped_column(
        ForeignKey("device.id", ondelete="SET NULL")
    )  # the inlet flow meter


class NetworkSensor(Base):
    """A device measuring the model: a pressure monitor at a junction, a flow meter at a
    feed."""

    __tablename__ = "network_sensor"
    __table_args__ = (UniqueConstraint("network_id", "device_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("pipe_network.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"))
    quantity: Mapped[SensorQuantity] = mapped_column(enum_type(SensorQuantity, 16))
    junction: Mapped[int] = mapped_column(Integer)
    feed: Mapped[int | None] = mapped_column(Integer)  # flow meters: the ext_grid index


class NetworkValve(Base):
    """A shut-off valve on a pipe of the model (a valve well of the registry), near one end."""

    __tablename__ = "network_valve"
    __table_args__ = (UniqueConstraint("network_id", "pipe", "at_junction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("pipe_network.id", ondelete="CASCADE"), index=True
    )
    pipe: Mapped[int] = mapped_column(Integer)
    at_junction: Mapped[int] = mapped_column(Integer)  # the end of the pipe it sits at
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id", ondelete="SET NULL"))
    name: Mapped[str | None] = mapped_column(String(64))


class DemandHour(Base):
    """One hour of a feed's metered inflow (m³ at standard conditions) and the temperature."""

    __tablename__ = "network_demand_hour"

    network_id: Mapped[int] = mapped_column(
        ForeignKey("pipe_network.id", ondelete="CASCADE"), primary_key=True
    )
    feed: Mapped[int] = mapped_column(Integer, primary_key=True)  # ext_grid index
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)  # start, UTC
    volume_m3: Mapped[float | None] = mapped_column(Float)  # null: not metered (yet)
    temperature_c: Mapped[float | None] = mapped_column(Float)  # observed, else forecast


OPEN_LEAK = "status IN ('suspected', 'confirmed')"


class NetworkLeak(IdMixin, TimestampMixin, Base):
    """A leak the network detected and localised, with what the dispatcher needs to act."""

    __tablename__ = "network_leak"
    # One open (suspected or confirmed) leak per network, whatever two watchers do at once.
    __table_args__ = (
        Index(
            "ux_network_leak_open",
            "network_id",
            unique=True,
            postgresql_where=text(OPEN_LEAK),
            sqlite_where=text(OPEN_LEAK),
        ),
    )

    network_id: Mapped[int] = mapped_column(
        ForeignKey("pipe_network.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[LeakStatus] = mapped_column(
        enum_type(LeakStatus, 16), default=LeakStatus.SUSPECTED, index=True
    )
    method: Mapped[DetectionMethod] = mapped_column(enum_type(DetectionMethod, 16))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    leak_kg_s: Mapped[float | None] = mapped_column(Float)  # estimated size
    leak_share: Mapped[float | None] = mapped_column(Float)  # of the demand at the time
    # Ranked candidates: [{"junction", "score", "lon", "lat", "leak_kg_s"}], best first.
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The search zone: {"pipes": [index...], "length_m", "radius_m", "polygon"?: GeoJSON}.
    zone: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Shut-off segments involved: [{"valves": [...], "pipes": [...], "customers": n}].
    segments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    residuals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # sensor -> Pa
    excluded_sensors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    alarm_id: Mapped[int | None] = mapped_column(ForeignKey("alarm.id", ondelete="SET NULL"))
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)  # injected by the sim
    true_junction: Mapped[int | None] = mapped_column(Integer)  # known only when simulated
    note: Mapped[str | None] = mapped_column(String(1000))

    network: Mapped[PipeNetwork] = relationship(lazy="joined", innerjoin=True)
