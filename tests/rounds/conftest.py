"""Fixtures of the rounds tests: the allocation scenario's week, published, with two vans."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pial.allocation import services as allocation
from pial.models import DeliveryWindow, Vehicle
from tests.allocation.scenario import Scenario, scenario_app_config


@pytest.fixture
def app_config() -> dict[str, Any]:
    """The scenario's clock: the week has closed, none of its delivery days has come."""
    return scenario_app_config()


@dataclass
class Published:
    """The published scenario and the vans registered for it."""

    scenario: Scenario
    vans: dict[str, Vehicle]


@pytest.fixture
def published(db: Session, scenario: Scenario) -> Published:
    """Publish the scenario's week; register a van for every farm and a window per canteen."""
    allocation.allocate_week(scenario.iso_week, scenario.lead)
    allocation.publish_week(scenario.iso_week, scenario.lead)
    vans = {}
    for key, farm in scenario.farms.items():
        vans[key] = Vehicle(name=f"Camionnette {farm.name}", farm_id=farm.id,
                            capacity_kg=Decimal(800), capacity_crates=60,
                            free_from_min=5 * 60, free_until_min=14 * 60,
                            driver_name=f"Chauffeur {farm.name}", driver_phone="06 12 34 56 78")
        db.add(vans[key])
    for canteen in scenario.canteens.values():
        db.add(DeliveryWindow(canteen_id=canteen.id, starts_min=7 * 60, ends_min=11 * 60,
                              instructions=f"Sonner à la cuisine de {canteen.name}"))
    db.commit()
    return Published(scenario, vans)
