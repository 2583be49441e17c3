"""On the demo season: statements reconcile to the cent with the deliveries; pages render."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pial.demo import DEMO_PASSWORD
from pial.demo.territory import CONTRACT_BUYERS
from pial.models import (
    AdvanceRecovery,
    AllocationRun,
    Canteen,
    CashAdvance,
    Contract,
    DeliveryWeek,
    Farm,
    FeeAccrual,
    FundMovement,
    Price,
    Receipt,
    Role,
    Season,
    User,
    WeekState,
)
from pial.money.accrual import accrue_delivered_weeks
from pial.money.statements import canteen_statement, farm_statement
from tests.conftest import DemoSeason

MONTHS = (dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1))
CENT = Decimal("0.01")

# Each test reads the session's demo season, on its clock (`demo_season`, tests/conftest.py).
pytestmark = [pytest.mark.slow, pytest.mark.demo_season]


def _independent_values(db: Session) -> dict[tuple[int, int, dt.date], Decimal]:
    """Value every delivered line from the price tables, not from the money package."""
    contract = db.scalar(select(Contract))
    assert contract is not None
    contract_prices = {line.product_id: line.price_eur for line in contract.lines}
    assert contract.canteen_group is not None  # the demo's tender lot is a group's
    buyer_ids = {canteen.id for canteen in contract.canteen_group.canteens}
    assert len(buyer_ids) == len(CONTRACT_BUYERS)
    values: dict[tuple[int, int, dt.date], Decimal] = defaultdict(Decimal)
    for week in db.scalars(select(DeliveryWeek).where(DeliveryWeek.state == WeekState.DELIVERED)):
        run = db.scalar(select(AllocationRun).where(AllocationRun.week_id == week.id)
                        .order_by(AllocationRun.published_version.desc()).limit(1))
        assert run is not None and run.is_published
        season = db.scalar(select(Season).where(Season.start_date <= week.monday_date,
                                                Season.end_date >= week.monday_date))
        assert season is not None
        prices = {p.product_id: p.price_eur
                  for p in db.scalars(select(Price).where(Price.season_id == season.id))}
        for line in run.lines:
            receipt = db.scalar(select(Receipt).where(Receipt.allocation_line_id == line.id))
            quantity = receipt.received_quantity if receipt else line.quantity
            under_contract = (line.canteen_id in buyer_ids and line.product_id in contract_prices
                              and contract.start_date <= line.day <= contract.end_date)
            price = contract_prices[line.product_id] if under_contract else prices[line.product_id]
            value = (quantity * price).quantize(CENT, rounding=ROUND_HALF_UP)
            values[(line.farm_id, line.canteen_id, line.day.replace(day=1))] += value
    return values


def test_demo_statements_reconcile_to_the_cent(db: Session, demo_season: DemoSeason) -> None:
    summary = demo_season.summary
    assert len(summary.season.delivered_weeks) >= 10
    farms = db.scalars(select(Farm).order_by(Farm.id)).all()
    canteens = db.scalars(select(Canteen).order_by(Canteen.id)).all()

    # The demo accrues each week as it is delivered; accruing again must change nothing.
    reports = accrue_delivered_weeks()
    assert [r.iso_week for r in reports] == summary.season.delivered_weeks
    assert all(r.created == r.updated == r.removed == 0 for r in reports)

    expected = _independent_values(db)
    grand_value = grand_fee = grand_fund = grand_recovered = Decimal(0)
    for month in MONTHS:
        farm_totals = Decimal(0)
        for farm in farms:
            statement = farm_statement(farm.id, month)
            assert statement.pending_sales == 0 or month.month == 11  # W48 Thursday pending
            value = statement.total("value_eur")
            assert value == sum((v for (f, _c, m), v in expected.items()
                                 if f == farm.id and m == month), Decimal(0))
            for line in statement.lines:
                assert line.fee_eur == (line.value_eur * Decimal("0.05")).quantize(
                    CENT, rounding=ROUND_HALF_UP)
                assert line.fund_eur == (line.value_eur * Decimal("0.01")).quantize(
                    CENT, rounding=ROUND_HALF_UP)
                assert line.unit_price_eur is not None
                assert line.value_eur == (line.quantity * line.unit_price_eur).quantize(
                    CENT, rounding=ROUND_HALF_UP)
            assert statement.total("net_eur") + statement.total("fee_eur") + statement.total(
                "fund_eur") + statement.total("recovered_eur") == value
            farm_totals += value
            grand_fee += statement.total("fee_eur")
            grand_fund += statement.total("fund_eur")
            grand_recovered += statement.total("recovered_eur")
        canteen_totals = sum((canteen_statement(c.id, month).total("value_eur")
                              for c in canteens), Decimal(0))
        assert farm_totals == canteen_totals
        grand_value += farm_totals
    assert grand_value > 0
    assert grand_value == db.scalar(select(func.sum(FeeAccrual.base_value_eur)))
    assert grand_fee == db.scalar(select(func.sum(FeeAccrual.fee_eur)))
    manual_fund = db.scalar(select(func.coalesce(func.sum(FundMovement.amount_eur), 0))
                            .where(FundMovement.fee_accrual_id.is_(None)))
    assert grand_fund + Decimal(manual_fund) == db.scalar(
        select(func.sum(FundMovement.amount_eur)))
    assert grand_recovered == db.scalar(select(func.coalesce(func.sum(
        AdvanceRecovery.amount_eur), 0)).where(AdvanceRecovery.fee_accrual_id.is_not(None)))
    # Each advance takes its rate of each sale, in order, until it is repaid.
    for advance in db.scalars(select(CashAdvance).where(CashAdvance.recovery_rate.is_not(None))):
        rate = advance.recovery_rate
        assert rate is not None
        shares = sum(((a.base_value_eur * rate).quantize(CENT, rounding=ROUND_HALF_UP)
                      for a in db.scalars(select(FeeAccrual).where(
                          FeeAccrual.farm_id == advance.farm_id))
                      if a.allocation_line is not None
                      and a.allocation_line.day >= advance.granted_date), Decimal(0))
        manual = sum((r.amount_eur for r in advance.recoveries if r.fee_accrual_id is None),
                     Decimal(0))
        automatic = sum((r.amount_eur for r in advance.recoveries
                         if r.fee_accrual_id is not None), Decimal(0))
        assert automatic == min(advance.amount_eur - manual, shares)
        assert (advance.closed_date is not None) == (automatic + manual >= advance.amount_eur)


def test_demo_pages_render_for_each_role(db: Session, login: Any) -> None:
    lead = db.scalar(select(User).where(User.role == Role.LEAD))
    contract = db.scalar(select(Contract))
    assert lead is not None and contract is not None
    client = login(lead, DEMO_PASSWORD)
    for url in ("/contrats/", f"/contrats/{contract.id}", "/argent/releves?mois=2026-11",
                "/argent/equite", "/argent/fonds", "/argent/avances", "/argent/taux",
                "/argent/regulation", "/argent/regulation.xlsx?du=2026-10-01&au=2026-11-27"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/contrats/{contract.id}").get_data(as_text=True)
    assert "Lot 22" in page and 'role="img"' in page
    grower = db.scalar(select(User).where(User.role == Role.GROWER))
    manager = db.scalar(select(User).where(User.role == Role.CANTEEN))
    assert grower is not None and manager is not None
    client.post("/deconnexion")
    client = login(grower, DEMO_PASSWORD)
    assert client.get(f"/argent/releves/ferme/{grower.farm_id}?mois=2026-11").status_code == 200
    assert client.get(f"/argent/equite/{grower.farm_id}").status_code == 200
    client.post("/deconnexion")
    client = login(manager, DEMO_PASSWORD)
    response = client.get(f"/argent/releves/cantine/{manager.canteen_id}.xlsx?mois=2026-11")
    assert response.status_code == 200
