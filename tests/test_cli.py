"""The ``pial`` command: migrations and drift check on a fresh database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IS_POSTGRES


def _pial(*args: str, tmp_path: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PIAL_INSTANCE_PATH=str(tmp_path / "instance"))
    env["PIAL_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-c", "from pial.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_db_upgrade_then_check_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    upgraded = _pial("db", "upgrade", tmp_path=tmp_path, database_url=url)
    assert upgraded.returncode == 0, upgraded.stderr
    checked = _pial("db", "check", tmp_path=tmp_path, database_url=url)
    assert checked.returncode == 0, checked.stderr
    assert "aucun écart" in checked.stdout


def test_db_check_reports_drift_on_an_unmigrated_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    checked = _pial("db", "check", tmp_path=tmp_path, database_url=url)
    assert checked.returncode == 1
    assert "Écarts" in checked.stderr


@pytest.mark.postgres
def test_db_check_is_clean_on_postgresql(database_url: str, tmp_path: Path) -> None:
    assert IS_POSTGRES
    checked = _pial("db", "check", tmp_path=tmp_path, database_url=database_url)
    assert checked.returncode == 0, checked.stderr


def test_help_lists_the_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    result = _pial("--help", tmp_path=tmp_path, database_url=url)
    assert result.returncode == 0
    for command in ("demo", "serve", "db", "seed-demo"):
        assert command in result.stdout
