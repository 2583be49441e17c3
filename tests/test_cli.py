"""The ``pial`` command: migrations and drift check on a fresh database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
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


def test_serve_with_several_workers_asks_for_the_scheduler_to_run_apart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    result = _pial("serve", "--workers", "2", tmp_path=tmp_path, database_url=url)
    assert result.returncode == 2
    assert "pial scheduler" in result.stderr and "--no-scheduler" in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _worker_pids(server_pid: int) -> set[int]:
    """Return the processes the server started (gunicorn's workers), from Linux's /proc."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text()
    return {int(pid) for pid in children.split()}


@pytest.mark.skipif(sys.platform != "linux", reason="reads the worker processes from /proc")
def test_serve_with_two_workers_runs_two_worker_processes_that_answer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    assert _pial("db", "upgrade", tmp_path=tmp_path, database_url=url).returncode == 0
    port = _free_port()
    env = dict(os.environ, PIAL_INSTANCE_PATH=str(tmp_path / "instance"), PIAL_DATABASE_URL=url)
    log = tmp_path / "server.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-c", "from pial.cli import main; main()", "serve", "--workers", "2",
             "--no-scheduler", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=log_file,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        page_url = f"http://127.0.0.1:{port}/connexion"
        statuses: list[int] = []
        while time.monotonic() < deadline and len(statuses) < 4:
            try:
                with urllib.request.urlopen(page_url, timeout=5) as page:
                    statuses.append(page.status)
            except OSError:
                assert server.poll() is None, log.read_text()
                time.sleep(0.2)
        assert statuses == [200, 200, 200, 200], log.read_text()
        # gunicorn forks its workers in turn: the first may answer before the second exists.
        while time.monotonic() < deadline and len(_worker_pids(server.pid)) < 2:
            time.sleep(0.1)
        assert len(_worker_pids(server.pid)) == 2, log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server.returncode == 0, log.read_text()
