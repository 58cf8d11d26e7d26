"""`gaswarden network import|list|solve` against a fresh SQLite data directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from gaswarden.cli.common import transaction
from gaswarden.cli.main import app
from gaswarden.core.auth import SYSTEM
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.network.models import PipeNetwork
from gaswarden.domains.organization.service import service as organizations
from gaswarden.settings import Settings

FIXTURES = Path(__file__).parents[1] / "fixtures" / "network"
runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli-network")
    result = runner.invoke(app, ["db", "upgrade", "--data-dir", str(tmp)])
    assert result.exit_code == 0, result.output
    with transaction(Settings(data_dir=tmp)) as session:
        district = areas.create(
            session=session,
            principal=SYSTEM,
            data={"code": "371502", "name": "东昌府区", "level": "district"},
        )
        organizations.create(
            session=session,
            principal=SYSTEM,
            data={
                "name": "聊城润昌燃气有限公司",
                "kind": "pipeline",
                "area_id": district.id,
                "credit_code": "91371502MA3C000009",
            },
        )
    return tmp


def invoke(data_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["network", *args, "--data-dir", str(data_dir)])


def test_import_list_solve(data_dir: Path) -> None:
    geojson = FIXTURES / "small.geojson"
    result = invoke(
        data_dir, "import", str(geojson), "--code", "CLI-GJ", "--name", "小管网",
        "--owner", "91371502MA3C000009", "--area", "371502",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "14 junctions" in result.output and "imported" in result.output
    result = invoke(
        data_dir, "import", str(FIXTURES / "small_pandapipes.json"), "--code", "CLI-PP",
        "--name", "小管网 pandapipes", "--format", "pandapipes", "--crs", "EPSG:31467",
        "--lon", "116.01", "--lat", "36.41",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    result = invoke(data_dir, "list")
    assert result.exit_code == 0, result.output
    assert "CLI-GJ" in result.output and "CLI-PP" in result.output and "2 networks" in result.output
    with transaction(Settings(data_dir=data_dir)) as session:
        stored = session.scalar(select(PipeNetwork).where(PipeNetwork.code == "CLI-GJ"))
        assert stored is not None and stored.owner_name == "聊城润昌燃气有限公司"
        assert stored.area is not None and stored.area.code == "371502"
    result = invoke(data_dir, "solve", "CLI-PP")
    assert result.exit_code == 0, result.output
    assert "p min" in result.output and "kg/s" in result.output
    # same code again: a conflict, non-zero exit
    result = invoke(data_dir, "import", str(geojson), "--code", "CLI-GJ", "--name", "again")
    assert result.exit_code == 1 and "already used" in result.output


def test_broken_file_exits_nonzero(data_dir: Path, tmp_path: Path) -> None:
    text = (FIXTURES / "small.geojson").read_text(encoding="utf-8")
    broken = tmp_path / "broken.geojson"
    broken.write_text(
        text.replace('"to": "M01"', '"to": "GHOST"', 1).replace(
            '"diameter_mm": 110.2', '"diameter_mm": 0.11', 1
        ),
        encoding="utf-8",
    )
    result = invoke(data_dir, "import", str(broken), "--code", "CLI-BAD", "--name", "坏")
    assert result.exit_code == 1
    assert "dangling" in result.output and "GHOST" in result.output
    assert "metres" in result.output and "not imported" in result.output
    result = invoke(data_dir, "solve", "CLI-BAD")
    assert result.exit_code == 1
    notjson = tmp_path / "x.json"
    notjson.write_text("{nope", encoding="utf-8")
    assert invoke(data_dir, "import", str(notjson), "--code", "X", "--name", "x").exit_code == 1
