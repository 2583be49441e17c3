"""Fixtures of the published-plan tests: the scenario's clock (``scenario`` is shared)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.allocation.scenario import AFTER_CLOSE


@pytest.fixture
def clock() -> list[dt.datetime]:
    """The app's « now », as a one-item list a test may move on: ``clock[0] = …``."""
    return [AFTER_CLOSE]


@pytest.fixture
def app_config(clock: list[dt.datetime]) -> dict[str, Any]:
    """The scenario's clock: the week has closed, none of its delivery days has come."""
    return {"PIAL_CLOCK": lambda: clock[0]}
