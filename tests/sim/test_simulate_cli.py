"""`gaswarden simulate` from the command line: summary, duration, Ctrl-C, errors, and
per-device logins against a broker that enforces them."""

from __future__ import annotations

import getpass
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaswarden.cli.main import app
from gaswarden.domains.device.enums import DeviceKind
from gaswarden.ingestion.contract import MessageKind
from gaswarden.sim.runner import SimOptions, Simulator, start_simulator
from gaswarden.sim.telemetry import SimDevice
from tests.sim.conftest import SECRET, Listener, SimWorld

runner = CliRunner()


def db_args(world: SimWorld) -> list[str]:
    args = ["--data-dir", str(world.settings.data_dir)]
    if world.settings.database_url:
        args += ["--database-url", world.settings.database_url]
    return args


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GASWARDEN_DATABASE_URL", "GASWARDEN_CONFIG", "GASWARDEN_MQTT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GASWARDEN_SECRET_KEY", SECRET)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cli_runs_for_its_duration_and_prints_the_summary(
    sim_world: SimWorld, broker: str, listen: Callable[..., Listener], secret_env: None
) -> None:
    s = sim_world.serials
    listener = listen([s["ha"], s["pm_reg"]])
    args = ["simulate", *db_args(sim_world), "--mqtt-url", broker, "--duration", "2"]
    args += ["--speed", "600", "--serial", s["ha"], "--serial", s["pm_reg"], "--every", "0.5"]
    args += ["--incident", "cooking@0.2", "--incident-pace", "20"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "simulating 2 devices" in result.output
    assert f"cooking (烹饪油烟误报) on {s['ha']} started" in result.output
    summary = result.output.strip().splitlines()[-1]
    assert summary.startswith("done") and "incidents=1" in summary
    sent = int(summary.split("sent=")[1].split()[0])
    assert sent > 0 and f"acked={sent}" in summary
    assert listener.wait_for(lambda: len(listener.messages) >= sent)
    assert not listener.problems
    cooking = [
        i["values"]["methane_lel_pct"]
        for m in listener.of(s["ha"], MessageKind.TELEMETRY)
        for i in m.items
    ]
    assert max(cooking) > 20


def test_cli_reports_bad_input_plainly(sim_world: SimWorld, broker: str, secret_env: None) -> None:
    bad = runner.invoke(app, ["simulate", *db_args(sim_world), "--incident", "flood"])
    assert bad.exit_code == 1 and "unknown incident 'flood'" in bad.output
    only_cameras = ["--kinds", "camera", "--serial", sim_world.serials["cam"]]
    no_well = runner.invoke(
        app, ["simulate", *db_args(sim_world), *only_cameras, "--incident", "leak:NOPE-1"]
    )
    assert no_well.exit_code == 1 and "NOPE-1 is not a simulated" in no_well.output
    port = free_port()
    down = runner.invoke(
        app, ["simulate", *db_args(sim_world), "--mqtt-url", f"mqtt://127.0.0.1:{port}"]
    )
    assert down.exit_code == 1 and "cannot reach the MQTT broker" in down.output


def test_ctrl_c_stops_cleanly(sim_world: SimWorld, broker: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GASWARDEN_")}
    env["GASWARDEN_SECRET_KEY"] = SECRET
    command = [sys.executable, "-m", "gaswarden", "simulate", *db_args(sim_world)]
    command += ["--mqtt-url", broker, "--serial", sim_world.serials["lm"], "--speed", "600"]
    proc = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    try:
        first = proc.stdout.readline()  # "simulating 1 devices ..." once it is publishing
        assert "simulating 1 devices" in first, first
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "stopping" in out and "done" in out and "sent=" in out


@pytest.fixture
def strict_broker(tmp_path: Path, sim_world: SimWorld) -> Iterator[int]:
    """Our own Mosquitto that admits only the devices' serial/token logins and lets each
    publish to its own topics only; `watcher` may read everything."""
    passwd = tmp_path / "passwd"
    logins = {sim_world.serials[r]: t for r, t in sim_world.tokens.items()}
    logins["watcher"] = "watch-pw"
    passwd.write_text("".join(f"{u}:{p}\n" for u, p in logins.items()))
    subprocess.run(["mosquitto_passwd", "-U", str(passwd)], check=True)
    acl = tmp_path / "acl"
    acl.write_text("user watcher\ntopic read gw/v1/devices/#\n\npattern write gw/v1/devices/%u/#\n")
    port = free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(
        # `user`: started as root, Mosquitto would otherwise drop to a user that cannot read
        # pytest's private tmp dir.
        f"user {getpass.getuser()}\nlistener {port} 127.0.0.1\nallow_anonymous false\n"
        f"password_file {passwd}\nacl_file {acl}\npersistence false\n"
    )
    if not Path("/usr/sbin/mosquitto").exists():
        pytest.skip("no /usr/sbin/mosquitto to start a strict broker with")
    proc = subprocess.Popen(
        ["/usr/sbin/mosquitto", "-c", str(conf)], stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise AssertionError(
                        f"own mosquitto did not start: {proc.communicate()}"
                    ) from None
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def test_per_device_logins_pass_a_strict_broker(
    sim_world: SimWorld, strict_broker: int, listen: Callable[..., Listener]
) -> None:
    listener = listen(sim_world.active, port=strict_broker, login=("watcher", "watch-pw"))
    handle = start_simulator(
        sim_world.settings,
        f"mqtt://127.0.0.1:{strict_broker}",
        serials=sim_world.active,
        speed=600,
        duration=2.0,
        per_device_auth=True,
        offline_share=0.0,
    )
    assert handle.join(30) and handle.error is None and not handle.stats.errors
    assert len(handle.simulator.publisher.links) == len(sim_world.active)
    assert handle.stats.acked == handle.stats.sent
    assert listener.wait_for(lambda: len(listener.messages) >= handle.stats.sent)
    assert {m.serial for m in listener.messages} == set(sim_world.active)
    # A wrong token is refused by the broker and reported, not retried forever.
    impostor = SimDevice(sim_world.serials["lm"], DeviceKind.LASER_METHANE, 60, token="wrong")
    sim = Simulator(
        [impostor],
        f"mqtt://127.0.0.1:{strict_broker}",
        options=SimOptions(speed=600, duration=1.0, per_device_auth=True, rate_limit=None),
    )
    sim.open()
    sim.run(threading.Event())
    assert any("refused" in e for e in sim.stats.errors), sim.stats.errors
