"""A real PIAL server on the demo data, and Debian's Chromium driven by Playwright.

The server is ``pial serve --no-scheduler`` (Waitress) in a subprocess on a free port, on a
fresh database (a SQLite file, or a new PostgreSQL database next to ``PIAL_DATABASE_URL``)
migrated and seeded with the demo territory. The demo plays only the last week before the
open one (``seed_demo(weeks_back=1)``): the whole season takes more than a minute and the
journeys need only an open week and a published one. The clock is the real one: the demo is
seeded relative to it, so the open week always accepts offers and orders.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pial.config import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO_ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
DOC_SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"
DEMO_PASSWORD = "demo-pial-2026"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SERVER_START_S = 90.0

SEED_SCRIPT = """
import sys
from pial.app import create_app
from pial.demo import seed_demo
from pial.migrations import upgrade_database

app = create_app()
upgrade_database(app.config["DATABASE_URL"])
with app.app_context():
    summary = seed_demo(weeks_back=1)
print(summary.describe())
sys.exit(0 if summary.loaded else 1)
"""


@dataclass(frozen=True, slots=True)
class LiveServer:
    """The server under test: its base URL and its database."""

    url: str
    database_url: str

    def query(self, sql: str, **params: Any) -> list[Any]:
        """Run a read-only SQL query on the server's database (to choose test accounts)."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return list(connection.execute(text(sql), params))
        finally:
            engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _fresh_database(tmp_path: Path) -> tuple[str, Callable[[], None]]:
    """Return the URL of an empty database for the server, and how to drop it afterwards."""
    base_url = os.environ.get("PIAL_DATABASE_URL", "")
    if not base_url.startswith("postgresql"):
        return f"sqlite:///{tmp_path / 'pial-browser.sqlite3'}", lambda: None
    name = f"pial_browser_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(base_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    return url, drop


def _die_with_the_tests() -> None:
    """Ask Linux to stop the server if the test process dies without tearing down (killed)."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {process.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"{url}/connexion", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer within {SERVER_START_S} s; see {log}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Seed a fresh database with the demo and serve it with ``pial serve --no-scheduler``."""
    if not CHROMIUM.exists():
        pytest.fail(
            "Browser tests need Debian's Chromium at /usr/bin/chromium "
            "(apt-get install chromium chromium-driver); no browser is downloaded."
        )
    tmp_path = tmp_path_factory.mktemp("live")
    ARTIFACTS.mkdir(exist_ok=True)
    database_url, drop_database = _fresh_database(tmp_path)
    env = {
        **os.environ,
        "PIAL_DATABASE_URL": database_url,
        "PIAL_INSTANCE_PATH": str(tmp_path / "instance"),
        "PIAL_SECRET_KEY": "browser-tests-secret-key",
        "PIAL_SCHEDULER": "0",
        "PIAL_ENV": "development",
    }
    seeding = subprocess.run(
        [sys.executable, "-c", SEED_SCRIPT], env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=300, check=False,
    )
    (ARTIFACTS / "browser-seed.log").write_text(seeding.stdout + seeding.stderr, "utf-8")
    if seeding.returncode != 0:
        drop_database()
        pytest.fail(f"demo seeding failed:\n{seeding.stdout}\n{seeding.stderr}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = ARTIFACTS / "browser-server.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-c", "from pial.cli import main; main()",
             "serve", "--no-scheduler", "--host", "127.0.0.1", "--port", str(port)],
            env=env, cwd=tmp_path, stdout=log_file, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_the_tests if sys.platform == "linux" else None,
        )
        try:
            _wait_until_serving(url, process, log)
            yield LiveServer(url=url, database_url=database_url)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            drop_database()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Launch Debian's Chromium, headless."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("Browser tests need Debian's Chromium at /usr/bin/chromium.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


class PageErrors:
    """CSP violations and script errors seen by a page (the app must cause none).

    HTTP error statuses are not counted: a refused form answers 422 on purpose.
    """

    def __init__(self) -> None:
        self.messages: list[str] = []

    def record(self, message: Any) -> None:
        """Keep the console's CSP reports (Chromium says « Refused to … »)."""
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.messages.append(message.text)

    def record_exception(self, error: Any) -> None:
        """Keep uncaught script errors."""
        self.messages.append(str(error))


@pytest.fixture
def open_page(browser: Any, live_server: LiveServer) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh context: ``open_page(viewport=PHONE, javascript=True)``."""
    contexts: list[Any] = []
    errors: list[PageErrors] = []

    def factory(viewport: dict[str, int] = DESKTOP, javascript: bool = True) -> Any:
        context = browser.new_context(
            viewport=viewport,
            locale="fr-FR",
            java_script_enabled=javascript,
            is_mobile=viewport["width"] < 720,
            has_touch=viewport["width"] < 720,
            accept_downloads=True,
        )
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        seen = PageErrors()
        page.on("console", seen.record)
        page.on("pageerror", seen.record_exception)
        errors.append(seen)
        return page

    yield factory
    for context in contexts:
        context.close()
    for seen in errors:
        assert seen.messages == [], f"console errors (CSP violations?): {seen.messages}"


def sign_in(page: Any, server: LiveServer, email: str) -> None:
    """Sign in through the login form and land on the home page."""
    page.goto(f"{server.url}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{server.url}/")


def follow_menu(page: Any, name: str) -> None:
    """Follow a menu entry, opening « Plus » first when the entry is folded under it."""
    link = page.locator("nav .nav").get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        page.locator("nav .nav-more summary").click()
    follow(link)


def follow(target: Any) -> None:
    """Click a link or a button that loads another page, and wait until that page has loaded.

    Playwright's click returns once the next page starts loading: what is read right after
    could still come from the page left behind.
    """
    with target.page.expect_event("load"):
        target.click()


def screenshot(page: Any, name: str, *, full_page: bool = False) -> Path:
    """Save a screenshot as a test artifact, and into docs/ when PIAL_UPDATE_SCREENSHOTS=1."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if os.environ.get("PIAL_UPDATE_SCREENSHOTS") == "1":
        DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOC_SCREENSHOTS / f"{name}.png"), full_page=full_page)
    return path


def accessibility_violations(page: Any) -> list[str]:
    """Run axe-core (WCAG 2 A/AA rules) in the page and describe each violation found."""
    # evaluate() runs through the DevTools protocol, so the page's CSP does not block it.
    page.evaluate(AXE_SCRIPT.read_text("utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})"
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:5])
        for violation in result["violations"]
    ]
