"""The one seam between the database and the solver: rows → `solver.Problem`, `Result` → rows.

Nothing else in PIAL imports the solver, builds solver objects or reads the stored solver
documents (a run's ``instance_json`` and ``result_json``): the rest of the app asks this module
and gets database ids and Decimals back. Identifiers in the exchanged documents are
``g-<farm id>``, ``c-<canteen id>`` and the product's slug, so that an exported instance names
things a person can find in the app, and the seam can map them back.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import solver
from pial.db import get_session
from pial.errors import Conflict
from pial.models import (
    AllocationLine,
    AllocationRun,
    AvailabilityLine,
    Canteen,
    CropFailure,
    DeliveryWeek,
    Farm,
    LedgerEntry,
    LedgerKind,
    ManualLock,
    OrderLine,
    Platform,
    Price,
    Product,
    Season,
    find_platform,
)

CENT = Decimal("0.01")
QUANTITY_STEP = Decimal("0.001")

log = logging.getLogger(__name__)

Problem = solver.Problem
"""A week as the solver sees it: built by :func:`build_problem`, handed back to :func:`solve`."""


@dataclass(frozen=True, slots=True)
class PendingLoss:
    """A crop failure not yet stored, to be taken into account by the problem being built."""

    farm_id: int
    product_id: int
    quantity_lost: Decimal
    day: dt.date | None = None


def grower_key(farm_id: int) -> str:
    """Return the solver id of a farm."""
    return f"g-{farm_id}"


def canteen_key(canteen_id: int) -> str:
    """Return the solver id of a canteen."""
    return f"c-{canteen_id}"


def farm_id_of(grower: str) -> int:
    """Return the farm id behind a solver grower id."""
    return int(grower.removeprefix("g-"))


def canteen_id_of(canteen: str) -> int:
    """Return the canteen id behind a solver canteen id."""
    return int(canteen.removeprefix("c-"))


def to_decimal(value: float, step: Decimal = QUANTITY_STEP) -> Decimal:
    """Convert a solver number to a Decimal rounded to ``step``."""
    return Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP)


def load_platform(session: Session) -> Platform:
    """Return the platform settings row, or an unsaved row holding the defaults."""
    platform = find_platform(session)
    if platform is not None:
        return platform
    # A fresh database has no settings row yet; the column defaults are the documented ones.
    defaults = {
        column.key: column.default.arg
        for column in Platform.__table__.columns
        if column.default is not None and not callable(column.default.arg)
    }
    return Platform(**defaults)


def season_prices_eur(session: Session, day: dt.date) -> dict[int, Decimal]:
    """Return the group's price per unit of each product in the season containing ``day``."""
    season = session.scalar(
        select(Season).where(Season.start_date <= day, Season.end_date >= day)
    )
    if season is None:
        return {}
    prices = session.scalars(select(Price).where(Price.season_id == season.id))
    return {price.product_id: price.price_eur for price in prices}


def ledger_balances_eur(session: Session) -> dict[int, Decimal]:
    """Return each farm's current fairness ledger (the balance of its latest entry)."""
    latest_ids = select(func.max(LedgerEntry.id)).group_by(LedgerEntry.farm_id)
    entries = session.scalars(select(LedgerEntry).where(LedgerEntry.id.in_(latest_ids)))
    return {entry.farm_id: entry.balance_after_eur for entry in entries}


def week_allocation_ledger_eur(session: Session, week_id: int) -> dict[int, Decimal]:
    """Return, per farm, the sum of the ledger movements of this week's published plans."""
    rows = session.execute(
        select(LedgerEntry.farm_id, func.sum(LedgerEntry.amount_eur))
        .where(LedgerEntry.week_id == week_id, LedgerEntry.kind == LedgerKind.ALLOCATION)
        .group_by(LedgerEntry.farm_id)
    )
    return {farm_id: Decimal(total) for farm_id, total in rows}


def ledger_before_week_eur(session: Session, week_id: int) -> dict[int, Decimal]:
    """Return each farm's ledger without this week's plan, the base a (re-)plan starts from."""
    balances = ledger_balances_eur(session)
    this_week = week_allocation_ledger_eur(session, week_id)
    return {
        farm_id: balances.get(farm_id, Decimal(0)) - this_week.get(farm_id, Decimal(0))
        for farm_id in balances.keys() | this_week.keys()
    }


