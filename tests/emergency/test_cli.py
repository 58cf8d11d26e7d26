"""gaswarden emergency import-roads / roads through the CLI, on both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from gaswarden.cli.main import app
from gaswarden.domains.emergency import roads
from gaswarden.domains.emergency.models import RoadEdge, RoadNode
from tests.conftest import Database
from tests.emergency.helpers import river_roads
from tests.factories import World

runner = CliRunner()
ENV = {"GASWARDEN_SECRET_KEY": "test-secret"}


def _args(database: Database) -> list[str]:
    s = database.settings
    if s.database_url:
        return ["--database-url", s.database_url]
    return ["--data-dir", str(s.data_dir)]


@pytest.fixture
def clean_roads(database: Database, world: World) -> Iterator[None]:
    """The CLI commits: take its roads away again afterwards."""
    yield
    with sessionmaker(bind=database.engine)() as session:
        session.execute(delete(RoadEdge))
        session.execute(delete(RoadNode))
        session.commit()
    roads.invalidate()


def test_import_roads_and_summary(database: Database, clean_roads: None, tmp_path: Path) -> None:
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps(river_roads(), ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["emergency", "import-roads", str(path), *_args(database)], env=ENV)
    assert result.exit_code == 0, result.output
    assert "5 nodes" in result.output and "4 road links" in result.output
    result = runner.invoke(app, ["emergency", "roads", *_args(database)], env=ENV)
    assert result.exit_code == 0 and "4 road links" in result.output

    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    result = runner.invoke(app, ["emergency", "import-roads", str(bad), *_args(database)], env=ENV)
    assert result.exit_code == 1
    result = runner.invoke(app, ["emergency", "roads", *_args(database)], env=ENV)
    assert "4 road links" in result.output  # the refused file changed nothing
