"""Fixtures of the published-plan tests: the allocation scenario, on its own clock."""

from __future__ import annotations

from tests.allocation.conftest import app_config, scenario

__all__ = ["app_config", "scenario"]
