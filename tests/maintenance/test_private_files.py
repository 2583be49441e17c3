"""Files holding personal data are created 0600, whatever the umask (issue 20)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from pial.db import make_engine
from pial.files import open_private
from pial.maintenance.backups import backup_database
from pial.migrations import upgrade_database
from tests.conftest import make_app


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The umask of a careless service account: new files readable by everyone."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_open_private_ignores_the_umask_and_an_existing_mode(
    tmp_path: Path, permissive_umask: None
) -> None:
    existing = tmp_path / "export.xlsx"
    existing.write_bytes(b"old")
    existing.chmod(0o644)
    with open_private(existing) as stream:
        stream.write(b"new")
    assert _mode(existing) == 0o600 and existing.read_bytes() == b"new"
    with open_private(tmp_path / "fresh.csv", "w", encoding="utf-8") as stream:
        stream.write("a;b\n")
    assert _mode(tmp_path / "fresh.csv") == 0o600


def test_the_database_its_wal_and_shm_are_private(
    tmp_path: Path, permissive_umask: None
) -> None:
    database = tmp_path / "pial.sqlite3"
    url = f"sqlite:///{database}"
    upgrade_database(url)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:  # a write leaves the WAL and SHM files in place
            connection.execute(text("INSERT INTO login_throttles VALUES ('k', "
                                    "CURRENT_TIMESTAMP, 1)"))  # fmt: skip
        with engine.connect() as connection:
            connection.execute(text("SELECT count(*) FROM users")).scalar_one()
            files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
            assert all(path.exists() for path in files)
            assert {path.name: _mode(path) for path in files} == {
                path.name: 0o600 for path in files
            }
    finally:
        engine.dispose()


def test_an_existing_world_readable_database_is_made_private(
    tmp_path: Path, permissive_umask: None
) -> None:
    database = tmp_path / "old.sqlite3"
    url = f"sqlite:///{database}"
    upgrade_database(url)
    database.chmod(0o644)
    engine = make_engine(url)
    engine.dispose()
    assert _mode(database) == 0o600


def test_backups_and_the_cli_exports_are_private(
    tmp_path: Path, permissive_umask: None
) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    upgrade_database(url)
    report = backup_database(url, tmp_path / "backups" / "pial.sqlite3")
    assert _mode(report.path) == 0o600
    app = make_app(url, tmp_path / "instance")
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    (written,) = (tmp_path / "instance" / "backups").glob("pial-*")
    assert _mode(written) == 0o600
