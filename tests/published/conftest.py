"""Fixtures of the published-plan tests: the allocation scenario, on its own clock."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.allocation.scenario import Scenario, build_scenario, scenario_app_config


@pytest.fixture
def app_config() -> dict[str, Any]:
    """The scenario's clock: the week has closed, none of its delivery days has come."""
    return scenario_app_config()


@pytest.fixture
def scenario(db: Session, make_user: Any) -> Scenario:
    """A closed week, ready to allocate (three farms, two canteens, two days)."""
    return build_scenario(db, make_user)
