"""Fixtures of the API tests: the scenario's clock, before its deadlines.

``scenario``, ``open_scenario`` and ``bearer`` come from tests/conftest.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.allocation.scenario import BEFORE_DEADLINES, scenario_app_config


@pytest.fixture
def app_config() -> dict[str, Any]:
    """A clock two days before the scenario's deadlines, so that its week can be edited."""
    return scenario_app_config(BEFORE_DEADLINES)
