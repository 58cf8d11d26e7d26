"""`gaswarden demo` writes demo-devices.csv and a mosquitto_pub line that work; the simulator
plays a few devices of the demo district."""

from __future__ import annotations

import csv
import shlex
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaswarden.cli.main import app
from gaswarden.db.session import make_engine, make_session_factory
from gaswarden.domains.device.enums import DeviceKind
from gaswarden.domains.device.service import authenticate
from gaswarden.ingestion.contract import MessageKind
from gaswarden.settings import Settings
from gaswarden.sim import demo_pipes
from gaswarden.sim.registry import load_devices
from gaswarden.sim.runner import start_simulator
from tests.sim.conftest import Listener

runner = CliRunner()
SECRET = "demo-devices-secret"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A demo data dir, loaded by the command, and what the command printed."""
    path = tmp_path_factory.mktemp("demo-devices") / "data"
    with pytest.MonkeyPatch.context() as mp:
        for name in ("GASWARDEN_DATABASE_URL", "GASWARDEN_CONFIG", "GASWARDEN_DATA_DIR"):
            mp.delenv(name, raising=False)
        mp.setenv("GASWARDEN_SECRET_KEY", SECRET)
        result = runner.invoke(app, ["demo", "--no-history", "--no-serve", "--data-dir", str(path)])
        assert result.exit_code == 0, result.output
        yield path, result.output


def settings(path: Path) -> Settings:
    return Settings(data_dir=path, secret_key=SECRET, database_url=None)


def read_rows(path: Path) -> list[dict[str, str]]:
    with (path / "demo-devices.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_every_listed_token_authenticates(demo: tuple[Path, str]) -> None:
    path, _ = demo
    rows = read_rows(path)
    # The district's 2,199 and the modelled network's monitors and inlet meter (no site: they
    # sit on the network's junctions).
    assert len(rows) == 2199 + demo_pipes.N_PRESSURE_MONITORS + 1
    assert set(rows[0]) == {"serial", "kind", "site", "token"}
    assert {r["kind"] for r in rows} == {k.value for k in DeviceKind}
    network = {r["serial"] for r in rows if r["serial"][3:5] == "GL"}
    assert len(network) == demo_pipes.N_PRESSURE_MONITORS + 1
    assert all(r["site"] for r in rows if r["serial"] not in network)
    engine = make_engine(settings(path))
    try:
        with make_session_factory(engine)() as session:
            for row in rows:
                device = authenticate(session=session, serial=row["serial"], token=row["token"])
                assert device is not None and device.kind.value == row["kind"], row["serial"]
            assert authenticate(session=session, serial=rows[0]["serial"], token="x" * 32) is None
    finally:
        engine.dispose()


def test_a_second_run_rewrites_the_file(demo: tuple[Path, str]) -> None:
    path, _ = demo
    (path / "demo-devices.csv").unlink()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GASWARDEN_SECRET_KEY", SECRET)
        again = runner.invoke(app, ["demo", "--no-history", "--no-serve", "--data-dir", str(path)])
    assert again.exit_code == 0, again.output
    assert "reusing the demo district" in again.output
    assert len(read_rows(path)) == 2199 + demo_pipes.N_PRESSURE_MONITORS + 1


def test_the_printed_mosquitto_pub_line_sends_a_reading(
    demo: tuple[Path, str], broker: str, listen: Callable[..., Listener]
) -> None:
    _, output = demo
    line = next(x for x in output.splitlines() if x.startswith("mosquitto_pub "))
    args = shlex.split(line)
    assert args[args.index("-p") + 1] == "1883"
    serial = args[args.index("-u") + 1]
    token = args[args.index("-P") + 1]
    rows = {r["serial"]: r for r in read_rows(demo[0])}
    assert rows[serial]["kind"] == "pressure_monitor" and rows[serial]["token"] == token
    listener = listen([serial])
    subprocess.run(args, check=True, timeout=10)
    assert listener.wait_for(lambda: bool(listener.of(serial)))
    assert not listener.problems, listener.problems
    (message,) = listener.of(serial)
    assert message.kind is MessageKind.TELEMETRY
    assert 1 < message.body["values"]["pressure_kpa"] < 10


def test_a_few_demo_devices_cover_every_kind(
    demo: tuple[Path, str], broker: str, listen: Callable[..., Listener]
) -> None:
    path, _ = demo
    serials = [d.serial for d in load_devices(settings(path), limit=14)]
    listener = listen(serials)
    # At x3600 every device reports within its first second, even hourly household alarms.
    handle = start_simulator(
        settings(path), broker, devices=14, speed=3600, duration=2.0, offline_share=0.0
    )
    assert [s.device.serial for s in handle.simulator.states] == serials
    assert {s.device.kind for s in handle.simulator.states} == set(DeviceKind)
    assert handle.join(30) and handle.error is None
    assert handle.stats.acked == handle.stats.sent > 14
    assert listener.wait_for(lambda: len(listener.messages) >= handle.stats.sent)
    assert not listener.problems, listener.problems[:3]
    assert {m.serial for m in listener.messages} == set(serials)
