"""The coordinator's review of a run: per canteen and day, who serves what, the locks, the shares.

Read-only: the grid is built from a stored run (its lines and the orders it was solved for),
compared with another run of the week, by default the one before it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from pial.actors import Actor
from pial.allocation import seam
from pial.allocation.coordination import require_coordinator
from pial.allocation.pricing import charged_values_eur
from pial.allocation.runs import Change, changes_between, get_run
from pial.allocation.services import week_locks
from pial.db import get_session
from pial.models import (
    AllocationRun,
    Canteen,
    DeliveryWeek,
    Farm,
    ManualLock,
    OrderPriority,
    Product,
    RunTrigger,
)
from pial.weeks.calendar import get_week

Cell = tuple[int, int, int, dt.date]
"""A cell of a plan: (farm id, canteen id, product id, day)."""


@dataclass(frozen=True, slots=True)
class ReviewCell:
    """A farm's quantity of a product for a canteen and day, with its lock and its change."""

    farm_id: int
    quantity: Decimal | None
    locked_quantity: Decimal | None
    compared_quantity: Decimal | None

    @property
    def changed(self) -> bool:
        """Tell whether the cell differs from the compared run."""
        return (self.quantity or Decimal(0)) != (self.compared_quantity or Decimal(0))


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """A product ordered by a canteen for a day: what was ordered, who serves it, what is short."""

    product: Product
    ordered: Decimal
    priority: str
    shortfall: Decimal
    cells: list[ReviewCell]


@dataclass(frozen=True, slots=True)
class CanteenDayGrid:
    """The products × farms grid of one canteen on one day."""

    day: dt.date
    canteen: Canteen
    farms: list[Farm]
    rows: list[ReviewRow]
    kg_km: float
    served_eur: Decimal


@dataclass(frozen=True, slots=True)
class ShareLine:
    """A farm's value sold in the run against its target share of the week."""

    farm: Farm
    sold_eur: Decimal
    share: float
    target_share: float
    gap_eur: Decimal


@dataclass(frozen=True, slots=True)
class OfferLeft:
    """What a farm offered of a product this week, what the run gives it, and what remains."""

    farm: Farm
    product: Product
    offered: Decimal
    allocated: Decimal

    @property
    def remaining(self) -> Decimal:
        """Return what is still on offer (never below 0)."""
        return max(self.offered - self.allocated, Decimal(0))


@dataclass(frozen=True, slots=True)
class ContractShortfall:
    """An order line under contract that a re-plan serves less of than the plan before it."""

    canteen: Canteen
    product: Product
    day: dt.date
    ordered: Decimal
    short_before: Decimal
    short_now: Decimal


@dataclass(frozen=True, slots=True)
class PlanningGrid:
    """Everything the coordinator reviews for one run of a week."""

    week: DeliveryWeek
    run: AllocationRun | None
    compared_run: AllocationRun | None
    blocks: list[CanteenDayGrid]
    shares: list[ShareLine]
    changes: list[Change]
    locks: list[ManualLock]
    contract_shortfalls: list[ContractShortfall] = field(default_factory=list)
    offers_left: list[OfferLeft] = field(default_factory=list)

    def remaining_of(self, farm_id: int, product_id: int) -> Decimal:
        """Return what a farm still has on offer of a product after this run."""
        return next(
            (left.remaining for left in self.offers_left
             if left.farm.id == farm_id and left.product.id == product_id),
            Decimal(0),
        )

    @property
    def days(self) -> list[dt.date]:
        """Return the delivery days of the grid, in order."""
        return sorted({block.day for block in self.blocks})


