"""`gaswarden report district` against a SQLite database of its own (the CLI opens its own
connection and commits), holding the world and the cockpit's hand-built records."""

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
from tests.cockpit import records
from tests.conftest import Database, world_database

runner = CliRunner(env={"GASWARDEN_SECRET_KEY": "test-secret", "COLUMNS": "240"})


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """On SQLite only: the report's figures are tested on both databases in test_report.py;
    here the command line (options, file, exit codes) is what is tested."""
    db, world = world_database("sqlite", tmp_path_factory.mktemp("district-cli"))
    with sessionmaker(bind=db.engine, expire_on_commit=False)() as session:
        records.build(session, world)
        session.commit()
    yield db
    db.cleanup()


def run(db: Database, *args: str) -> object:
    where = ["--data-dir", str(db.settings.data_dir)]
    if db.settings.database_url:
        where = ["--database-url", db.settings.database_url]
    return runner.invoke(app, ["report", "district", *args, *where])


def test_cli_writes_the_monthly_pdf_and_the_weekly_xlsx(cli_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "october.pdf"
    result = run(
        cli_db, "--period", "month", "--month", "2026-10", "--format", "pdf", "-o", str(out)
    )
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert result.output.strip() == str(out)  # type: ignore[attr-defined]
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(BytesIO(out.read_bytes())).pages)
    assert "全区燃气安全月报（2026年10月）" in text and "YJ-T-2" in text

    result = run(cli_db, "--period", "week", "--start", "2026-10-12", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    written = tmp_path / "district-report-week-2026-10-12.xlsx"
    assert result.output.strip() == str(written)  # type: ignore[attr-defined]
    summary = load_workbook(BytesIO(written.read_bytes()))["概况 Summary"]
    by_key = {row[2]: row[1] for row in summary.iter_rows(min_row=5, values_only=True) if row[2]}
    assert by_key["emergency.incidents"] == 1 and by_key["alarms.raised"] == 4


def test_cli_usage_errors(cli_db: Database, tmp_path: Path) -> None:
    bad = run(cli_db, "--period", "year", "--month", "2026-10")
    assert bad.exit_code == 2 and "week or month" in bad.output  # type: ignore[attr-defined]
    bad = run(cli_db, "--month", "2026-13")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output  # type: ignore[attr-defined]
    bad = run(cli_db, "--month", "2026-10", "--format", "docx")
    assert bad.exit_code == 2  # type: ignore[attr-defined]
