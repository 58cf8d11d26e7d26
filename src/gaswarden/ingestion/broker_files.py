"""Files for an external Mosquitto: password file, ACL, and a configuration that never drops.

`gaswarden broker export --out DIR` writes them from the registry: one login per active
device (username = serial, password = its token) and one for the ingest workers.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from pathlib import Path

from gaswarden.ingestion.contract import TOPIC_PREFIX

PBKDF2_ITERATIONS = 101  # what mosquitto_passwd 2.x writes ($7$ = PBKDF2-HMAC-SHA512)
SALT_BYTES = 12


def password_hash(password: str, salt: bytes | None = None) -> str:
    """A line's hash in the `$7$` format of mosquitto_passwd."""
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, PBKDF2_ITERATIONS, 64)
    return (
        f"$7${PBKDF2_ITERATIONS}${base64.b64encode(salt).decode()}"
        f"${base64.b64encode(digest).decode()}"
    )


def password_file(logins: list[tuple[str, str]]) -> str:
    for username, _ in logins:
        if ":" in username or "\n" in username:
            raise ValueError(f"username {username!r} cannot be written to a password file")
    return "".join(f"{user}:{password_hash(pw)}\n" for user, pw in logins)


def acl_file(ingest_user: str) -> str:
    return (
        "# GasWarden: each device writes only its own topics; the ingest workers read all.\n"
        f"user {ingest_user}\n"
        f"topic read {TOPIC_PREFIX}/#\n"
        "\n"
        "# %u is the login name, which is the device serial\n"
        f"pattern write {TOPIC_PREFIX}/%u/telemetry\n"
        f"pattern write {TOPIC_PREFIX}/%u/event\n"
        f"pattern write {TOPIC_PREFIX}/%u/status\n"
    )


def mosquitto_conf(directory: Path, *, port: int = 1883, bind: str = "0.0.0.0") -> str:
    """A configuration that holds messages instead of dropping them when a subscriber lags:
    mosquitto's defaults (max_queued_messages 1000, max_inflight_messages 20) silently drop
    QoS 1 messages for a slow or reconnecting ingest worker."""
    return f"""# GasWarden broker configuration (written by `gaswarden broker export`)
per_listener_settings false
listener {port} {bind}
allow_anonymous false
password_file {directory / "passwd"}
acl_file {directory / "acl"}

# Never drop: queue without a count limit for a persistent session (the ingest workers),
# bounded by memory instead; and let many QoS 1 messages be in flight to each worker.
max_queued_messages 0
max_queued_bytes 0
max_inflight_messages 0
max_inflight_bytes 0
max_packet_size 131072
message_size_limit 0
upgrade_outgoing_qos false

# Keep sessions and queued messages across a broker restart.
persistence true
persistence_location {directory}/
autosave_interval 30
autosave_on_changes false
persistent_client_expiration 14d

log_type error
log_type warning
log_type notice
connection_messages true
"""


def new_password() -> str:
    return secrets.token_urlsafe(24)
