"""Shared fixtures: a migrated database per test session, an app per test rolled back after it.

The schema is built through the Alembic migrations, never by ``create_all``, so the tests
exercise what production runs. Each test runs inside an outer transaction that is rolled back;
services still call ``session.commit()``, which only releases a savepoint. Tests marked
``demo_season`` run so on a second database, where the whole demo season is seeded once a
session (`demo_season`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import RootTransaction
from sqlalchemy.orm import Session, sessionmaker

import pial  # noqa: F401  # before any test module imports openpyxl: it keeps it on defusedxml

if TYPE_CHECKING:
    from pial.demo import DemoSummary

POSTGRES_URL = os.environ.get("PIAL_DATABASE_URL", "")
IS_POSTGRES = POSTGRES_URL.startswith("postgresql")
TEST_PASSWORD = "courgette-et-poireaux"


def pytest_configure(config: pytest.Config) -> None:
    """Fail fast when CI asked for PostgreSQL but did not get it."""
    if os.environ.get("PIAL_REQUIRE_POSTGRES") and not IS_POSTGRES:
        raise pytest.UsageError(
            "PIAL_REQUIRE_POSTGRES is set but PIAL_DATABASE_URL is not PostgreSQL"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip PostgreSQL-only tests, with the reason shown, when the suite runs on SQLite."""
    if IS_POSTGRES:
        return
    reason = "PostgreSQL-only: set PIAL_DATABASE_URL=postgresql+psycopg://… to run it"
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return the URL of the session's database, migrated to the latest revision."""
    from pial.migrations import upgrade_database

    if IS_POSTGRES:
        url = POSTGRES_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'pial-test.sqlite3'}"
    upgrade_database(url)
    return url


