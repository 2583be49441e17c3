"""Accruing a delivered week: one row per sale, fee and fund to the cent, idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pial.allocation.runs import published_run
from pial.errors import Conflict
from pial.models import (
    AdvanceRecovery,
    CashAdvance,
    Contract,
    ContractLine,
    FeeAccrual,
    FeeKind,
    FeeRate,
    FundMovement,
    Receipt,
)
from pial.money.accrual import accrue_week
from pial.rounding import to_cent
from tests.allocation.scenario import Scenario
from tests.money.conftest import deliver

PRICES = {"carotte": Decimal("1.90"), "poireau": Decimal("2.60"), "salade": Decimal("1.20")}


def _accruals(db: Session) -> list[FeeAccrual]:
    return list(db.scalars(select(FeeAccrual).order_by(FeeAccrual.allocation_line_id)))


def test_a_week_must_be_delivered_first(db: Session, scenario: Scenario) -> None:
    with pytest.raises(Conflict):
        accrue_week(scenario.iso_week, scenario.lead)


def test_every_sale_accrues_fee_and_fund_rounded_per_line(
    db: Session, scenario: Scenario
) -> None:
    deliver(scenario, short_by={0: "7.3"})
    report = accrue_week(scenario.iso_week, scenario.lead)

    run = published_run(scenario.week)
    assert run is not None
    accruals = _accruals(db)
    assert report.created == len(run.lines) == len(accruals)
    first_line = min(run.lines, key=lambda ln: ln.id)
    receipt = db.scalar(select(Receipt).where(Receipt.allocation_line_id == first_line.id))
    assert receipt is not None
    for accrual in accruals:
        line = accrual.allocation_line
        assert line is not None
        quantity = Decimal("7.3") if line.id == first_line.id else line.quantity
        expected = to_cent(quantity * PRICES[line.product.slug])
        assert accrual.base_value_eur == expected
        assert accrual.fee_rate == Decimal("0.0500") and accrual.fund_rate == Decimal("0.0100")
        assert accrual.fee_eur == to_cent(expected * Decimal("0.05"))
        assert accrual.fund_eur == to_cent(expected * Decimal("0.01"))
    assert accruals[0].receipt_id == receipt.id
    assert report.fee_eur == sum(a.fee_eur for a in accruals)
    fund_total = db.scalar(select(func.sum(FundMovement.amount_eur)))
    assert fund_total == sum(a.fund_eur for a in accruals) == report.fund_eur


def test_accrual_is_idempotent_and_follows_a_late_receipt(
    db: Session, scenario: Scenario
) -> None:
    from flask import current_app

    from pial.deliveries.services import confirm_receipt
    from tests.money.conftest import AFTER_DELIVERIES

    deliver(scenario)
    first = accrue_week(scenario.iso_week, scenario.lead)
    before = [(a.id, a.base_value_eur, a.fee_eur) for a in _accruals(db)]
    again = accrue_week(scenario.iso_week, scenario.lead)
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
    assert [(a.id, a.base_value_eur, a.fee_eur) for a in _accruals(db)] == before
    assert db.scalar(select(func.count()).select_from(FundMovement)) == first.created

    run = published_run(scenario.week)
    assert run is not None
    line = min(run.lines, key=lambda ln: ln.id)
    manager = next(m for m in scenario.managers.values() if m.canteen_id == line.canteen_id)
    current_app.config["PIAL_CLOCK"] = lambda: AFTER_DELIVERIES  # received after the week
    confirm_receipt(manager, line.canteen_id, line.id, "0")  # refused at the door
    late = accrue_week(scenario.iso_week, scenario.lead)
    assert (late.created, late.updated) == (0, 1)
    accrual = db.scalar(select(FeeAccrual).where(FeeAccrual.allocation_line_id == line.id))
    assert accrual is not None and accrual.base_value_eur == 0 and accrual.fee_eur == 0
    assert db.scalar(select(func.count()).select_from(FundMovement)) == first.created


def test_contract_price_and_contract_rate_apply_to_contract_orders(
    db: Session, scenario: Scenario
) -> None:
    canteen = scenario.canteens["luchon"]
    contract = Contract(title="Lot 22", canteen_id=canteen.id, start_date=dt.date(2026, 9, 1),
                        end_date=dt.date(2029, 8, 31))
    contract.lines.append(ContractLine(
        product_id=scenario.products["carotte"].id,
        committed_min_quantity_per_year=Decimal(1000), production_cost_eur=Decimal("1.40"),
        margin_eur=Decimal("0.25"), intermediation_fee_eur=Decimal("0.10")))
    db.add(contract)
    db.flush()
    db.add(FeeRate(kind=FeeKind.FEE, rate=Decimal("0.0300"), valid_from=dt.date(2026, 9, 1),
                   contract_id=contract.id))
    db.commit()
    deliver(scenario)
    accrue_week(scenario.iso_week, scenario.lead)

    for accrual in _accruals(db):
        line = accrual.allocation_line
        assert line is not None
        if line.canteen_id == canteen.id and line.product.slug == "carotte":
            assert accrual.base_value_eur == to_cent(line.quantity * Decimal("1.75"))
            assert accrual.fee_rate == Decimal("0.0300")
        else:
            assert accrual.base_value_eur == to_cent(line.quantity * PRICES[line.product.slug])
            assert accrual.fee_rate == Decimal("0.0500")


def test_advances_are_recovered_sale_by_sale_until_repaid(
    db: Session, scenario: Scenario
) -> None:
    farm = scenario.farms["luchon"]
    advance = CashAdvance(farm_id=farm.id, amount_eur=Decimal("10.00"),
                          granted_date=dt.date(2026, 9, 1), recovery_rate=Decimal("0.2500"))
    manual = CashAdvance(farm_id=farm.id, amount_eur=Decimal("50.00"),
                         granted_date=dt.date(2026, 9, 1), recovery_rate=None)
    later = CashAdvance(farm_id=farm.id, amount_eur=Decimal("80.00"),
                        granted_date=dt.date(2026, 12, 1), recovery_rate=Decimal("0.5000"))
    db.add_all([advance, manual, later])
    db.commit()
    deliver(scenario)
    accrue_week(scenario.iso_week, scenario.lead)

    farm_accruals = [a for a in _accruals(db) if a.farm_id == farm.id]
    assert farm_accruals, "the scenario gives the Luchon farm some sales"
    recoveries = db.scalars(select(AdvanceRecovery).order_by(AdvanceRecovery.id)).all()
    assert {r.advance_id for r in recoveries} <= {advance.id}  # manual and future: untouched
    total = sum(r.amount_eur for r in recoveries)
    expected_total = min(Decimal("10.00"),
                         sum(to_cent(a.base_value_eur * Decimal("0.25")) for a in farm_accruals))
    assert total == expected_total
    for recovery in recoveries:
        accrual = recovery.fee_accrual
        assert accrual is not None
        assert recovery.amount_eur <= to_cent(accrual.base_value_eur * Decimal("0.25"))
    if total == Decimal("10.00"):
        assert advance.closed_date is not None
    # Idempotent: a second accrual recovers nothing more.
    accrue_week(scenario.iso_week, scenario.lead)
    assert db.scalar(select(func.sum(AdvanceRecovery.amount_eur))) == total
