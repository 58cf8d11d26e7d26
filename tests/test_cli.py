"""The CLI against a fresh SQLite data directory: db upgrade/check, user create, user token."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gaswarden.app import create_app
from gaswarden.cli.common import transaction
from gaswarden.cli.main import app
from gaswarden.core.auth import SYSTEM
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.organization.service import service as organizations
from gaswarden.settings import Settings

runner = CliRunner()


def test_db_upgrade_user_and_token(tmp_path: Path) -> None:
    data = str(tmp_path)
    result = runner.invoke(app, ["db", "upgrade", "--data-dir", data])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "gaswarden.sqlite3").exists()
    result = runner.invoke(app, ["db", "check", "--data-dir", data])
    assert result.exit_code == 0 and "agree" in result.output

    settings = Settings(data_dir=tmp_path)
    with transaction(settings) as session:
        district = areas.create(
            session=session,
            principal=SYSTEM,
            data={"code": "371502", "name": "东昌府区", "level": "district"},
        )
        organizations.create(
            session=session,
            principal=SYSTEM,
            data={"name": "东昌府区燃气安全监管中心", "kind": "regulator", "area_id": district.id},
        )

    args = ["user", "create", "chief", "--role", "regulator_admin", "--data-dir", data]
    result = runner.invoke(
        app, [*args, "--org", "东昌府区燃气安全监管中心", "--password", "s3cret-pass"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, [*args, "--org", "no such org", "--password", "s3cret-pass"])
    assert result.exit_code == 2 and "no organisation" in result.output

    result = runner.invoke(app, ["user", "token", "chief", "--data-dir", data])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("gw_")

    with TestClient(create_app(settings)) as client:
        me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert me.json()["role"] == "regulator_admin"
        assert me.json()["scope"] == "area"
        bad = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer gw_nope"})
        assert bad.status_code == 401
        assert bad.headers["content-type"].startswith("application/problem+json")


def test_weak_password_is_refused(tmp_path: Path) -> None:
    data = str(tmp_path)
    assert runner.invoke(app, ["db", "upgrade", "--data-dir", data]).exit_code == 0
    settings = Settings(data_dir=tmp_path)
    with transaction(settings) as session:
        district = areas.create(
            session=session, principal=SYSTEM, data={"code": "1", "name": "区", "level": "district"}
        )
        organizations.create(
            session=session,
            principal=SYSTEM,
            data={"name": "监管中心", "kind": "regulator", "area_id": district.id},
        )
    result = runner.invoke(
        app,
        [
            "user",
            "create",
            "x",
            "--role",
            "regulator_staff",
            "--org",
            "监管中心",
            "--password",
            "short",
            "--data-dir",
            data,
        ],
    )
    assert result.exit_code == 2
    assert "password" in result.output


def test_the_command_starts_without_the_demo_and_the_network_solver() -> None:
    """`gaswarden --help`, `serve`, `ingest`, `notify run`: each process imports the command
    modules; the demo loader and the pipe-network solver (pandapipes with pandas, scipy and
    matplotlib, about 2.5 s) are imported by the commands that use them, not by every one."""
    heavy = ("pandapipes", "gaswarden.sim.demo_district")
    probe = f"import sys, gaswarden.cli.main; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]", out