@dataclass(frozen=True, slots=True)
class _GridCells:
    """The quantities a grid shows per cell: the run's, the compared run's and the locks'."""

    current: Mapping[Cell, Decimal]
    compared: Mapping[Cell, Decimal] | None  # None: no run to compare with
    locked: Mapping[Cell, Decimal]

    def farm_ids(self, canteen_id: int, day: dt.date) -> set[int]:
        """Return the farms with a quantity or a lock for the canteen on the day."""
        keys = self.current.keys() | (self.compared or {}).keys() | self.locked.keys()
        return {key[0] for key in keys if key[1] == canteen_id and key[3] == day}

    def cell(self, key: Cell) -> ReviewCell:
        """Return the review cell of ``key``."""
        quantity = self.current.get(key)
        return ReviewCell(
            farm_id=key[0],
            quantity=quantity,
            locked_quantity=self.locked.get(key),
            compared_quantity=self.compared.get(key) if self.compared is not None else quantity,
        )


def planning_grid(
    iso_week: str,
    run_id: int | None = None,
    *,
    compare_run_id: int | None = None,
    actor: Actor = None,
) -> PlanningGrid:
    """Return the review grid of a run (default: the latest), compared with another run.

    The default comparison is the run before it (by sequence).
    """
    week = get_week(iso_week)
    require_coordinator(actor, iso_week)
    locks = week_locks(iso_week)
    run = get_run(iso_week, run_id)
    if run is None:
        return PlanningGrid(week, None, None, [], [], [], locks)
    compared = _compared_run(week, run, compare_run_id)
    session = get_session()
    orders = seam.run_orders(run)
    products = {
        product.slug: product
        for product in session.scalars(
            select(Product).where(Product.slug.in_({order.product_slug for order in orders}))
        )
    }
    farms = {farm.id: farm for farm in session.scalars(select(Farm))}
    canteens = {
        canteen.id: canteen
        for canteen in session.scalars(
            select(Canteen).where(Canteen.id.in_({order.canteen_id for order in orders}))
        )
    }
    cells = _GridCells(
        current=_quantities(run),
        compared=_quantities(compared) if compared is not None else None,
        locked={(lk.farm_id, lk.canteen_id, lk.product_id, lk.day): lk.quantity for lk in locks},
    )
    shortfalls = seam.shortfalls_of(run)
    charged = charged_values_eur(session, run)  # what each canteen pays, as its notes say
    by_block: dict[tuple[int, dt.date], list[seam.SolvedOrder]] = defaultdict(list)
    for order in orders:
        by_block[(order.canteen_id, order.day)].append(order)
    blocks = []
    for (canteen_id, day), block_orders in sorted(
        by_block.items(), key=lambda item: (item[0][1], canteens[item[0][0]].name)
    ):
        farm_ids = sorted(cells.farm_ids(canteen_id, day), key=lambda fid: farms[fid].name)
        rows = [
            ReviewRow(
                product=products[order.product_slug],
                ordered=order.quantity,
                priority=order.priority,
                shortfall=shortfalls.get((canteen_id, order.product_slug, day), Decimal(0)),
                cells=[
                    cells.cell((fid, canteen_id, products[order.product_slug].id, day))
                    for fid in farm_ids
                ],
            )
            for order in sorted(block_orders, key=lambda o: products[o.product_slug].name_fr)
        ]
        day_lines = [ln for ln in run.lines if ln.canteen_id == canteen_id and ln.day == day]
        blocks.append(
            CanteenDayGrid(
                day=day,
                canteen=canteens[canteen_id],
                farms=[farms[fid] for fid in farm_ids],
                rows=rows,
                kg_km=sum(float(ln.quantity * ln.product.unit_kg) * ln.distance_km
                          for ln in day_lines),
                served_eur=sum((charged[ln.id] for ln in day_lines), Decimal(0)),
            )
        )
    return PlanningGrid(
        week=week,
        run=run,
        compared_run=compared,
        blocks=blocks,
        shares=_share_lines(run, farms),
        changes=changes_between(compared, run) if compared is not None else [],
        locks=locks,
        contract_shortfalls=replan_contract_shortfalls(run),
        offers_left=offers_left(week, run, farms),
    )


