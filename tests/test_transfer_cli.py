"""`gaswarden import` and `gaswarden export` against a database of their own (the CLI opens its
own connection and commits), built once per backend by the real migrations and the world."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from gaswarden.cli.main import app
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.site.models import Site
from gaswarden.domains.workforce.models import Person
from tests.conftest import Database, world_database

FIXTURES = Path(__file__).parent / "fixtures" / "import"
runner = CliRunner(env={"GASWARDEN_SECRET_KEY": "test-secret", "COLUMNS": "240"})


@pytest.fixture(scope="module")
def cli_db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db, _ = world_database(backend, tmp_path_factory.mktemp(f"transfer-cli-{backend}"))
    yield db
    db.cleanup()


def run(db: Database, *args: str) -> object:
    where = ["--data-dir", str(db.settings.data_dir)]
    if db.settings.database_url:
        where = ["--database-url", db.settings.database_url]
    return runner.invoke(app, [*args, *where])


def count(db: Database, model: type) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def test_import_a_chain_of_files_then_export_round_trips(cli_db: Database, tmp_path: Path) -> None:
    for table in ("areas", "organizations", "sites", "assets", "devices", "teams", "people"):
        result = run(cli_db, "import", table, str(FIXTURES / f"{table}.csv"))
        assert result.exit_code == 0, result.output
        assert "created" in result.output and "新增" in result.output

    out = tmp_path / "people.csv"
    result = run(cli_db, "export", "people", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert any(r["id_number"].startswith("3715") and "*" in r["id_number"] for r in rows)

    audits = count(cli_db, AuditEntry)
    result = run(cli_db, "import", "people", str(out))
    assert result.exit_code == 0, result.output
    assert f"unchanged {len(rows)}" in result.output and "updated 0" in result.output
    assert count(cli_db, AuditEntry) == audits

    # Upsert: the re-imported file with one name changed updates that one person.
    rows[0]["active"] = "否"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    out.write_bytes(buf.getvalue().encode("gb18030"))  # and Excel's GB18030 is read too
    result = run(cli_db, "import", "people", str(out))
    assert result.exit_code == 0, result.output
    assert "updated 1" in result.output
    assert count(cli_db, AuditEntry) == audits + 1


def test_bad_rows_exit_1_with_a_table_and_change_nothing(cli_db: Database) -> None:
    sites, people, audits = count(cli_db, Site), count(cli_db, Person), count(cli_db, AuditEntry)
    result = run(cli_db, "import", "sites", str(FIXTURES / "sites_bad.csv"))
    assert result.exit_code == 1, result.output
    for row, column in ((3, "area_code"), (4, "contact_phone"), (5, "code"), (6, "kind")):
        assert any(
            line.split("│")[1].strip() == str(row) and line.split("│")[2].strip() == column
            for line in result.output.splitlines()
            if line.count("│") >= 3
        ), (row, column, result.output)
    assert "nothing was imported" in result.output
    result = run(cli_db, "import", "people", str(FIXTURES / "people_bad.csv"))
    assert result.exit_code == 1 and "id_number" in result.output and "校验位" in result.output
    assert (count(cli_db, Site), count(cli_db, Person)) == (sites, people)
    assert count(cli_db, AuditEntry) == audits


def test_dry_run_writes_nothing(cli_db: Database, tmp_path: Path) -> None:
    content = (FIXTURES / "sites.csv").read_text("utf-8").replace("S-N-", "S-D-")
    (tmp_path / "sites.csv").write_text(content, "utf-8")
    sites, audits = count(cli_db, Site), count(cli_db, AuditEntry)
    result = run(cli_db, "import", "sites", str(tmp_path / "sites.csv"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output and "created 3" in result.output
    assert (count(cli_db, Site), count(cli_db, AuditEntry)) == (sites, audits)


def test_export_as_an_enterprise_admin_and_as_geojson(cli_db: Database, tmp_path: Path) -> None:
    result = run(cli_db, "export", "sites", "--as", "ent_a_admin")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert rows and {r["owner_name"] for r in rows} == {"聊城东昌燃气有限公司"}
    result = run(cli_db, "export", "sites", "-f", "kind=lpg_supply")
    codes = [
        r["code"] for r in csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig")))
    ]
    assert codes == ["S-B-SUP"]

    out = tmp_path / "assets.geojson"
    result = run(cli_db, "export", "assets", "-o", str(out), "--as", "ent_b_admin")
    assert result.exit_code == 0, result.output
    features = json.loads(out.read_text("utf-8"))["features"]
    assert features and {f["properties"]["owner_name"] for f in features} == {
        "聊城鲁通液化气有限公司"
    }
    result = run(cli_db, "import", "assets", str(out), "--as", "ent_b_admin")
    assert result.exit_code == 0 and f"unchanged {len(features)}" in result.output, result.output


def test_usage_errors_and_permissions(cli_db: Database, tmp_path: Path) -> None:
    sites = str(FIXTURES / "sites.csv")
    assert run(cli_db, "import", "pipes", sites).exit_code == 2
    assert run(cli_db, "import", "sites", str(tmp_path / "missing.csv")).exit_code == 2
    (tmp_path / "sites.xlsx").write_bytes(b"PK")
    assert run(cli_db, "import", "sites", str(tmp_path / "sites.xlsx")).exit_code == 2
    assert run(cli_db, "import", "sites", sites, "--as", "nobody").exit_code == 2
    assert run(cli_db, "export", "sites", "-f", "colour=red").exit_code == 2
    assert run(cli_db, "export", "people", "--format", "geojson").exit_code == 2
    result = run(cli_db, "import", "sites", sites, "--as", "viewer")
    assert result.exit_code == 1 and "not allowed" in result.output
