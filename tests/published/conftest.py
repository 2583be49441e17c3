"""Fixtures of the published-plan tests: the scenario's clock (``scenario`` is shared)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.allocation.scenario import scenario_app_config


@pytest.fixture
def app_config() -> dict[str, Any]:
    """The scenario's clock: the week has closed, none of its delivery days has come."""
    return scenario_app_config()
