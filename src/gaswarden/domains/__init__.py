"""One package per domain. DOMAINS lists those whose routers and models the app loads."""

DOMAINS: tuple[str, ...] = (
    "audit",
    "area",
    "organization",
    "account",
    "site",
    "asset",
    "device",
    "workforce",
    "telemetry",
    "alarm",
    "notification",
    "attachment",
    "inspection",
    "hazard",
    "enforcement",
    "customer",
    "cylinder",
    "network",
)
