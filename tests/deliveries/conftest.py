"""Fixtures of the allocation tests."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.allocation.scenario import Scenario, build_scenario


@pytest.fixture
def scenario(db: Session, make_user: Any) -> Scenario:
    """A closed week, ready to allocate, coordinated by the Saint-Gaudens farm."""
    return build_scenario(db, make_user)