def offers_left(
    week: DeliveryWeek, run: AllocationRun, farms: Mapping[int, Farm]
) -> list[OfferLeft]:
    """Return, per farm and product offered, what the run leaves on offer, by farm name."""
    session = get_session()
    offered = seam.week_offers_after_losses(session, week.id)
    allocated: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for line in run.lines:
        allocated[(line.farm_id, line.product_id)] += line.quantity
    products = {
        product.id: product
        for product in session.scalars(
            select(Product).where(Product.id.in_({pid for _fid, pid in offered}))
        )
    }
    lines = [
        OfferLeft(farms[farm_id], products[product_id], quantity,
                  allocated.get((farm_id, product_id), Decimal(0)))
        for (farm_id, product_id), quantity in offered.items()
        if farm_id in farms
    ]
    return sorted(lines, key=lambda left: (left.farm.name, left.product.name_fr))


def replan_contract_shortfalls(run: AllocationRun) -> list[ContractShortfall]:
    """Return the contract lines a crop-failure re-plan left shorter than the plan it replaced.

    Empty for any other run: only a re-plan takes away what a contract was promised.
    """
    if run.trigger != RunTrigger.CROP_FAILURE or run.supersedes is None:
        return []
    return contract_shortfalls(run, run.supersedes)


def contract_shortfalls(run: AllocationRun, previous: AllocationRun) -> list[ContractShortfall]:
    """Return the contract order lines ``run`` serves less of than ``previous`` did."""
    short_now, short_before = seam.shortfalls_of(run), seam.shortfalls_of(previous)
    orders = [
        order for order in seam.run_orders(run)
        if order.priority == OrderPriority.CONTRACT.value
        and short_now.get((order.canteen_id, order.product_slug, order.day), Decimal(0))
        > short_before.get((order.canteen_id, order.product_slug, order.day), Decimal(0))
    ]
    if not orders:
        return []
    session = get_session()
    products = {
        product.slug: product
        for product in session.scalars(
            select(Product).where(Product.slug.in_({order.product_slug for order in orders}))
        )
    }
    result = [
        ContractShortfall(
            canteen=session.get_one(Canteen, order.canteen_id),
            product=products[order.product_slug],
            day=order.day,
            ordered=order.quantity,
            short_before=short_before.get(key, Decimal(0)),
            short_now=short_now[key],
        )
        for order in orders
        for key in [(order.canteen_id, order.product_slug, order.day)]
    ]
    return sorted(result, key=lambda short: (short.day, short.canteen.name, short.product.name_fr))


def _compared_run(
    week: DeliveryWeek, run: AllocationRun, compare_run_id: int | None
) -> AllocationRun | None:
    """Return the run to compare ``run`` with: the one asked for, else the run before it."""
    if compare_run_id is not None:
        return get_run(week.iso_week, compare_run_id)
    return get_session().scalar(
        select(AllocationRun).where(
            AllocationRun.week_id == week.id, AllocationRun.sequence == run.sequence - 1
        )
    )


def _quantities(run: AllocationRun) -> dict[Cell, Decimal]:
    """Return the quantity of each cell of a run."""
    return {(ln.farm_id, ln.canteen_id, ln.product_id, ln.day): ln.quantity for ln in run.lines}


def _share_lines(run: AllocationRun, farms: Mapping[int, Farm]) -> list[ShareLine]:
    """Return each offering farm's sales in the run against the share the solver aimed at."""
    targets = seam.grower_shares_of(run)
    sold_eur: dict[int, Decimal] = defaultdict(Decimal)
    for line in run.lines:
        sold_eur[line.farm_id] += line.value_eur
    total_eur = sum(sold_eur.values(), Decimal(0))
    lines = []
    for farm_id, target in targets.items():
        if target == 0 and farm_id not in sold_eur:
            continue
        sold = sold_eur.get(farm_id, Decimal(0))
        lines.append(
            ShareLine(
                farm=farms[farm_id],
                sold_eur=sold,
                share=float(sold / total_eur) if total_eur else 0.0,
                target_share=target,
                gap_eur=(sold - Decimal(repr(target)) * total_eur).quantize(seam.CENT),
            )
        )
    return sorted(lines, key=lambda line: line.farm.name)

