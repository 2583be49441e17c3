"""Fixtures of the API tests: the allocation scenario, an open week, bearer tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pial.models import WeekState
from tests.allocation.scenario import Scenario, build_scenario

BEFORE_DEADLINE = dt.datetime(2026, 11, 18, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def app_config() -> dict[str, Any]:
    """A clock two days before the scenario's deadlines, so that its week can be edited."""
    return {"PIAL_CLOCK": lambda: BEFORE_DEADLINE}


@pytest.fixture
def scenario(db: Session, make_user: Any) -> Scenario:
    """The allocation tests' closed week, coordinated by the Saint-Gaudens farm."""
    return build_scenario(db, make_user)


@pytest.fixture
def open_scenario(db: Session, scenario: Scenario) -> Scenario:
    """The same week, open to offers and orders (deadlines not passed on the test clock)."""
    scenario.week.state = WeekState.OPEN
    db.commit()
    return scenario


@pytest.fixture
def bearer(db: Session) -> Callable[[Any], dict[str, str]]:
    """Create a personal token for a user; return the request headers that carry it."""
    from pial.api.tokens import create_token

    def headers(user: Any) -> dict[str, str]:
        issued = create_token(user, "tests")
        return {"Authorization": f"Bearer {issued.secret}"}

    return headers
