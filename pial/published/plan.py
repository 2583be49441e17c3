"""The published plan of a week, read once: its lines priced, its shortfalls, changes and rounds.

Pick lists, delivery notes, e-mails, the planning workbook, statements, invoices and exports
all read published lines through :func:`plan_lines` (one query path, one price stored at
publication: see :mod:`pial.allocation.pricing`), most of them as a :class:`PublishedPlan`
built once and handed round, so that every document shows the same lines at the same prices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from pial.allocation import seam
from pial.allocation.rounds import Round, rounds_of
from pial.allocation.runs import Change, published_run, replan_changes
from pial.db import get_session
from pial.models import (
    AllocationLine,
    AllocationRun,
    Canteen,
    ContractLine,
    DeliveryWeek,
    Farm,
    OrderLine,
    OrderPriority,
    Product,
)
from pial.published.prices import PriceBook
from pial.rounding import line_value_eur


@dataclass(frozen=True, slots=True)
class PlanLine:
    """One line of a published plan: a farm sends a product to a canteen on a day, at a price.

    ``value_eur`` is what the canteen pays (quantity × unit price, to the cent); the allocation
    line's own ``value_eur`` is the value the solver weighed for fairness, at the group's price.
    Prices are read from the plan's price book when first asked for (a pick list asks none).
    """

    id: int  # the allocation line's: receipts and accruals refer to it
    run_id: int
    farm: Farm
    canteen: Canteen
    product: Product
    day: dt.date
    quantity: Decimal
    distance_km: float
    priority: OrderPriority  # the canteen's order: under a contract, or not
    prices: PriceBook = field(repr=False, compare=False)
    # Stored at publication (pial.allocation.pricing); None for a run published before that.
    stored_unit_price_eur: Decimal | None = None
    stored_contract_line_id: int | None = None

    @property
    def farm_id(self) -> int:
        """Return the sending farm's id."""
        return self.farm.id

    @property
    def canteen_id(self) -> int:
        """Return the receiving canteen's id."""
        return self.canteen.id

    @property
    def product_id(self) -> int:
        """Return the product's id."""
        return self.product.id

    @property
    def contract_line(self) -> ContractLine | None:
        """Return the contract line the line is sold under, if any."""
        if self.stored_unit_price_eur is not None:
            return self.prices.stored_contract_line(self.stored_contract_line_id)
        return self.prices.contract_line(self.canteen.id, self.product.id, self.day)

    @property
    def unit_price_eur(self) -> Decimal:
        """Return the line's unit price, as stored when its run was published."""
        if self.stored_unit_price_eur is not None:
            return self.stored_unit_price_eur
        return self.prices.unit_price_eur(
            self.run_id, self.canteen.id, self.product.id, self.product.slug, self.day
        )

    @property
    def contract_id(self) -> int | None:
        """Return the contract the line is sold under, if any."""
        return self.contract_line.contract_id if self.contract_line is not None else None

    @property
    def value_eur(self) -> Decimal:
        """Return quantity × unit price, rounded to the cent (half up)."""
        return line_value_eur(self.quantity, self.unit_price_eur)


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A quantity a canteen ordered that the plan does not serve."""

    canteen_id: int
    product_slug: str
    product_name: str
    day: dt.date
    quantity: Decimal


@dataclass(frozen=True, eq=False)
class PublishedPlan:
    """A week's published plan: its run, its priced lines, and what follows from them.

    Shortfalls, changes and rounds are worked out on first use, once per plan.
    """

    week: DeliveryWeek
    run: AllocationRun
    lines: tuple[PlanLine, ...]

    @property
    def version(self) -> int:
        """Return the plan's published version (1, 2, … after re-plans)."""
        assert self.run.published_version is not None  # a published plan's run is published
        return self.run.published_version

    @cached_property
    def changes(self) -> list[Change]:
        """Return what this version changed from the one before (none for version 1)."""
        return replan_changes(self.run)

    @cached_property
    def rounds(self) -> dict[tuple[int, dt.date], Round]:
        """Return each (farm id, day) round, canteens in route order with their legs."""
        return rounds_of((line.farm, line.canteen, line.day) for line in self.lines)

    @cached_property
    def shortfalls(self) -> list[Shortfall]:
        """Return the ordered quantities the plan does not serve, by day, canteen and product."""
        short = seam.shortfalls_of(self.run)
        names = {line.product.slug: line.product.name_fr for line in self.lines}
        missing = {slug for _canteen, slug, _day in short} - names.keys()
        if missing:
            names.update(
                get_session().execute(
                    select(Product.slug, Product.name_fr).where(Product.slug.in_(missing))
                ).tuples()
            )
        return sorted(
            (
                Shortfall(canteen_id, slug, names.get(slug, slug), day, quantity)
                for (canteen_id, slug, day), quantity in short.items()
            ),
            key=lambda s: (s.day, s.canteen_id, s.product_name),
        )

    def farm_lines(self, farm_id: int) -> list[PlanLine]:
        """Return the lines a farm sends."""
        return [line for line in self.lines if line.farm_id == farm_id]

    def canteen_lines(self, canteen_id: int, day: dt.date | None = None) -> list[PlanLine]:
        """Return the lines a canteen receives (on ``day``, when given)."""
        return [
            line for line in self.lines
            if line.canteen_id == canteen_id and (day is None or line.day == day)
        ]

    def canteen_days(self, canteen_id: int) -> list[dt.date]:
        """Return the days on which a canteen receives something, in order."""
        return sorted({line.day for line in self.lines if line.canteen_id == canteen_id})


