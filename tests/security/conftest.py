"""Fixtures of the security tests: the scenario's clock, sessions without password checks.

``scenario``, ``open_scenario``, ``bearer`` and ``fresh_url`` come from tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.allocation.scenario import BEFORE_DEADLINES, scenario_app_config


@pytest.fixture
def app_config() -> dict[str, Any]:
    """A clock two days before the scenario's deadlines."""
    return scenario_app_config(BEFORE_DEADLINES)


@pytest.fixture
def session_client(app: Flask, client: FlaskClient) -> Callable[[Any], FlaskClient]:
    """Return a fresh client signed in as ``user`` (None: anonymous), without a sign-in POST."""

    def make(user: Any) -> FlaskClient:
        fresh = app.test_client()
        if user is not None:
            with fresh.session_transaction() as session:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
        return fresh

    return make
