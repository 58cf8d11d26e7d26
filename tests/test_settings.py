from __future__ import annotations

from pathlib import Path

import pytest

from gaswarden.settings import Settings, normalize_database_url


def test_defaults_use_sqlite_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GASWARDEN_DATABASE_URL", raising=False)
    settings = Settings(data_dir=tmp_path)
    assert (
        settings.resolved_database_url == f"sqlite:///{(tmp_path / 'gaswarden.sqlite3').resolve()}"
    )
    assert settings.timezone == "Asia/Shanghai"
    assert settings.language == "zh"
    assert not tmp_path.joinpath("gaswarden.sqlite3").exists()  # no I/O when settings are made


def test_environment_then_toml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "gaswarden.toml"
    config.write_text(
        'timezone = "Asia/Urumqi"\nlanguage = "en"\nmqtt_url = "mqtt://broker:1883"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("GASWARDEN_CONFIG", str(config))
    monkeypatch.setenv("GASWARDEN_LANGUAGE", "zh")  # the environment wins over the file
    settings = Settings()
    assert settings.timezone == "Asia/Urumqi"
    assert settings.mqtt_url == "mqtt://broker:1883"
    assert settings.language == "zh"


def test_bad_language_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GASWARDEN_LANGUAGE", "fr")
    with pytest.raises(ValueError, match="language"):
        Settings()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_psycopg3(given: str, expected: str) -> None:
    assert normalize_database_url(given) == expected
