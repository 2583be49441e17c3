"""Fixtures of the money tests: the allocation scenario's week, published and delivered."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import current_app

from tests.allocation.scenario import Scenario, scenario_app_config

AFTER_DELIVERIES = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
"""The Friday after the scenario's week: its deliveries have come and can be received."""


@pytest.fixture
def app_config() -> dict[str, Any]:
    """The scenario's clock: the week has closed, none of its delivery days has come."""
    return scenario_app_config()


def deliver(scenario: Scenario, short_by: dict[int, str] | None = None) -> None:
    """Allocate, publish, record receipts (some short) and mark the scenario's week delivered."""
    from pial.allocation.services import allocate_week, publish_week
    from pial.deliveries.services import confirm_receipt, mark_week_delivered

    run = allocate_week(scenario.iso_week, scenario.lead)
    publish_week(scenario.iso_week, scenario.lead, run.id)
    # Receipts are recorded once the goods came: the clock moves to the Friday after the week
    # while they are, then back to the test's own clock.
    test_clock = current_app.config.get("PIAL_CLOCK")
    current_app.config["PIAL_CLOCK"] = lambda: AFTER_DELIVERIES
    managers = {manager.canteen_id: manager for manager in scenario.managers.values()}
    try:
        for index, line in enumerate(sorted(run.lines, key=lambda ln: ln.id)):
            quantity = (short_by or {}).get(index)
            if quantity is not None:
                confirm_receipt(managers[line.canteen_id], line.canteen_id, line.id, quantity)
    finally:
        current_app.config["PIAL_CLOCK"] = test_clock
    mark_week_delivered(scenario.iso_week, scenario.lead)
