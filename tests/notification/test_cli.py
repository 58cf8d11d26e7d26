"""gaswarden notify test / run through the CLI."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from gaswarden.cli.main import app
from gaswarden.domains.notification.channels import verify
from tests.conftest import migrated_database
from tests.notification.conftest import HttpReceiver

runner = CliRunner()


def test_notify_test_webhook_and_sms(receiver: HttpReceiver, tmp_path: Path) -> None:
    env = {"GASWARDEN_DATA_DIR": str(tmp_path)}
    secret = "cli-test-secret-0123456789"
    r = runner.invoke(
        app, ["notify", "test", "webhook", f"{receiver.url}/t", "--secret", secret], env=env
    )
    assert r.exit_code == 0, r.output
    [req] = receiver.requests
    assert verify(req.body, secret, req.headers["X-GasWarden-Signature"])
    assert req.json()["test"] is True

    # No secret anywhere: refused, nothing sent.
    r = runner.invoke(app, ["notify", "test", "webhook", f"{receiver.url}/t"], env=env)
    assert r.exit_code == 1 and len(receiver.requests) == 1

    env["GASWARDEN_SMS_GATEWAY_URL"] = f"{receiver.url}/sms"
    r = runner.invoke(app, ["notify", "test", "sms", "13800001234"], env=env)
    assert r.exit_code == 0, r.output
    assert receiver.requests[-1].json()["phone"] == "13800001234"
    r = runner.invoke(app, ["notify", "test", "sms", "not-a-phone"], env=env)
    assert r.exit_code == 2


def test_notify_run_once_on_an_empty_outbox(tmp_path: Path) -> None:
    db = migrated_database("sqlite", tmp_path)
    try:
        r = runner.invoke(
            app,
            ["notify", "run", "--once"],
            env={"GASWARDEN_DATA_DIR": str(tmp_path), "GASWARDEN_DATABASE_URL": ""},
        )
        assert r.exit_code == 0, r.output
        assert "nothing due" in r.output
    finally:
        db.cleanup()