def build_problem(
    week: DeliveryWeek,
    *,
    locked: bool = True,
    previous_run: AllocationRun | None = None,
    pending_losses: Sequence[PendingLoss] = (),
    delivered_before: dt.date | None = None,
) -> solver.Problem:
    """Build the solver problem of ``week`` from the database.

    Availability is what farms offered minus the crop failures declared (and ``pending_losses``);
    ``previous`` holds the lines of ``previous_run``; ``locked`` the coordinator's manual locks
    (minus those of a farm and product hit by a crop failure, which could no longer be kept)
    and, when ``delivered_before`` is given, the lines of ``previous_run`` on earlier days:
    those deliveries are made and a re-plan may not move them.
    """
    session = get_session()
    platform = load_platform(session)
    prices_eur = season_prices_eur(session, week.monday_date)
    orders = session.scalars(
        select(OrderLine)
        .where(OrderLine.week_id == week.id, OrderLine.quantity > 0)
        .order_by(OrderLine.day, OrderLine.canteen_id, OrderLine.product_id)
    ).all()
    farms = session.scalars(select(Farm).where(Farm.is_active).order_by(Farm.id)).all()
    active_farm_ids = {farm.id for farm in farms}
    offers = session.scalars(
        select(AvailabilityLine)
        .where(AvailabilityLine.week_id == week.id, AvailabilityLine.quantity > 0)
        .order_by(AvailabilityLine.farm_id, AvailabilityLine.product_id, AvailabilityLine.day)
    ).all()
    offers = [offer for offer in offers if offer.farm_id in active_farm_ids]
    failures = declared_losses(session, week.id) + list(pending_losses)
    offered = _subtract_losses(offers, failures)

    previous_lines = [
        line
        for line in (previous_run.lines if previous_run is not None else [])
        if line.farm_id in active_farm_ids
    ]
    locks = (
        session.scalars(
            select(ManualLock).where(ManualLock.week_id == week.id).order_by(ManualLock.id)
        ).all()
        if locked
        else []
    )
    # Rows of the previous plan and locks must name known canteens and products, even when an
    # order line has since gone to zero: the instance would be invalid otherwise.
    product_ids = (
        {order.product_id for order in orders}
        | {offer.product_id for offer in offers}
        | {line.product_id for line in previous_lines}
    )
    products = session.scalars(
        select(Product).where(Product.id.in_(product_ids)).order_by(Product.slug)
    ).all()
    unpriced = [product.name_fr for product in products if product.id not in prices_eur]
    if unpriced:
        raise Conflict(
            _("Aucun prix de la saison pour : ")
            + ", ".join(sorted(unpriced))
            + _(". Fixez ces prix avant de lancer la répartition.")
        )
    canteen_ids = (
        {order.canteen_id for order in orders}
        | {line.canteen_id for line in previous_lines}
        | {lock.canteen_id for lock in locks}
    )
    canteens = session.scalars(
        select(Canteen).where(Canteen.id.in_(canteen_ids)).order_by(Canteen.id)
    ).all()
    slug = {product.id: product.slug for product in products}
    base_ledger_eur = ledger_before_week_eur(session, week.id)

    lost_pairs = {(loss.farm_id, loss.product_id) for loss in failures}
    return solver.Problem(
        week=week.iso_week,
        products=tuple(_product(product, prices_eur[product.id]) for product in products),
        growers=tuple(
            _grower(farm, base_ledger_eur.get(farm.id, Decimal(0))) for farm in farms
        ),
        canteens=tuple(
            solver.Canteen(id=canteen_key(c.id), name=c.name, lat=c.lat, lon=c.lon)
            for c in canteens
        ),
        availability=tuple(
            solver.Availability(
                grower=grower_key(farm_id),
                product=slug[product_id],
                quantity=float(quantity),
                day=day.isoformat() if day else None,
            )
            for (farm_id, product_id, day), quantity in offered.items()
            if quantity > 0
        ),
        orders=tuple(
            solver.OrderLine(
                canteen=canteen_key(order.canteen_id),
                product=slug[order.product_id],
                day=order.day.isoformat(),
                quantity=float(order.quantity),
                priority=str(order.priority),  # type: ignore[arg-type]
            )
            for order in orders
        ),
        locked=_locked_rows(
            [lock for lock in locks
             if (lock.farm_id, lock.product_id) not in lost_pairs
             and lock.product_id in slug and lock.farm_id in active_farm_ids],
            previous_lines, slug, delivered_before,
        ),
        previous=tuple(
            _row(line.farm_id, line.canteen_id, line.product.slug, line.day, line.quantity)
            for line in previous_lines
        ),
        settings=_settings(platform),
    )


