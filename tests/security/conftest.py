"""Fixtures of the security tests: the allocation scenario, sessions without password checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from pial.models import WeekState
from tests.allocation.scenario import Scenario, build_scenario

BEFORE_DEADLINE = dt.datetime(2026, 11, 18, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def app_config() -> dict[str, Any]:
    """A clock two days before the scenario's deadlines."""
    return {"PIAL_CLOCK": lambda: BEFORE_DEADLINE}


@pytest.fixture
def scenario(db: Session, make_user: Any) -> Scenario:
    """The allocation tests' closed week, coordinated by the Saint-Gaudens farm."""
    return build_scenario(db, make_user)


@pytest.fixture
def open_scenario(db: Session, scenario: Scenario) -> Scenario:
    """The same week, open to offers and orders."""
    scenario.week.state = WeekState.OPEN
    db.commit()
    return scenario


@pytest.fixture
def session_client(app: Flask, client: FlaskClient) -> Callable[[Any], FlaskClient]:
    """Return a fresh client signed in as ``user`` (None: anonymous), without a sign-in POST."""

    def make(user: Any) -> FlaskClient:
        fresh = app.test_client()
        if user is not None:
            with fresh.session_transaction() as session:
                session["_user_id"] = str(user.id)
                session["_fresh"] = True
        return fresh

    return make


@pytest.fixture
def bearer(db: Session) -> Callable[[Any], dict[str, str]]:
    """Create a personal token for a user; return the request headers that carry it."""
    from pial.api.tokens import create_token

    def headers(user: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {create_token(user, 'tests').secret}"}

    return headers


@pytest.fixture
def fresh_url(tmp_path: Any) -> Any:
    """URL of an empty, migrated database of the suite's kind, dropped after the test.

    For tests that need real commits seen by several connections or app instances.
    """
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from pial.migrations import upgrade_database
    from tests.conftest import IS_POSTGRES, POSTGRES_URL

    if not IS_POSTGRES:
        url = f"sqlite:///{tmp_path / 'security.sqlite3'}"
        upgrade_database(url)
        yield url
        return
    server_url = make_url(POSTGRES_URL)
    name = f"pial_security_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = server_url.set(database=name).render_as_string(hide_password=False)
        upgrade_database(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
