"""The one Settings object. Nothing here touches the disk or network at import time."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from gaswarden.core.localtime import DEFAULT_TZ

DEFAULT_DATA_DIR = Path("gaswarden-data")
INSECURE_DEV_KEY = "dev-insecure-change-me"


class Settings(BaseSettings):
    """Configuration from GASWARDEN_* variables, then an optional TOML file, then defaults.

    The TOML file is named by GASWARDEN_CONFIG (or the `config_file` argument).
    """

    model_config = SettingsConfigDict(env_prefix="GASWARDEN_", extra="ignore")

    data_dir: Path = Field(default=DEFAULT_DATA_DIR, description="SQLite file, uploads, spool")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite file in data_dir"
    )
    mqtt_url: str | None = Field(default=None, description="mqtt://user:pass@host:1883")
    timezone: str = DEFAULT_TZ
    language: Literal["zh", "en"] = "zh"
    secret_key: str = INSECURE_DEV_KEY
    cookie_secure: bool = Field(
        default=False, description="set true behind HTTPS so session cookies are Secure"
    )
    session_max_age_s: int = 8 * 3600
    page_size_default: int = 50
    page_size_max: int = 500
    echo_sql: bool = False
    readings_retention_days: int = Field(
        default=400, ge=1, description="raw readings older than this are dropped (roll-ups stay)"
    )
    spool_max_mb: int = Field(
        default=512, ge=1, description="on-disk ingest spool used while the database is down"
    )

    # ---- housekeeping in serve and demo (gaswarden/maintenance.py) -------------------
    maintenance_enabled: bool = Field(
        default=True,
        description="serve and demo generate inspection tasks, escalate overdue hazards and "
        "watch closed sites in a background thread",
    )
    maintenance_interval_s: float = Field(
        default=900.0, gt=0, description="seconds between housekeeping rounds"
    )
    network_watch_interval_s: float = Field(
        default=300.0,
        gt=0,
        description="seconds between the pipe networks' leak checks (and inlet-meter rollups "
        "into the demand history), with the housekeeping",
    )
    network_rollup: bool = Field(
        default=True,
        description="the leak watch also rolls the inlet meters' whole hours into the demand "
        "history (off in the demo: its simulator's clock runs faster than the wall clock)",
    )

    # ---- uploads (inspection photos, rectification evidence, case evidence) -----------
    upload_max_mb: float = Field(default=10.0, gt=0, description="largest accepted upload")
    upload_image_max_px: int = Field(
        default=40_000_000, gt=0, description="largest image accepted, in pixels (decompression)"
    )

    # ---- alarm notifications (sent by serve, demo and ingest, or gaswarden notify run) ---
    public_url: str | None = Field(
        default=None, description="https://gas.example.gov.cn: links in e-mails are made from it"
    )
    smtp_host: str | None = Field(default=None, description="SMTP server for alarm e-mails")
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "GasWarden <gaswarden@localhost>"
    smtp_starttls: bool = Field(default=True, description="STARTTLS before logging in")
    sms_gateway_url: str | None = Field(
        default=None, description="HTTP SMS gateway; {phone} and {text} are filled in if present"
    )
    sms_method: Literal["GET", "POST"] = "POST"
    sms_template: str | None = Field(
        default=None, description="SMS text; fields {grade_zh} {site} {serial} {rule_zh} ..."
    )
    sms_phone_field: str = "phone"
    sms_text_field: str = "text"
    sms_auth_header: str | None = Field(
        default=None, description='"Authorization: Bearer <token>" sent to the SMS gateway'
    )
    webhook_secret: str | None = Field(
        default=None, description="HMAC key for webhook subscriptions without their own"
    )
    notify_sender_enabled: bool = Field(
        default=True,
        description="serve, demo and ingest also deliver notifications in a background thread; "
        "false leaves it to `gaswarden notify run`",
    )
    notify_poll_s: float = Field(default=5.0, gt=0, description="sender: seconds between looks")
    notify_batch: int = Field(default=50, ge=1, description="sender: deliveries per look")
    notify_timeout_s: float = Field(default=10.0, gt=0, description="per delivery attempt")
    notify_retry_base_s: float = Field(default=30.0, gt=0, description="first retry after")
    notify_retry_max_s: float = Field(default=3600.0, gt=0, description="retry interval cap")
    notify_max_attempts: int = Field(default=8, ge=1, description="then the delivery is dead")
    notify_lease_s: float = Field(
        default=300.0, gt=0, description="a taken delivery returns after this if its sender died"
    )

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return normalize_database_url(self.database_url)
        return f"sqlite:///{(self.data_dir / 'gaswarden.sqlite3').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "uploads"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("GASWARDEN_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)


def normalize_database_url(url: str) -> str:
    """Accept postgres:// and postgresql:// and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