def _locked_rows(
    locks: Iterable[ManualLock],
    previous_lines: Iterable[AllocationLine],
    slug: Mapping[int, str],
    delivered_before: dt.date | None,
) -> tuple[solver.AllocationRow, ...]:
    """Return the rows every plan must keep: the locks, and the deliveries already made.

    Before ``delivered_before``, the previous plan's lines are made and stay as they are, in
    place of the locks of those days.
    """
    def delivered(day: dt.date) -> bool:
        return delivered_before is not None and day < delivered_before

    return tuple(
        [_row(lock.farm_id, lock.canteen_id, slug[lock.product_id], lock.day, lock.quantity)
         for lock in locks if not delivered(lock.day)]
        + [_row(line.farm_id, line.canteen_id, line.product.slug, line.day, line.quantity)
           for line in previous_lines if delivered(line.day)]
    )


def _product(product: Product, price_eur: Decimal) -> solver.Product:
    """Return a catalogue product as the solver sees it, at the season's price."""
    return solver.Product(
        id=product.slug,
        name=product.name_fr,
        unit=str(product.unit),
        unit_kg=float(product.unit_kg),
        price=float(price_eur),
        lot=float(product.lot_size) if product.lot_size else None,
    )


def _grower(farm: Farm, ledger_eur: Decimal) -> solver.Grower:
    """Return a farm as the solver sees it, with the fairness ledger it starts the week from."""
    return solver.Grower(
        id=grower_key(farm.id),
        name=farm.name,
        lat=farm.lat,
        lon=farm.lon,
        target_share=float(farm.target_share) if farm.target_share is not None else None,
        ledger_eur=float(ledger_eur),
    )


def _settings(platform: Platform) -> solver.Settings:
    """Return the platform's settings of the solve: distances, weights, time limit."""
    return solver.Settings(
        max_km=platform.max_km,
        road_factor=platform.road_factor,
        max_growers_per_line=platform.max_growers_per_line,
        ledger_catch_up=platform.ledger_catch_up,
        weights=solver.Weights(
            distance=platform.weight_distance,
            fairness=platform.weight_fairness,
            deliveries=platform.weight_deliveries,
            stability=platform.weight_stability,
        ),
        time_limit_s=platform.time_limit_s,
    )


def with_stability(problem: solver.Problem, weight: float) -> solver.Problem:
    """Return ``problem`` with a stability weight of at least ``weight`` (for re-plans)."""
    settings = problem.settings
    if settings.weights.stability >= weight:
        return problem
    weights = replace(settings.weights, stability=weight)
    return replace(problem, settings=replace(settings, weights=weights))


@dataclass(frozen=True, slots=True)
class Solved:
    """A solve's outcome as a run stores it: the exact documents, or why there is no result."""

    problem: Problem
    instance_json: str
    result: solver.Result | None  # None when the solver crashed
    error_message: str | None

    @property
    def status(self) -> str:
        """Return the solver's status ("optimal", "feasible", …), or "error" after a crash."""
        return self.result.status if self.result is not None else "error"

    @property
    def result_json(self) -> str | None:
        """Return the result document to store, if any."""
        return solver.dump(self.result) if self.result is not None else None

    @property
    def errors(self) -> tuple[str, ...]:
        """Return the errors the solver reported (none after a crash)."""
        return self.result.errors if self.result is not None else ()


