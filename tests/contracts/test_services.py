"""Contracts through the services: upkeep, refusals, order marking, progress of a year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.contracts import services
from pial.contracts.tracking import expected_to_date
from pial.errors import Forbidden, InvalidInput
from pial.models import OrderLine, OrderPriority, Receipt, WeekState
from pial.weeks.orders import OrderInput, contract_line_for_order, save_orders
from tests.allocation.scenario import MONDAY, THURSDAY, Scenario
from tests.contracts.conftest import make_group_contract
from tests.money.conftest import deliver


def _order(scenario: Scenario, key: str, product: str, day: dt.date, quantity: int) -> None:
    save_orders(scenario.managers[key], scenario.canteens[key].id, scenario.iso_week,
                [OrderInput(scenario.products[product].id, Decimal(quantity), day)])


def _line(db: Session, scenario: Scenario, key: str, product: str, day: dt.date) -> OrderLine:
    line = db.scalar(select(OrderLine).where(
        OrderLine.week_id == scenario.week.id, OrderLine.canteen_id == scenario.canteens[key].id,
        OrderLine.product_id == scenario.products[product].id, OrderLine.day == day))
    assert line is not None
    return line


def test_orders_of_a_group_member_are_marked_contract(db: Session, scenario: Scenario) -> None:
    contract = make_group_contract(db, scenario)
    line = contract.lines[0]
    scenario.week.state = WeekState.OPEN
    db.commit()
    _order(scenario, "luchon", "carotte", MONDAY, 40)
    _order(scenario, "stgaudens", "carotte", MONDAY, 30)

    marked = _line(db, scenario, "luchon", "carotte", MONDAY)
    assert (marked.priority, marked.contract_line_id) == (OrderPriority.CONTRACT, line.id)
    other = _line(db, scenario, "stgaudens", "carotte", MONDAY)
    assert (other.priority, other.contract_line_id) == (OrderPriority.REGULAR, None)

    # Periods restrict the line to their dates; an inactive contract marks nothing.
    services.add_period(scenario.lead, contract.id, line.id, dt.date(2026, 11, 23),
                        dt.date(2026, 11, 24), Decimal(100))
    assert contract_line_for_order(db, scenario.canteens["luchon"].id,
                                   scenario.products["carotte"].id, THURSDAY) is None
    assert contract_line_for_order(db, scenario.canteens["luchon"].id,
                                   scenario.products["carotte"].id, MONDAY) == line
    services.save_contract(scenario.lead, contract.id, {"is_active": False} | {
        name: getattr(contract, name) for name in (
            "title", "tender_reference", "lot_label", "canteen_id", "canteen_group_id",
            "start_date", "end_date", "renewal_of_id", "delivery_frequency", "notes")},
        [farm.id for farm in contract.growers], contract.version_id)
    _order(scenario, "luchon", "carotte", MONDAY, 45)
    assert _line(db, scenario, "luchon", "carotte", MONDAY).priority == OrderPriority.REGULAR


def test_upkeep_refusals_name_the_field(db: Session, scenario: Scenario) -> None:
    contract = make_group_contract(db, scenario)
    values = {"title": "X", "tender_reference": None, "lot_label": None,
              "canteen_id": scenario.canteens["luchon"].id, "canteen_group_id": None,
              "start_date": dt.date(2027, 1, 1), "end_date": dt.date(2026, 1, 1),
              "renewal_of_id": None, "delivery_frequency": None, "notes": None,
              "is_active": True}
    with pytest.raises(InvalidInput) as error:
        services.save_contract(scenario.lead, None, values, [], None)
    assert "end_date" in error.value.field_errors
    with pytest.raises(InvalidInput) as error:
        services.save_line(scenario.lead, contract.id, None, {
            "product_id": scenario.products["carotte"].id,
            "committed_min_quantity_per_year": Decimal(1), "production_cost_eur": Decimal(1),
            "margin_eur": Decimal(0), "intermediation_fee_eur": Decimal(0)}, None)
    assert "product_id" in error.value.field_errors
    line = contract.lines[0]
    services.add_period(scenario.lead, contract.id, line.id, dt.date(2026, 10, 1),
                        dt.date(2026, 10, 31), Decimal(150))
    with pytest.raises(InvalidInput, match="chevauche"):
        services.add_period(scenario.lead, contract.id, line.id, dt.date(2026, 10, 15),
                            dt.date(2026, 11, 15), Decimal(150))
    with pytest.raises(InvalidInput):
        services.add_period(scenario.lead, contract.id, line.id, dt.date(2030, 1, 1),
                            dt.date(2030, 1, 31), Decimal(1))
    with pytest.raises(Forbidden):
        services.save_line(scenario.growers["luchon"], contract.id, line.id, {}, None)
    assert line.price_eur == Decimal("1.75")


def test_progress_counts_receipts_per_grower_against_the_pro_rata(
    db: Session, scenario: Scenario
) -> None:
    contract = make_group_contract(db, scenario)
    deliver(scenario, short_by={0: "3"})
    as_of = dt.date(2026, 11, 30)
    progress = services.contract_progress(contract.id, scenario.lead, as_of=as_of)

    assert progress.year.index == 1 and progress.year.start == dt.date(2026, 9, 1)
    (line_progress,) = progress.lines
    luchon = scenario.canteens["luchon"].id
    carrots = scenario.products["carotte"].id
    run_lines = [ln for run in scenario.week.allocation_runs if run.is_published
                 for ln in run.lines if ln.canteen_id == luchon and ln.product_id == carrots]
    assert run_lines, "the scenario delivers carrots to Luchon"
    delivered = Decimal(0)
    for ln in run_lines:
        receipt = db.scalar(select(Receipt).where(Receipt.allocation_line_id == ln.id))
        delivered += receipt.received_quantity if receipt else ln.quantity
    assert line_progress.delivered == delivered
    assert sum(c.quantity for c in line_progress.contributions) == delivered
    assert all(c.is_listed == (c.farm.id != scenario.farms["montrejeau"].id)
               for c in line_progress.contributions)
    assert line_progress.commitment == Decimal(2000)
    expected = expected_to_date(Decimal(2000), [], progress.year, as_of)
    assert line_progress.expected == expected
    assert line_progress.alert is not None  # one week of carrots is far behind 91 days' due
    assert line_progress.alert.behind_by == expected - delivered
    assert line_progress.delivered_eur == (delivered * Decimal("1.75")).quantize(Decimal("0.01"))
    assert progress.weekly[-1][1] == line_progress.delivered_eur


def test_a_canteen_outside_the_buyer_cannot_see_the_contract(
    db: Session, scenario: Scenario
) -> None:
    contract = make_group_contract(db, scenario)
    assert services.list_contracts(scenario.managers["luchon"]) == [contract]
    assert services.list_contracts(scenario.managers["stgaudens"]) == []
    with pytest.raises(Forbidden):
        services.contract_progress(contract.id, scenario.managers["stgaudens"])
    assert services.list_contracts(scenario.growers["luchon"]) == []
