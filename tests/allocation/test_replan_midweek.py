"""A crop failure declared mid-week: days already delivered stay as they were, receipts too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.allocation import runs, services
from pial.deliveries import services as deliveries
from pial.errors import InvalidInput
from pial.models import AllocationLine, Receipt
from tests.allocation.scenario import MONDAY, THURSDAY, Scenario

OFFERED_CARROTS = {"luchon": 60, "stgaudens": 60, "montrejeau": 50}


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Tuesday of the delivery week: Monday's deliveries are made, Thursday's are to come."""
    return {"PIAL_CLOCK": lambda: dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)}


def cells(lines: list[AllocationLine], day: dt.date) -> dict[tuple[int, int, int], Decimal]:
    """Return the quantities of one day, by (farm, canteen, product)."""
    return {(ln.farm_id, ln.canteen_id, ln.product_id): ln.quantity
            for ln in lines if ln.day == day}


def test_midweek_failure_moves_only_days_to_come(db: Session, scenario: Scenario) -> None:
    services.allocate_week(scenario.iso_week, scenario.lead)
    first = services.publish_week(scenario.iso_week, scenario.lead)
    carrot = scenario.products["carotte"]
    thursday_carrots = {
        key: sum((ln.quantity for ln in first.lines if ln.farm_id == farm.id
                  and ln.product_id == carrot.id and ln.day == THURSDAY), Decimal(0))
        for key, farm in scenario.farms.items()
    }
    key = max(thursday_carrots, key=lambda k: thursday_carrots[k])
    assert thursday_carrots[key] >= 10
    farm = scenario.farms[key]
    planned = sum((ln.quantity for ln in first.lines
                   if ln.farm_id == farm.id and ln.product_id == carrot.id), Decimal(0))
    monday_line = next(ln for ln in first.lines if ln.day == MONDAY)
    manager = next(m for m in scenario.managers.values()
                   if m.canteen_id == monday_line.canteen_id)
    deliveries.confirm_receipt(manager, monday_line.canteen_id, monday_line.id,
                               monday_line.quantity, "ok", None)

    lost = OFFERED_CARROTS[key] - planned + 10  # 10 kg fewer than planned, on Thursday
    second = services.declare_crop_failure(scenario.growers[key], farm.id, scenario.iso_week,
                                           carrot.id, lost)

    assert cells(second.lines, MONDAY) == cells(first.lines, MONDAY)
    thursday = runs.changes_between(first, second)
    assert thursday and all(change.day == THURSDAY for change in thursday)
    receipt = db.scalars(select(Receipt)).one()
    moved_to = db.get(AllocationLine, receipt.allocation_line_id)
    assert moved_to is not None and moved_to.run_id == second.id
    note = deliveries.delivery_note(monday_line.canteen_id, scenario.iso_week, MONDAY)
    assert any(item.receipt is not None for farm_note in note.farms for item in farm_note.lines)


def test_a_loss_beyond_what_is_left_to_deliver_is_refused(
    db: Session, scenario: Scenario
) -> None:
    services.allocate_week(scenario.iso_week, scenario.lead)
    first = services.publish_week(scenario.iso_week, scenario.lead)
    carrot = scenario.products["carotte"]
    monday = {key: sum((ln.quantity for ln in first.lines if ln.farm_id == farm.id
                        and ln.product_id == carrot.id and ln.day == MONDAY), Decimal(0))
              for key, farm in scenario.farms.items()}
    key = max(monday, key=lambda k: monday[k])
    farm = scenario.farms[key]
    with pytest.raises(InvalidInput, match=r"reste .* à livrer"):
        services.declare_crop_failure(scenario.growers[key], farm.id, scenario.iso_week,
                                      carrot.id, OFFERED_CARROTS[key])
    assert runs.published_run(scenario.week).id == first.id  # type: ignore[union-attr]