def solve(problem: Problem) -> Solved:
    """Solve ``problem``, turning a crash of the solver into an error message rather than a 500."""
    instance_json = solver.dump_problem(problem)
    try:
        result = solver.solve(problem)
    except Exception as error:  # the run must be recorded whatever went wrong inside
        log.exception("solver crashed on %s", problem.week)
        return Solved(problem, instance_json, None, f"{type(error).__name__}: {error}")
    return Solved(problem, instance_json, result, None)


def straight_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance between two points in degrees (the solver's rule)."""
    return solver.haversine_km(lat1, lon1, lat2, lon2)


def _row(
    farm_id: int, canteen_id: int, product_slug: str, day: dt.date, quantity: Decimal
) -> solver.AllocationRow:
    return solver.AllocationRow(
        grower=grower_key(farm_id),
        canteen=canteen_key(canteen_id),
        product=product_slug,
        day=day.isoformat(),
        quantity=float(quantity),
    )


def declared_losses(session: Session, week_id: int) -> list[PendingLoss]:
    """Return what each declared crop failure of the week takes off its farm's offer."""
    return [
        PendingLoss(
            failure.farm_id,
            failure.product_id,
            failure.quantity_withdrawn
            if failure.quantity_withdrawn is not None
            else failure.quantity_lost,
            failure.day,
        )
        for failure in session.scalars(
            select(CropFailure).where(CropFailure.week_id == week_id).order_by(CropFailure.id)
        )
    ]


def week_offers_after_losses(session: Session, week_id: int) -> dict[tuple[int, int], Decimal]:
    """Return what each farm offers of each product over the week, once its losses are taken."""
    offers = session.scalars(
        select(AvailabilityLine).where(
            AvailabilityLine.week_id == week_id, AvailabilityLine.quantity > 0
        )
    ).all()
    totals: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for (farm_id, product_id, _day), quantity in _subtract_losses(
        offers, declared_losses(session, week_id)
    ).items():
        totals[(farm_id, product_id)] += quantity
    return dict(totals)


def offer_left(
    session: Session, week_id: int, farm_id: int, product_id: int, day: dt.date | None
) -> Decimal:
    """Return what a farm still offers of a product (on ``day``, or all week) after its losses.

    A day's offer counts with the farm's any-day offer of the product, which can serve that day.
    """
    offers = session.scalars(
        select(AvailabilityLine).where(
            AvailabilityLine.week_id == week_id,
            AvailabilityLine.farm_id == farm_id,
            AvailabilityLine.product_id == product_id,
            AvailabilityLine.quantity > 0,
        )
    ).all()
    offered = _subtract_losses(offers, declared_losses(session, week_id))
    return sum(
        (quantity for (_farm, _product, offer_day), quantity in offered.items()
         if day is None or offer_day is None or offer_day == day),
        Decimal(0),
    )


def _subtract_losses(
    offers: Iterable[AvailabilityLine], losses: Iterable[PendingLoss]
) -> dict[tuple[int, int, dt.date | None], Decimal]:
    """Return offered quantities per (farm, product, day) once the declared losses are taken.

    A loss on a day comes off that day's offer first, then off the any-day offer; a loss for the
    whole week comes off the any-day offer first, then off the day offers in date order.
    """
    offered: dict[tuple[int, int, dt.date | None], Decimal] = {
        (offer.farm_id, offer.product_id, offer.day): offer.quantity for offer in offers
    }
    by_pair: dict[tuple[int, int], list[dt.date | None]] = defaultdict(list)
    for farm_id, product_id, day in offered:
        by_pair[(farm_id, product_id)].append(day)
    for loss in losses:
        days = by_pair.get((loss.farm_id, loss.product_id), [])
        dated = sorted(day for day in days if day is not None)
        if loss.day is not None:
            order: list[dt.date | None] = [d for d in dated if d == loss.day] + [None]
        else:
            order = [None, *dated]
        remaining = loss.quantity_lost
        for day in order:
            key = (loss.farm_id, loss.product_id, day)
            if remaining <= 0 or key not in offered:
                continue
            taken = min(remaining, offered[key])
            offered[key] -= taken
            remaining -= taken
    return offered


def lines_from_result(
    session: Session, problem: solver.Problem, result: solver.Result
) -> list[AllocationLine]:
    """Turn the result's allocations into unsaved ``AllocationLine`` rows with km and value."""
    all_km = solver.distance_km(problem)  # the solver's own rule, so lines match its kg·km
    price_eur = {product.id: Decimal(repr(product.price)) for product in problem.products}
    product_ids = {
        product.slug: product.id
        for product in session.scalars(
            select(Product).where(Product.slug.in_([p.id for p in problem.products]))
        )
    }
    lines = []
    for row in result.allocations:
        quantity = to_decimal(row.quantity)
        if quantity <= 0:
            continue
        lines.append(
            AllocationLine(
                farm_id=farm_id_of(row.grower),
                canteen_id=canteen_id_of(row.canteen),
                product_id=product_ids[row.product],
                day=dt.date.fromisoformat(row.day),
                quantity=quantity,
                distance_km=round(all_km[(row.grower, row.canteen)], 3),
                value_eur=(quantity * price_eur[row.product]).quantize(CENT, ROUND_HALF_UP),
            )
        )
    return lines


def run_ledger_eur(run: AllocationRun) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Return each farm's fairness ledger before and after a usable run, as it was solved."""
    assert run.result_json is not None  # a usable run has a result
    before = {
        farm_id_of(grower.id): to_decimal(grower.ledger_eur, CENT)
        for grower in solver.load(run.instance_json).growers
    }
    after = {
        farm_id_of(entry.grower): to_decimal(entry.ledger_eur, CENT)
        for entry in solver.load_result(run.result_json).ledger_after
    }
    return before, after


@dataclass(frozen=True, slots=True)
class SolvedOrder:
    """An order line as a run was solved: a canteen's quantity of a product on a day."""

    canteen_id: int
    product_slug: str
    day: dt.date
    quantity: Decimal
    priority: str  # an OrderPriority value


def run_orders(run: AllocationRun) -> list[SolvedOrder]:
    """Return the order lines a run was solved for."""
    return [
        SolvedOrder(
            canteen_id=canteen_id_of(order.canteen),
            product_slug=order.product,
            day=dt.date.fromisoformat(order.day),
            quantity=to_decimal(order.quantity),
            priority=order.priority,
        )
        for order in solver.load(run.instance_json).orders
    ]


def shortfalls_of(run: AllocationRun) -> dict[tuple[int, str, dt.date], Decimal]:
    """Return the positive shortfalls of a run's result, keyed (canteen id, product slug, day)."""
    if not run.result_json:
        return {}
    result = solver.load_result(run.result_json)
    return {
        (canteen_id_of(line.canteen), line.product, dt.date.fromisoformat(line.day)):
        to_decimal(line.quantity)
        for line in result.shortfalls
        if line.quantity > 0
    }


def grower_shares_of(run: AllocationRun) -> dict[int, float]:
    """Return each farm's share of the week's sales, as the solver counted it for this run."""
    problem = solver.load(run.instance_json)
    return {farm_id_of(grower): share for grower, share in solver.grower_shares(problem).items()}


def run_metrics(result: solver.Result) -> Mapping[str, object]:
    """Return the run columns copied from the result's metrics."""
    metrics = result.metrics
    return {
        "ordered_eur": to_decimal(metrics.ordered_eur, CENT),
        "served_eur": to_decimal(metrics.served_eur, CENT),
        "fill_rate": metrics.fill_rate,
        "contract_fill_rate": metrics.contract_fill_rate,
        "kg_km": metrics.kg_km,
        "deliveries": metrics.deliveries,
        "share_deviation_eur": to_decimal(metrics.share_deviation_eur, CENT),
        "moved_from_previous": metrics.moved_from_previous,
        "solve_s": metrics.solve_s,
        "time_limit_reached": metrics.time_limit_reached,
    }


def run_prices_eur(run: AllocationRun) -> dict[str, Decimal]:
    """Return the price per unit of each product (by slug) that a run was solved with."""
    problem = solver.load(run.instance_json)
    return {product.id: to_decimal(product.price, CENT) for product in problem.products}
