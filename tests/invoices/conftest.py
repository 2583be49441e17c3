"""Fixtures of the invoice tests: the scenario's clock, which a test may move on (``clock``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.allocation.scenario import AFTER_CLOSE


@pytest.fixture
def clock() -> list[dt.datetime]:
    """The app's « now », as a one-item list a test moves on: ``clock[0] = …``."""
    return [AFTER_CLOSE]


@pytest.fixture
def app_config(clock: list[dt.datetime]) -> dict[str, Any]:
    """Run the app on the movable clock."""
    return {"PIAL_CLOCK": lambda: clock[0]}
