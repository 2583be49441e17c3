"""``pial demo``, the README's first command, on the same instance folder again and again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

START_TIMEOUT_S = 240  # the first start loads the demo season
STOP_TIMEOUT_S = 120  # a clean stop lets a scheduler job that is running finish


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start_demo(instance: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``pial demo`` on the embedded SQLite default of ``instance``; return it and its URL."""
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key != "PIAL_DATABASE_URL"}
    env["PIAL_INSTANCE_PATH"] = str(instance)
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-c", "from pial.cli import main; main()",
             "demo", "--port", str(port)],
            env=env, stdout=log_file, stderr=subprocess.STDOUT,
            # As a shell without job control starts a background command: SIGINT ignored.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )  # fmt: skip
    return process, f"http://127.0.0.1:{port}"


def _wait_until_served(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Wait for the sign-in page; fail with the server's log if the process dies first."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, f"pial demo stopped:\n{log.read_text()}"
        try:
            with urllib.request.urlopen(f"{url}/connexion", timeout=5) as page:
                if page.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"pial demo did not serve within {START_TIMEOUT_S} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes], how: signal.Signals, log: Path) -> int:
    """Send ``how``, wait for the exit and return its code; if it never comes, kill and fail
    with the log."""
    process.send_signal(how)
    try:
        return process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"pial demo did not stop within {STOP_TIMEOUT_S} s of {how.name}:\n"
                    f"{log.read_text()}")


def test_demo_serves_again_after_a_kill_and_after_a_clean_stop(tmp_path: Path) -> None:
    instance, log = tmp_path / "instance", tmp_path / "demo.log"

    first, url = _start_demo(instance, log)
    try:
        _wait_until_served(first, url, log)
    finally:
        _stop(first, signal.SIGKILL, log)

    second, url = _start_demo(instance, log)
    try:
        _wait_until_served(second, url, log)
    finally:
        # Ctrl+C stops it cleanly, although it was started with SIGINT ignored.
        assert _stop(second, signal.SIGINT, log) == 0, log.read_text()

    third, url = _start_demo(instance, log)
    try:
        _wait_until_served(third, url, log)
        with urllib.request.urlopen(f"{url}/static/pial.css", timeout=5) as stylesheet:
            assert stylesheet.status == 200
    finally:
        # So does SIGTERM, what a service manager sends.
        assert _stop(third, signal.SIGTERM, log) == 0, log.read_text()
    text = log.read_text()
    assert text.count("Démonstration non chargée") == 2  # loaded once, found loaded twice
    assert "database is locked" not in text
    assert text.count("Arrêt demandé : PIAL s'arrête.") == 2
