"""`gaswarden report hazards` against a database of its own (the CLI opens its own connection
and commits), holding the world and the known history."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pypdf
import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from gaswarden.cli.main import app
from tests.conftest import Database, world_database
from tests.hazard import stats_history

runner = CliRunner(env={"GASWARDEN_SECRET_KEY": "test-secret", "COLUMNS": "240"})


@pytest.fixture(scope="module")
def cli_db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db, world = world_database(backend, tmp_path_factory.mktemp(f"report-cli-{backend}"))
    with sessionmaker(bind=db.engine, expire_on_commit=False)() as session:
        stats_history.build(session, world)
        session.commit()
    yield db
    db.cleanup()


def run(db: Database, *args: str) -> object:
    where = ["--data-dir", str(db.settings.data_dir)]
    if db.settings.database_url:
        where = ["--database-url", db.settings.database_url]
    return runner.invoke(app, ["report", "hazards", *args, *where])


def test_cli_writes_the_xlsx_and_the_pdf(cli_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "october.xlsx"
    result = run(cli_db, "--month", "2026-10", "--out", str(out))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert result.output.strip() == str(out)  # type: ignore[attr-defined]
    summary = load_workbook(BytesIO(out.read_bytes()))["概况 Summary"]
    assert summary["B5"].value == 6 and summary["A1"].value.startswith("全区")

    result = run(
        cli_db,
        "--month",
        "2026-10",
        "--area",
        "371502002",
        "--format",
        "pdf",
        "--out",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    written = tmp_path / "hazard-report-2026-10-371502002.pdf"
    assert result.output.strip() == str(written)  # type: ignore[attr-defined]
    text = pypdf.PdfReader(BytesIO(written.read_bytes())).pages[0].extract_text()
    assert "柳园街道燃气安全隐患排查治理月报" in text


def test_cli_usage_errors(cli_db: Database, tmp_path: Path) -> None:
    for args in (
        ("--month", "2026/10"),
        ("--month", "2026-10", "--area", "nowhere"),
        ("--month", "2026-10", "--format", "docx"),
        ("--month", "2026-10", "--out", str(tmp_path / "no" / "such" / "dir" / "r.xlsx")),
    ):
        result = (
            run(cli_db, *args, "--out", str(tmp_path))
            if "--out" not in args
            else run(cli_db, *args)
        )
        assert result.exit_code == 2, (args, result.output)  # type: ignore[attr-defined]
    assert list(tmp_path.iterdir()) == []
