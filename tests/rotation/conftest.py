"""Fixtures of the rotation tests: a clock set on Monday 16 November 2026."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SettableClock
from tests.weeks.conftest import BEFORE_DEADLINES


@pytest.fixture
def clock() -> SettableClock:
    """The app's clock, on Monday 16 November 2026 (week 47 has begun)."""
    return SettableClock(BEFORE_DEADLINES)


@pytest.fixture
def app_config(clock: SettableClock) -> dict[str, Any]:
    """Inject the settable clock into the app."""
    return {"PIAL_CLOCK": clock}
