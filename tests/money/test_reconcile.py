"""``pial money reconcile``: the demo season reconciles to the cent; a tampered figure shows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.models import FeeAccrual, Invoice, InvoiceLine

# Each test reads the session's demo season, on its clock (`demo_season`, tests/conftest.py).
pytestmark = [pytest.mark.slow, pytest.mark.demo_season]


def test_the_demo_season_reconciles_and_a_wrong_cent_is_reported(db: Session, app: Flask) -> None:
    # The ended months are invoiced; the Luchon kitchens through their commune, together.
    invoices = db.scalars(select(Invoice)).all()
    assert {invoice.month for invoice in invoices} >= {dt.date(2026, 9, 1), dt.date(2026, 10, 1)}
    # In term time both kitchens are on the commune's invoice; on 31 August the school is
    # still on summer holiday, so that month's invoice holds the one kitchen that was open.
    kitchens_by_month = {invoice.month: {line.canteen_id for line in invoice.lines}
                         for invoice in invoices if invoice.buyer_group_id is not None}
    assert len(kitchens_by_month[dt.date(2026, 9, 1)]) == 2
    assert kitchens_by_month[dt.date(2026, 10, 1)] == kitchens_by_month[dt.date(2026, 9, 1)]
    assert len(kitchens_by_month[dt.date(2026, 8, 1)]) == 1
    runner = app.test_cli_runner()
    result = runner.invoke(args=["money", "reconcile"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(": 0 écart(s).")
    assert "2026-08, 2026-09, 2026-10, 2026-11" in result.output

    # One accrual a cent too high: the farm's and the canteen's statements now disagree.
    accrual = db.scalars(select(FeeAccrual).order_by(FeeAccrual.id)).first()
    assert accrual is not None
    accrual.base_value_eur += Decimal("0.01")
    db.flush()
    day = accrual.allocation_line.day
    result = runner.invoke(args=["money", "reconcile", "--from", f"{day:%Y-%m-%d}",
                                 "--to", f"{day:%Y-%m-%d}"])
    assert result.exit_code == 1
    *differences, summary = result.output.splitlines()
    assert summary.endswith(f"sur {day:%Y-%m} : 2 écart(s).")
    assert sorted(differences) == sorted([
        f"{owner}, {day:%Y-%m} : réceptions {value} € ≠ relevé {value + Decimal('0.01')} € "
        f"(écart -0.01 €)"
        for owner, value in [
            (f"Cantine {accrual.canteen.name}", _received(db, day, canteen_id=accrual.canteen_id)),
            (f"Ferme {accrual.farm.name}", _received(db, day, farm_id=accrual.farm_id))]])


def _received(db: Session, day: dt.date, **owner: int) -> Decimal:
    """Return the month's invoiced value of a canteen or farm (the demo's month is invoiced)."""
    first = day.replace(day=1)
    query = select(InvoiceLine.value_eur).join(Invoice).where(Invoice.month == first)
    for name, value in owner.items():
        query = query.where(getattr(InvoiceLine, name) == value)
    return sum(db.scalars(query), Decimal(0))
