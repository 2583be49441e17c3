"""The sales of the platform: each line of a week's current published plan, as delivered.

A line counts what the canteen recorded as received when there is a receipt, else the planned
quantity. It is priced at its contract line's price when the order falls under a contract (the
rule of :func:`pial.weeks.services.contract_line_for_order`), else at the group's price the
week's plan was solved with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased, joinedload

from pial.allocation.seam import run_prices_eur
from pial.models import (
    AllocationLine,
    AllocationRun,
    ContractLine,
    DeliveryWeek,
    Receipt,
    WeekState,
)
from pial.money.rounding import line_value_eur
from pial.weeks.services import contract_line_for_order

SALE_WEEK_STATES = (WeekState.PUBLISHED, WeekState.DELIVERED)
"""States of a week whose published plan is (being) delivered."""


@dataclass(frozen=True, slots=True)
class Sale:
    """One delivered line: who sold what to whom, how much, at what unit price."""

    line: AllocationLine
    receipt: Receipt | None
    contract_line: ContractLine | None
    unit_price_eur: Decimal

    @property
    def quantity(self) -> Decimal:
        """Return the quantity delivered: received if recorded, else planned."""
        return self.receipt.received_quantity if self.receipt is not None else self.line.quantity

    @property
    def value_eur(self) -> Decimal:
        """Return quantity × unit price, rounded to the cent (half up)."""
        return line_value_eur(self.quantity, self.unit_price_eur)

    @property
    def contract_id(self) -> int | None:
        """Return the contract the sale falls under, if any."""
        return self.contract_line.contract_id if self.contract_line is not None else None

    @property
    def day(self) -> dt.date:
        """Return the delivery day."""
        return self.line.day


def current_runs_query(week_ids: Iterable[int] | None = None) -> Select[tuple[AllocationRun]]:
    """Return a select of the current published run (latest version) of each week."""
    latest = (
        select(AllocationRun.week_id, func.max(AllocationRun.published_version).label("version"))
        .where(AllocationRun.published_version.is_not(None))
        .group_by(AllocationRun.week_id)
        .subquery()
    )
    run = aliased(AllocationRun)
    query = select(run).join(
        latest, and_(run.week_id == latest.c.week_id, run.published_version == latest.c.version)
    )
    if week_ids is not None:
        query = query.where(run.week_id.in_(list(week_ids)))
    return query


def sales_of_runs(
    session: Session,
    runs: Iterable[AllocationRun],
    *,
    canteen_ids: Collection[int] | None = None,
    farm_ids: Collection[int] | None = None,
) -> list[Sale]:
    """Return the sales of the given published runs (optionally of some canteens or farms)."""
    sales: list[Sale] = []
    contract_cache: dict[tuple[int, int, dt.date], ContractLine | None] = {}
    for run in runs:
        prices = run_prices_eur(run)
        query = select(AllocationLine).where(AllocationLine.run_id == run.id)
        if canteen_ids is not None:
            query = query.where(AllocationLine.canteen_id.in_(list(canteen_ids)))
        if farm_ids is not None:
            query = query.where(AllocationLine.farm_id.in_(list(farm_ids)))
        lines = session.scalars(
            query
            .options(joinedload(AllocationLine.product), joinedload(AllocationLine.farm),
                     joinedload(AllocationLine.canteen))
            .order_by(AllocationLine.day, AllocationLine.canteen_id, AllocationLine.product_id,
                      AllocationLine.farm_id)
        ).all()
        receipts = {
            receipt.allocation_line_id: receipt
            for receipt in session.scalars(
                select(Receipt).where(Receipt.allocation_line_id.in_([ln.id for ln in lines]))
            )
        }
        for line in lines:
            key = (line.canteen_id, line.product_id, line.day)
            if key not in contract_cache:
                contract_cache[key] = contract_line_for_order(session, *key)
            contract_line = contract_cache[key]
            unit_price = (
                contract_line.price_eur if contract_line is not None
                else prices[line.product.slug]
            )
            sales.append(Sale(line, receipts.get(line.id), contract_line, unit_price))
    return sales


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
    runs = session.scalars(current_runs_query(week_ids)).all()
    sales = sales_of_runs(session, runs, canteen_ids=canteen_ids, farm_ids=farm_ids)
    return [sale for sale in sales if first_day <= sale.day <= last_day]
