"""Fixtures of the contract tests: the allocation scenario, and a contract on it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pial.models import CanteenGroup, Contract
from tests.allocation.scenario import Scenario


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Set the clock to the Monday before the scenario's week (orders still open)."""
    return {"PIAL_CLOCK": lambda: dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)}


def make_group_contract(db: Session, scenario: Scenario) -> Contract:
    """Create a three-year contract of a group holding the Luchon canteen, through the services."""
    from pial.contracts.services import save_contract, save_line

    group = CanteenGroup(name="Groupement de Luchon", canteens=[scenario.canteens["luchon"]])
    db.add(group)
    db.commit()
    contract = save_contract(scenario.lead, None, {
        "title": "Lot 22 – légumes bio", "tender_reference": "AO-2026-03", "lot_label": "Lot 22",
        "canteen_id": None, "canteen_group_id": group.id,
        "start_date": dt.date(2026, 9, 1), "end_date": dt.date(2029, 8, 31),
        "renewal_of_id": None, "delivery_frequency": "lundi et jeudi", "notes": None,
        "is_active": True,
    }, [scenario.farms["luchon"].id, scenario.farms["stgaudens"].id], None)
    save_line(scenario.lead, contract.id, None, {
        "product_id": scenario.products["carotte"].id,
        "committed_min_quantity_per_year": Decimal(2000),
        "production_cost_eur": Decimal("1.40"), "margin_eur": Decimal("0.25"),
        "intermediation_fee_eur": Decimal("0.10")}, None)
    return contract