def make_app(database_url: str, instance_path: Path, **overrides: Any) -> Flask:
    """Create an app for tests on ``database_url`` (CSRF off unless overridden)."""
    from pial.app import create_app

    config: dict[str, Any] = {
        "TESTING": True,
        "INSTANCE_PATH": str(instance_path),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "WTF_CSRF_ENABLED": False,
        "SCHEDULER_ENABLED": False,
        "SERVER_NAME": "pial.test",
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Extra configuration for the ``app`` fixture; override in a test module if needed."""
    return {}


@pytest.fixture(scope="session")
def compiled_translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the session's compiled catalogues: each app would otherwise compile them into
    its own new instance folder (`make_app` callers outside the ``app`` fixture still do)."""
    from pial.i18n import TRANSLATIONS_SOURCE, compile_translations

    return compile_translations(TRANSLATIONS_SOURCE, tmp_path_factory.mktemp("translations"))


@pytest.fixture
def app(
    request: pytest.FixtureRequest,
    database_url: str,
    tmp_path: Path,
    app_config: dict[str, Any],
    compiled_translations: Path,
) -> Iterator[Flask]:
    """An app whose every database change is rolled back at the end of the test; on the
    session's demo season (`demo_season`), on its clock, for a test marked ``demo_season``."""
    config = {"BABEL_TRANSLATION_DIRECTORIES": str(compiled_translations), **app_config}
    if request.node.get_closest_marker("demo_season"):
        database_url = request.getfixturevalue("demo_season").database_url
        config["PIAL_CLOCK"] = lambda: DEMO_SEASON_CLOCK
    application = make_app(database_url, tmp_path / "instance", **config)
    with one_transaction(application):
        yield application


@contextmanager
def one_transaction(application: Flask) -> Iterator[RootTransaction]:
    """Bind the app's sessions to one connection in one outer transaction, yielded: services
    still call ``session.commit()``, which only releases a savepoint. It is rolled back at
    the end unless the caller commits it."""
    from pial.db import get_database

    database = get_database(application)
    connection = database.engine.connect()
    outer = connection.begin()
    database.session_factory = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    try:
        yield outer
    finally:
        if outer.is_active:
            outer.rollback()
        connection.close()
        database.engine.dispose()


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    """Push an application context for service-level tests."""
    with app.app_context():
        yield


@pytest.fixture
def db(app_context: None) -> Session:
    """The session of the test's application context (rolled back after the test)."""
    from pial.db import get_session

    return get_session()


class IsolatedClient(FlaskClient):
    """A test client whose requests never reuse per-request caches of a pushed app context.

    When a test holds an application context (the ``db`` fixture), Flask runs each request in
    it, so Flask-Login's cached user and Flask-Babel's locale would leak from one request to the
    next; real requests never share them.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        from flask import g, has_app_context
        from flask_babel import refresh

        if has_app_context():
            g.pop("_login_user", None)
            refresh()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the rolled-back app."""
    app.test_client_class = IsolatedClient
    return app.test_client()


_counter = itertools.count(1)


@pytest.fixture
def make_farm(db: Session) -> Callable[..., Any]:
    """Create farms: ``make_farm(name=..., lat=..., lon=...)``."""
    from pial.models import Farm

    def factory(**values: Any) -> Farm:
        number = next(_counter)
        values.setdefault("name", f"Ferme n°{number}")
        values.setdefault("commune", "Bagnères-de-Luchon")
        values.setdefault("lat", 42.79)
        values.setdefault("lon", 0.59)
        farm = Farm(**values)
        db.add(farm)
        db.flush()
        return farm

    return factory


@pytest.fixture
def make_canteen(db: Session) -> Callable[..., Any]:
    """Create canteens: ``make_canteen(name=..., kind=...)``."""
    from pial.models import Canteen

    def factory(**values: Any) -> Canteen:
        number = next(_counter)
        values.setdefault("name", f"Cantine n°{number}")
        values.setdefault("kind", "school")
        values.setdefault("commune", "Bagnères-de-Luchon")
        values.setdefault("lat", 42.79)
        values.setdefault("lon", 0.59)
        values.setdefault("meals_per_day", 100)
        canteen = Canteen(**values)
        db.add(canteen)
        db.flush()
        return canteen

    return factory


@pytest.fixture
def make_user(
    db: Session, make_farm: Callable[..., Any], make_canteen: Callable[..., Any]
) -> Callable[..., Any]:
    """Create users: ``make_user(role="grower")`` (a farm or canteen is created if needed)."""
    from pial.auth.passwords import hash_password
    from pial.models import User

    password_hash = hash_password(TEST_PASSWORD)

    def factory(role: str = "lead", **values: Any) -> User:
        number = next(_counter)
        values.setdefault("email", f"personne{number}@exemple.fr")
        values.setdefault("display_name", f"Personne {number}")
        values.setdefault("password_hash", password_hash)
        if role == "grower" and "farm" not in values and "farm_id" not in values:
            values["farm"] = make_farm()
        if role == "canteen" and "canteen" not in values and "canteen_id" not in values:
            values["canteen"] = make_canteen()
        user = User(role=role, **values)
        db.add(user)
        db.flush()
        return user

    return factory


@pytest.fixture
def login(client: FlaskClient) -> Callable[[Any], FlaskClient]:
    """Sign a user in on the test client: ``login(user)``."""

    def sign_in(user: Any, password: str = TEST_PASSWORD) -> FlaskClient:
        response = client.post("/connexion", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return sign_in


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class SmtpServer:
    """A real SMTP server process (aiosmtpd) storing what it receives in a Maildir."""

    host: str
    port: int
    maildir: Path

    def messages(self) -> list[Any]:
        """Return the e-mails received so far, oldest first."""
        return read_maildir(self.maildir)


def read_maildir(maildir: Path) -> list[Any]:
    """Return the messages of a Maildir, decoded with the modern e-mail policy."""
    import email
    import mailbox
    from email import policy

    box = mailbox.Maildir(maildir, create=False)
    found = [
        email.message_from_bytes(box.get_bytes(key), policy=policy.default)
        for key in box.iterkeys()
    ]
    box.close()
    return sorted(found, key=lambda message: str(message["Message-ID"]))


def start_smtp_server(maildir: Path, port: int) -> subprocess.Popen[bytes]:
    """Start ``python -m aiosmtpd`` on ``port`` and wait until it accepts connections."""
    import socket
    import time

    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Mailbox", str(maildir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the aiosmtpd server did not start")


@pytest.fixture
def smtp_server(tmp_path: Path, app: Flask) -> Iterator[SmtpServer]:
    """A real SMTP server process for the test; the app is configured to send to it."""
    maildir = tmp_path / "maildir"
    port = _free_port()
    process = start_smtp_server(maildir, port)
    app.config.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_TLS": "none"})
    try:
        yield SmtpServer("127.0.0.1", port, maildir)
    finally:
        process.terminate()
        process.wait(timeout=10)


# --- Shared by several test folders ------------------------------------------------------------


class SettableClock:
    """A clock the test moves by hand (``clock.moment = …``); give it as ``PIAL_CLOCK``."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


@pytest.fixture
def scenario(db: Session, make_user: Callable[..., Any]) -> Any:
    """The allocation tests' closed week: three farms, two canteens, two days (``scenario.py``)."""
    from tests.allocation.scenario import build_scenario

    return build_scenario(db, make_user)


@pytest.fixture
def open_scenario(db: Session, scenario: Any) -> Any:
    """The scenario's week, open to offers and orders."""
    from pial.models import WeekState

    scenario.week.state = WeekState.OPEN
    db.commit()
    return scenario


@pytest.fixture
def bearer(db: Session) -> Callable[[Any], dict[str, str]]:
    """Create a personal token for a user; return the request headers that carry it."""
    from pial.api.tokens import create_token

    def headers(user: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {create_token(user, 'tests').secret}"}

    return headers


@contextmanager
def throwaway_database(
    directory: Path, *, postgres: bool = IS_POSTGRES, migrate: bool = True
) -> Iterator[str]:
    """Yield the URL of a new database, migrated unless ``migrate`` is false, dropped after.

    A SQLite file in ``directory``, or a database of its own on the suite's PostgreSQL server:
    for tests whose commits must really happen, seen by several connections, apps or processes
    (the rolled-back ``app`` fixture cannot show that).
    """
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from pial.migrations import upgrade_database

    if not postgres:
        url = f"sqlite:///{directory / 'throwaway.sqlite3'}"
        if migrate:
            upgrade_database(url)
        yield url
        return
    server_url = make_url(POSTGRES_URL)
    name = f"pial_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = server_url.set(database=name).render_as_string(hide_password=False)
        if migrate:
            upgrade_database(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# The clock the demo season is seeded and read on: a Friday afternoon of its open week.
DEMO_SEASON_CLOCK = dt.datetime(2026, 11, 27, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


@dataclass(frozen=True, slots=True)
class DemoSeason:
    """The whole demo season, seeded once a test session in a database of its own."""

    database_url: str
    summary: DemoSummary


@pytest.fixture(scope="session")
def demo_season(
    tmp_path_factory: pytest.TempPathFactory, compiled_translations: Path
) -> Iterator[DemoSeason]:
    """Seed the whole demo season once, on `DEMO_SEASON_CLOCK`, for the tests that read it.

    Seeding it takes 15–60 s: the tests marked ``demo_season`` share it, their ``app`` on
    this database and this clock, rolling back whatever they change, as anywhere else. The
    season is seeded in one transaction, as a test would, then committed once.
    """
    from pial.demo import seed_demo

    with throwaway_database(tmp_path_factory.mktemp("demo-season")) as url:
        application = make_app(
            url, tmp_path_factory.mktemp("demo-season-instance"),
            PIAL_CLOCK=lambda: DEMO_SEASON_CLOCK,
            BABEL_TRANSLATION_DIRECTORIES=str(compiled_translations),
        )
        with one_transaction(application) as outer, application.app_context():
            summary = seed_demo()
            assert summary.loaded, summary.reason
            outer.commit()
        yield DemoSeason(url, summary)


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    """URL of an empty, migrated database of the suite's kind, dropped after the test."""
    with throwaway_database(tmp_path) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_of_each_kind(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty, migrated database of each engine in turn, dropped after the test."""
    with throwaway_database(tmp_path, postgres=request.param == "postgresql") as url:
        yield url