def published_plan(week: DeliveryWeek, version: int | None = None) -> PublishedPlan | None:
    """Return the week's published plan of ``version`` (default: the current one), if any."""
    run = published_run(week, version)
    return plan_of(run) if run is not None else None


def plan_of(run: AllocationRun) -> PublishedPlan:
    """Return the plan of a published run, its lines read and priced at once."""
    return PublishedPlan(run.week, run, tuple(plan_lines(get_session(), [run])))


def plan_lines(
    session: Session,
    runs: Sequence[AllocationRun],
    *,
    canteen_ids: Collection[int] | None = None,
    farm_ids: Collection[int] | None = None,
) -> list[PlanLine]:
    """Return the lines of published runs (optionally of some canteens or farms).

    Lines come by day, canteen, product and farm; one price book prices them all.
    """
    if not runs:
        return []
    query = select(AllocationLine).where(AllocationLine.run_id.in_([run.id for run in runs]))
    if canteen_ids is not None:
        query = query.where(AllocationLine.canteen_id.in_(list(canteen_ids)))
    if farm_ids is not None:
        query = query.where(AllocationLine.farm_id.in_(list(farm_ids)))
    rows = session.scalars(
        query
        .options(joinedload(AllocationLine.product), joinedload(AllocationLine.farm),
                 joinedload(AllocationLine.canteen))
        .order_by(AllocationLine.day, AllocationLine.canteen_id, AllocationLine.product_id,
                  AllocationLine.farm_id)
    ).all()
    if not rows:
        return []
    book = PriceBook(session, min(row.day for row in rows), max(row.day for row in rows),
                     {run.id: run for run in runs})
    week_of_run = {run.id: run.week_id for run in runs}
    priorities = _order_priorities(session, set(week_of_run.values()), canteen_ids)
    return [
        PlanLine(
            id=row.id,
            run_id=row.run_id,
            farm=row.farm,
            canteen=row.canteen,
            product=row.product,
            day=row.day,
            quantity=row.quantity,
            distance_km=row.distance_km,
            priority=priorities.get(
                (week_of_run[row.run_id], row.canteen_id, row.product_id, row.day),
                OrderPriority.REGULAR,
            ),
            prices=book,
            stored_unit_price_eur=row.unit_price_eur,
            stored_contract_line_id=row.contract_line_id,
        )
        for row in rows
    ]


def _order_priorities(
    session: Session, week_ids: Collection[int], canteen_ids: Collection[int] | None
) -> dict[tuple[int, int, int, dt.date], OrderPriority]:
    """Return the priority of each order line of the weeks, by (week, canteen, product, day)."""
    query = select(
        OrderLine.week_id, OrderLine.canteen_id, OrderLine.product_id, OrderLine.day,
        OrderLine.priority,
    ).where(OrderLine.week_id.in_(list(week_ids)))
    if canteen_ids is not None:
        query = query.where(OrderLine.canteen_id.in_(list(canteen_ids)))
    return {
        (week_id, canteen_id, product_id, day): OrderPriority(priority)
        for week_id, canteen_id, product_id, day, priority in session.execute(query).tuples()
    }
