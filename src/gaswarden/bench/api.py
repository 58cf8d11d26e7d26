"""REST API latency on a loaded district, against a bare request (/healthz) as baseline."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi.testclient import TestClient

from gaswarden.app import create_app
from gaswarden.settings import Settings

CASES = (
    "/api/v1/sites?size=50",
    "/api/v1/sites?kind=lpg_supply&sort=-licence_expiry",
    "/api/v1/devices?size=50",
    "/api/v1/devices?size=500",
    "/api/v1/devices?kind=household_alarm&status=fault",
    "/api/v1/devices?q=PM&sort=-expiry_date",
    "/api/v1/assets?kind=regulator&pressure_class=medium_a",
    "/api/v1/audit-log?size=50",
)


@dataclass
class Figure:
    path: str
    median_ms: float
    p90_ms: float
    ratio: float  # median / baseline median


def _time(client: TestClient, path: str, headers: dict[str, str], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        out.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code} {response.text[:200]}")
    return out


def run(settings: Settings, *, username: str, password: str, repeat: int = 30) -> Iterator[Figure]:
    """Yields the baseline first (ratio 1.0), then each case."""
    with TestClient(create_app(settings)) as client:
        login = client.post("/api/v1/auth/token", json={"username": username, "password": password})
        if login.status_code != 201:
            raise RuntimeError(f"cannot sign in as {username}: {login.text[:200]}")
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        base = _time(client, "/healthz", {}, repeat)
        base_median = statistics.median(base)
        yield Figure("/healthz (baseline)", base_median, _p90(base), 1.0)
        for path in CASES:
            times = _time(client, path, headers, repeat)
            median = statistics.median(times)
            yield Figure(path, median, _p90(times), median / base_median)


def _p90(values: list[float]) -> float:
    return sorted(values)[int(0.9 * (len(values) - 1))]
