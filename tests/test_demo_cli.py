"""`gaswarden demo`: load, reuse, reset, refuse a taken port, and serve (SQLite data dir)."""

from __future__ import annotations

import csv
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gaswarden.app import create_app
from gaswarden.cli.main import app
from gaswarden.core.enums import Role
from gaswarden.settings import Settings
from gaswarden.sim.demo_district import DEMO_PASSWORD, DEMO_USERS

runner = CliRunner()


@pytest.fixture(scope="module")
def clean_env() -> Iterator[None]:
    """The demo must go to the data dir given, whatever the developer's environment says."""
    with pytest.MonkeyPatch.context() as mp:
        for name in ("GASWARDEN_DATABASE_URL", "GASWARDEN_CONFIG", "GASWARDEN_DATA_DIR"):
            mp.delenv(name, raising=False)
        mp.setenv("GASWARDEN_SECRET_KEY", "demo-test-secret")
        yield


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, clean_env: None) -> Path:
    """A data dir with the demo loaded once by the command itself."""
    path = tmp_path_factory.mktemp("demo-cli") / "data"
    result = runner.invoke(app, ["demo", "--no-history", "--no-serve", "--data-dir", str(path)])
    assert result.exit_code == 0, result.output
    assert "loading the demo district" in result.output
    assert DEMO_PASSWORD in result.output and "reg_admin" in result.output
    with sqlite3.connect(path / "gaswarden.sqlite3") as db:  # --no-history: registry only
        assert db.execute("SELECT count(*) FROM hazard").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM site").fetchone()[0] > 100
    return path


def fingerprint(data_dir: Path) -> dict[str, Any]:
    """Codes, names and places of what the demo loaded, read through the API."""
    settings = Settings(data_dir=data_dir, secret_key="demo-test-secret")
    with TestClient(create_app(settings)) as client:
        token = client.post(
            "/api/v1/auth/token", json={"username": "reg_admin", "password": DEMO_PASSWORD}
        ).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}

        def every(path: str) -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = []
            while True:
                page = len(items) // 500 + 1
                r = client.get(
                    f"/api/v1/{path}", params={"size": 500, "page": page}, headers=headers
                )
                body = r.json()
                items += body["items"]
                if len(items) >= body["total"]:
                    return items

        assets = {a["id"]: a["code"] for a in every("assets")}
        return {
            "areas": sorted((a["code"], a["name"]) for a in every("areas")),
            "sites": sorted((s["code"], s["name"], s["lon"], s["lat"]) for s in every("sites")),
            "assets": sorted(assets.values()),
            "devices": sorted(
                (d["serial"], d["kind"], assets.get(d["asset_id"])) for d in every("devices")
            ),
        }


def read_users_csv(data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / "demo-users.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_first_run_writes_the_log_ins(data_dir: Path) -> None:
    rows = read_users_csv(data_dir)
    assert {r["role"] for r in rows} == {role.value for role in Role}
    assert {r["password"] for r in rows} == {DEMO_PASSWORD}
    assert all(r["role_zh"] and r["role_en"] and r["organisation"] for r in rows)
    assert (data_dir / "gaswarden.sqlite3").exists()


def test_second_run_reuses_and_reset_reloads_the_same_district(data_dir: Path) -> None:
    before = fingerprint(data_dir)
    assert len(before["sites"]) >= 100 and len(before["devices"]) >= 2000

    again = runner.invoke(app, ["demo", "--no-history", "--no-serve", "--data-dir", str(data_dir)])
    assert again.exit_code == 0, again.output
    assert "reusing the demo district" in again.output
    assert "loading" not in again.output
    assert len(read_users_csv(data_dir)) == len(DEMO_USERS)

    (data_dir / "uploads").mkdir(exist_ok=True)
    (data_dir / "uploads" / "old.txt").write_text("left over")
    reset = runner.invoke(
        app, ["demo", "--no-history", "--no-serve", "--reset", "--data-dir", str(data_dir)]
    )
    assert reset.exit_code == 0, reset.output
    assert "--reset" in reset.output and "loading the demo district" in reset.output
    assert not (data_dir / "uploads" / "old.txt").exists()
    assert len(read_users_csv(data_dir)) == len(DEMO_USERS)
    # A second load from scratch gives the same district, code for code.
    assert fingerprint(data_dir) == before


def test_a_taken_port_is_reported_plainly(data_dir: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(
            app, ["demo", "--no-history", "--port", str(port), "--data-dir", str(data_dir)]
        )
    assert result.exit_code == 1
    assert "already in use" in result.output and str(port) in result.output


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_serves_the_api(data_dir: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GASWARDEN_")}
    env["GASWARDEN_SECRET_KEY"] = "demo-test-secret"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gaswarden",
            "demo",
            "--no-history",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the demo server did not become ready"
            time.sleep(0.3)
        r = httpx.post(
            f"{base}/api/v1/auth/token",
            json={"username": "grid_gulou", "password": DEMO_PASSWORD},
            timeout=10,
        )
        assert r.status_code == 201, r.text
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
        sites = httpx.get(f"{base}/api/v1/sites", headers=headers, timeout=10).json()
        assert 0 < sites["total"] < 100
        login_page = httpx.get(f"{base}/login", timeout=10)
        assert login_page.status_code == 200
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert "reusing the demo district" in out
