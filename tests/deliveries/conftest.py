"""Fixtures of the delivery tests: the scenario's week, delivered (``scenario`` is shared)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.allocation.scenario import scenario_app_config

AFTER_DELIVERIES = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
"""The Friday after the scenario's week: its Monday and Thursday deliveries can be received."""


@pytest.fixture
def app_config() -> dict[str, Any]:
    """The scenario's clock on the Friday after its deliveries."""
    return scenario_app_config(AFTER_DELIVERIES)
