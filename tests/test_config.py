"""Configuration from the environment and the instance folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from pial.config import load_or_create_secret_key, settings_from_env


def test_secret_key_is_generated_once_and_private(tmp_path: Path) -> None:
    first = load_or_create_secret_key(tmp_path)
    second = load_or_create_secret_key(tmp_path)
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_defaults_use_sqlite_in_the_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PIAL_DATABASE_URL", raising=False)
    monkeypatch.delenv("PIAL_SECRET_KEY", raising=False)
    settings = settings_from_env(tmp_path)
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'pial.sqlite3'}"
    assert (tmp_path / "secret_key").exists()


def test_environment_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIAL_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("PIAL_SECRET_KEY", "from-env")
    monkeypatch.setenv("PIAL_ENV", "production")
    settings = settings_from_env(tmp_path)
    assert settings["DATABASE_URL"] == "postgresql+psycopg://u@h/db"
    assert settings["SECRET_KEY"] == "from-env"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert not (tmp_path / "secret_key").exists()
