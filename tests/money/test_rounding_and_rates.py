"""The cent rounding rule and the rates in force on a day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from pial.models import Contract, FeeKind, FeeRate, Platform
from pial.money.accrual import recovery_amounts
from pial.money.rates import DEFAULT_RATES, rate_in_force
from pial.rounding import line_value_eur, share_of_eur, to_cent


def test_half_up_to_the_cent() -> None:
    assert to_cent(Decimal("0.005")) == Decimal("0.01")
    assert to_cent(Decimal("0.0049")) == Decimal("0.00")
    assert to_cent(Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67
    assert to_cent(Decimal("-0.005")) == Decimal("-0.01")
    assert line_value_eur(Decimal("3.333"), Decimal("1.45")) == Decimal("4.83")
    assert share_of_eur(Decimal("4.83"), Decimal("0.0500")) == Decimal("0.24")  # 0.2415


@given(st.decimals(min_value=0, max_value=10_000, places=3),
       st.decimals(min_value=0, max_value=100, places=2))
def test_line_values_are_whole_cents_within_half_a_cent(quantity: Decimal,
                                                        price: Decimal) -> None:
    value = line_value_eur(quantity, price)
    assert value == value.quantize(Decimal("0.01"))
    assert abs(value - quantity * price) <= Decimal("0.005")


def test_recovery_takes_the_rate_capped_by_remaining_and_payable() -> None:
    assert recovery_amounts(Decimal("100.00"), Decimal("94.00"),
                            [(Decimal("0.2000"), Decimal("500"))]) == [Decimal("20.00")]
    assert recovery_amounts(Decimal("100.00"), Decimal("94.00"),
                            [(Decimal("0.2000"), Decimal("7.50"))]) == [Decimal("7.50")]
    # Two advances: the second only gets what the first left payable.
    assert recovery_amounts(Decimal("100.00"), Decimal("30.00"),
                            [(Decimal("0.2500"), Decimal("500")),
                             (Decimal("0.2500"), Decimal("500"))]) == [
        Decimal("25.00"), Decimal("5.00")]


def test_rate_in_force_latest_valid_from_contract_before_platform(
    db: Session, make_canteen: object
) -> None:
    day = dt.date(2026, 11, 23)
    assert rate_in_force(db, FeeKind.FEE, day) == DEFAULT_RATES[FeeKind.FEE]
    db.add(Platform(territory_name="T", default_fee_rate=Decimal("0.0700"),
                    default_fund_rate=Decimal("0.0200")))
    db.flush()
    assert rate_in_force(db, FeeKind.FEE, day) == Decimal("0.0700")
    assert rate_in_force(db, FeeKind.FUND, day) == Decimal("0.0200")
    db.add_all([
        FeeRate(kind=FeeKind.FEE, rate=Decimal("0.0400"), valid_from=dt.date(2026, 9, 1)),
        FeeRate(kind=FeeKind.FEE, rate=Decimal("0.0450"), valid_from=dt.date(2026, 11, 23)),
        FeeRate(kind=FeeKind.FEE, rate=Decimal("0.0600"), valid_from=dt.date(2027, 1, 1)),
    ])
    canteen = make_canteen()  # type: ignore[operator]
    contract = Contract(title="Lot 1", canteen_id=canteen.id, start_date=dt.date(2026, 9, 1),
                        end_date=dt.date(2029, 8, 31))
    db.add(contract)
    db.flush()
    assert rate_in_force(db, FeeKind.FEE, day - dt.timedelta(days=1)) == Decimal("0.0400")
    assert rate_in_force(db, FeeKind.FEE, day) == Decimal("0.0450")  # valid_from is inclusive
    assert rate_in_force(db, FeeKind.FEE, dt.date(2027, 3, 1)) == Decimal("0.0600")
    assert rate_in_force(db, FeeKind.FEE, dt.date(2026, 8, 1)) == Decimal("0.0700")
    # The contract has no own rate yet: the platform's applies.
    assert rate_in_force(db, FeeKind.FEE, day, contract.id) == Decimal("0.0450")
    db.add(FeeRate(kind=FeeKind.FEE, rate=Decimal("0.0300"), valid_from=dt.date(2026, 10, 1),
                   contract_id=contract.id))
    db.flush()
    assert rate_in_force(db, FeeKind.FEE, day, contract.id) == Decimal("0.0300")
    assert rate_in_force(db, FeeKind.FEE, dt.date(2026, 9, 15), contract.id) == Decimal("0.0400")
    assert rate_in_force(db, FeeKind.FUND, day, contract.id) == Decimal("0.0200")
