"""The sales of the platform: each line of a week's current published plan, as delivered.

A line counts what the canteen recorded as received when there is a receipt, else the planned
quantity, at the line's unit price (:mod:`pial.published.prices`: its contract's price under a
contract, else the group's price of the day).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.allocation.runs import current_published_runs
from pial.models import (
    AllocationLine,
    AllocationRun,
    ContractLine,
    DeliveryWeek,
    Receipt,
    WeekState,
)
from pial.published.plan import PlanLine, plan_lines
from pial.rounding import line_value_eur

SALE_WEEK_STATES = (WeekState.PUBLISHED, WeekState.DELIVERED)
"""States of a week whose published plan is (being) delivered."""


@dataclass(frozen=True, slots=True)
class Sale:
    """One delivered line: who sold what to whom, how much, at what unit price."""

    line: PlanLine
    receipt: Receipt | None

    @property
    def quantity(self) -> Decimal:
        """Return the quantity delivered: received if recorded, else planned."""
        return self.receipt.received_quantity if self.receipt is not None else self.line.quantity

    @property
    def unit_price_eur(self) -> Decimal:
        """Return the line's unit price."""
        return self.line.unit_price_eur

    @property
    def value_eur(self) -> Decimal:
        """Return quantity × unit price, rounded to the cent (half up)."""
        return line_value_eur(self.quantity, self.unit_price_eur)

    @property
    def contract_line(self) -> ContractLine | None:
        """Return the contract line the sale falls under, if any."""
        return self.line.contract_line

    @property
    def contract_id(self) -> int | None:
        """Return the contract the sale falls under, if any."""
        return self.line.contract_id

    @property
    def day(self) -> dt.date:
        """Return the delivery day."""
        return self.line.day


def sales_of_runs(
    session: Session,
    runs: Iterable[AllocationRun],
    *,
    canteen_ids: Collection[int] | None = None,
    farm_ids: Collection[int] | None = None,
) -> list[Sale]:
    """Return the sales of the given published runs (optionally of some canteens or farms)."""
    runs = list(runs)
    lines = plan_lines(session, runs, canteen_ids=canteen_ids, farm_ids=farm_ids)
    receipts = {
        receipt.allocation_line_id: receipt
        for receipt in session.scalars(
            select(Receipt)
            .join(AllocationLine, Receipt.allocation_line_id == AllocationLine.id)
            .where(AllocationLine.run_id.in_([run.id for run in runs]))
        )
    }
    return [Sale(line, receipts.get(line.id)) for line in lines]


def sales_between(
    session: Session,
    first_day: dt.date,
    last_day: dt.date,
    *,
    canteen_ids: Collection[int] | None = None,
    farm_ids: Collection[int] | None = None,
) -> list[Sale]:
    """Return the sales delivered from ``first_day`` to ``last_day`` (inclusive)."""
    first_monday = first_day - dt.timedelta(days=first_day.weekday())
    week_ids = session.scalars(
        select(DeliveryWeek.id).where(
            DeliveryWeek.monday_date >= first_monday,
            DeliveryWeek.monday_date <= last_day,
            DeliveryWeek.state.in_(SALE_WEEK_STATES),
        )
    ).all()
    runs = session.scalars(current_published_runs(week_ids)).all()
    sales = sales_of_runs(session, runs, canteen_ids=canteen_ids, farm_ids=farm_ids)
    return [sale for sale in sales if first_day <= sale.day <= last_day]
