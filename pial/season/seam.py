"""The one seam between the database and the season models: rows → ``solver.season`` inputs.

Nothing else in PIAL builds season-model objects. Identifiers are ``g-<farm id>``,
``c-<canteen id>`` and the product's slug: the weekly allocation's (its seam's key functions).

The history the models learn from is PIAL's own weeks (orders and offers of weeks closed or
later, crop failures declared) plus the lines imported from before PIAL (``HistoryLine``).
Closed canteen-weeks come from ``known_closures`` (what the app knows of each canteen's
calendar) and from the history (weeks a canteen was closed in most past seasons): a
canteen calendar (school holidays, closures) plugs in at ``known_closures``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.allocation.seam import canteen_key
from pial.allocation.seam import farm_id_of as farm_id_of  # the results' way back to rows
from pial.allocation.seam import grower_key as grower_key  # also used by the services
from pial.models import (
    AvailabilityLine,
    Canteen,
    CanteenGroup,
    Contract,
    CropDeclaration,
    CropFailure,
    DeliveryWeek,
    Farm,
    FarmWeekOff,
    HistoryKind,
    HistoryLine,
    OrderLine,
    PlanProposal,
    Price,
    Product,
    ProposalState,
    Season,
    TenderLot,
    WeekState,
    canteen_group_members,
    find_platform,
    parse_weekdays,
)

# The solver's season models. The names imported « as » themselves are handed on to the
# season's services and tenders: this seam stays their one crossing into the solver.
from solver import haversine_km
from solver.season import BacktestReport as BacktestReport
from solver.season import (
    CanteenInfo,
    CommitProblem,
    ContractVolume,
    CropCapacity,
    DemandForecast,
    GrowerInfo,
    History,
    LotLine,
    PlanLock,
    ProductInfo,
    Record,
    SupplyModel,
    fit_demand,
    fit_supply,
    forecast_demand,
    level_error_scale,
    predicted_closures,
    season_weeks,
)
from solver.season import PlanProblem as PlanProblem
from solver.season import PlanSettings as PlanSettings
from solver.season import backtest_forecast as backtest_forecast
from solver.season import commit_lot as commit_lot
from solver.season import propose_advances as propose_advances
from solver.season import solve_plan as solve_plan

HISTORY_STATES = (WeekState.CLOSED, WeekState.ALLOCATED, WeekState.PUBLISHED,
                  WeekState.DELIVERED)
"""Weeks whose orders and offers are final: they count as history."""

SEASON_FIRST_MONTH = 9
DEFAULT_ROAD_FACTOR = 1.3


# --- Seasons -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeasonWindow:
    """A season: the year it starts, its first and last days, its weeks (Mondays)."""

    year: int
    first_day: dt.date
    last_day: dt.date
    weeks: tuple[dt.date, ...]

    @property
    def code(self) -> str:
        """Return the season's code, e.g. ``2027-2028``."""
        return f"{self.year}-{self.year + 1}"


def default_season_start(year: int) -> dt.date:
    """Return the Monday of the week of 1 September ``year`` (the group's seasons start then)."""
    first = dt.date(year, SEASON_FIRST_MONTH, 1)
    return first - dt.timedelta(days=first.weekday())


def season_year_of(day: dt.date) -> int:
    """Return the year the season holding ``day`` starts in."""
    return day.year if day >= default_season_start(day.year) else day.year - 1


def season_window(session: Session, year: int) -> SeasonWindow:
    """Return the season starting in ``year``: its Season row's dates, else the usual ones."""
    row = session.scalar(
        select(Season).where(Season.start_date >= dt.date(year, 1, 1),
                             Season.start_date <= dt.date(year, 12, 31))
        .order_by(Season.start_date).limit(1)
    )
    if row is not None:
        first, last = row.start_date, row.end_date
    else:
        first = default_season_start(year)
        last = default_season_start(year + 1) - dt.timedelta(days=1)
    return SeasonWindow(year, first, last, season_weeks(first, last))


def season_prices_eur(session: Session, day: dt.date) -> dict[int, Decimal]:
    """Return each product's price in the season holding ``day``, else in the latest season."""
    season = session.scalar(
        select(Season).where(Season.start_date <= day, Season.end_date >= day)
    ) or session.scalar(select(Season).order_by(Season.start_date.desc()).limit(1))
    if season is None:
        return {}
    return {price.product_id: price.price_eur
            for price in session.scalars(select(Price).where(Price.season_id == season.id))}


def price_parts(session: Session, product_id: int, day: dt.date) -> Price | None:
    """Return the Price row (cost, margin, fee) of a product for ``day``'s season, or latest."""
    season = session.scalar(
        select(Season).where(Season.start_date <= day, Season.end_date >= day)
    ) or session.scalar(select(Season).order_by(Season.start_date.desc()).limit(1))
    if season is None:
        return None
    return session.scalar(
        select(Price).where(Price.season_id == season.id, Price.product_id == product_id))


# --- History -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeasonData:
    """The history loaded once, and the rows behind its ids."""

    history: History
    products: Mapping[str, Product]  # by slug
    farms: Mapping[str, Farm]  # by grower id
    canteens: Mapping[str, Canteen]  # by canteen id
    prices_eur: Mapping[str, Decimal]  # by slug, for the season being planned


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _records(rows: Iterable[tuple[int, int, dt.date, Decimal]], key: str,
             slugs: Mapping[int, str]) -> list[Record]:
    """Turn (owner id, product id, Monday, quantity) rows into records, summed per week."""
    totals: dict[tuple[int, int, dt.date], float] = defaultdict(float)
    for owner, product, monday, quantity in rows:
        if product in slugs and quantity:
            totals[owner, product, _monday(monday)] += float(quantity)
    prefix = grower_key if key == "farm" else canteen_key
    return [Record(prefix(owner), slugs[product], monday, quantity)
            for (owner, product, monday), quantity in sorted(totals.items()) if quantity > 0]


def load_history(session: Session, price_day: dt.date) -> SeasonData:
    """Load every order, offer and loss the group has records of (PIAL's and imported)."""
    products = {p.slug: p for p in session.scalars(
        select(Product).where(Product.is_active).order_by(Product.id))}
    slugs = {product.id: slug for slug, product in products.items()}
    farms = {grower_key(f.id): f for f in session.scalars(
        select(Farm).where(Farm.is_active).order_by(Farm.id))}
    canteens = {canteen_key(c.id): c for c in session.scalars(
        select(Canteen).where(Canteen.is_active).order_by(Canteen.id))}
    prices = season_prices_eur(session, price_day)

    final = DeliveryWeek.state.in_(HISTORY_STATES)
    orders = session.execute(
        select(OrderLine.canteen_id, OrderLine.product_id, DeliveryWeek.monday_date,
               OrderLine.quantity).join(DeliveryWeek, OrderLine.week_id == DeliveryWeek.id)
        .where(final))
    offers = session.execute(
        select(AvailabilityLine.farm_id, AvailabilityLine.product_id, DeliveryWeek.monday_date,
               AvailabilityLine.quantity)
        .join(DeliveryWeek, AvailabilityLine.week_id == DeliveryWeek.id).where(final))
    losses = session.execute(
        select(CropFailure.farm_id, CropFailure.product_id, DeliveryWeek.monday_date,
               CropFailure.quantity_lost)
        .join(DeliveryWeek, CropFailure.week_id == DeliveryWeek.id))
    imported: dict[HistoryKind, list[tuple[int, int, dt.date, Decimal]]] = defaultdict(list)
    for line in session.execute(select(HistoryLine.kind, HistoryLine.canteen_id,
                                       HistoryLine.farm_id, HistoryLine.product_id,
                                       HistoryLine.monday_date, HistoryLine.quantity)):
        owner = line.canteen_id if line.kind == HistoryKind.ORDER else line.farm_id
        imported[line.kind].append((owner, line.product_id, line.monday_date, line.quantity))

    order_records = _records([*orders.tuples(), *imported[HistoryKind.ORDER]], "canteen", slugs)
    offer_records = _records([*offers.tuples(), *imported[HistoryKind.OFFER]], "farm", slugs)
    loss_records = _records([*losses.tuples(), *imported[HistoryKind.LOSS]], "farm", slugs)
    every = [record.week for record in (*order_records, *offer_records, *loss_records)]
    weeks = season_weeks(min(every), max(every)) if every else ()
    history = History(
        weeks=weeks,
        canteens=tuple(CanteenInfo(key, float(c.meals_per_day or 0), c.lat, c.lon)
                       for key, c in canteens.items()),
        products=tuple(ProductInfo(slug, p.season_mask, float(prices.get(p.id, Decimal(1))),
                                   float(p.unit_kg))
                       for slug, p in products.items()),
        growers=tuple(GrowerInfo(key, f.lat, f.lon,
                                 float(f.target_share) if f.target_share is not None else None)
                      for key, f in farms.items()),
        orders=tuple(order_records),
        offers=tuple(offer_records),
        losses=tuple(loss_records),
        closures=frozenset(known_closures(session, canteens.values(), weeks)),
    )
    return SeasonData(history, products, farms, canteens,
                      {slug: prices.get(p.id, Decimal(0)) for slug, p in products.items()})


def known_closures(
    session: Session, canteens: Iterable[Canteen], weeks: Sequence[dt.date]
) -> set[tuple[str, dt.date]]:
    """Return the canteen-weeks the app knows to be closed.

    Today that is a canteen none of whose delivery days is a platform delivery day (closed
    every week). A canteen calendar (school holidays, closures) adds its weeks here.
    """
    platform = find_platform(session)
    platform_days = set(parse_weekdays(platform.delivery_weekdays if platform else "1,4"))
    closed = set()
    for canteen in canteens:
        days = set(parse_weekdays(canteen.delivery_weekdays)) if canteen.delivery_weekdays \
            else platform_days
        if not days & platform_days:
            closed |= {(canteen_key(canteen.id), week) for week in weeks}
    return closed


# --- Forecast, supply, plan and lot inputs -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeasonModels:
    """A season's window, the history, and the forecast and supply fitted on it."""

    window: SeasonWindow
    data: SeasonData
    forecast: DemandForecast
    supply: SupplyModel
    closures: frozenset[tuple[str, dt.date]]


def contract_volumes(session: Session, window: SeasonWindow) -> list[ContractVolume]:
    """Return the yearly minimums of the active contracts running in the season."""
    contracts = session.scalars(
        select(Contract).where(Contract.is_active, Contract.start_date <= window.last_day,
                               Contract.end_date >= window.first_day))
    volumes = []
    for contract in contracts:
        canteens = tuple(canteen_key(canteen_id) for canteen_id in buyer_ids(session, contract))
        volumes += [ContractVolume(canteens, line.product.slug,
                                   float(line.committed_min_quantity_per_year))
                    for line in contract.lines]
    return volumes


def buyer_ids(session: Session, buyer: Contract | object) -> set[int]:
    """Return the canteens behind a contract's or a lot's buyer (its canteen or group)."""
    canteen_id = getattr(buyer, "canteen_id", None)
    if canteen_id is not None:
        return {canteen_id}
    group_id = getattr(buyer, "canteen_group_id", None)
    if group_id is None or session.get(CanteenGroup, group_id) is None:
        return set()
    return set(session.scalars(select(canteen_group_members.c.canteen_id)
                               .where(canteen_group_members.c.canteen_group_id == group_id)))


def season_models(session: Session, year: int) -> SeasonModels:
    """Fit the forecast and the supply on the whole history, for the season starting ``year``."""
    window = season_window(session, year)
    data = load_history(session, window.first_day)
    model = fit_demand(data.history)
    closures = (predicted_closures(data.history, window.weeks)
                | known_closures(session, data.canteens.values(), window.weeks))
    forecast = forecast_demand(model, window.weeks, closures, contract_volumes(session, window))
    return SeasonModels(window, data, forecast, fit_supply(data.history), frozenset(closures))


def crop_capacities(session: Session, year: int, slugs: Mapping[int, str]) -> list[CropCapacity]:
    """Return the crops the farms declared for the season, as capacities."""
    return [
        CropCapacity(grower_key(crop.farm_id), slugs[crop.product_id],
                     float(crop.max_weekly_quantity) if crop.max_weekly_quantity is not None
                     else None,
                     float(crop.season_quantity) if crop.season_quantity is not None else None)
        for crop in session.scalars(select(CropDeclaration)
                                    .where(CropDeclaration.season_year == year))
        if crop.product_id in slugs
    ]


def weeks_off(session: Session, window: SeasonWindow) -> frozenset[tuple[str, dt.date]]:
    """Return the (grower, Monday) weeks farms cannot deliver in the season."""
    rows = session.scalars(select(FarmWeekOff).where(
        FarmWeekOff.monday_date >= window.first_day, FarmWeekOff.monday_date <= window.last_day))
    return frozenset((grower_key(row.farm_id), row.monday_date) for row in rows)


def accepted_locks(session: Session, window: SeasonWindow,
                   slugs: Mapping[int, str]) -> list[PlanLock]:
    """Return the weekly volumes of the growers' accepted proposals, week by week."""
    proposals = session.scalars(select(PlanProposal).where(
        PlanProposal.season_year == window.year, PlanProposal.state == ProposalState.ACCEPTED)
        .order_by(PlanProposal.decided_dt, PlanProposal.id))
    locks: dict[tuple[str, str, dt.date], float] = {}
    for proposal in proposals:  # a later decision on the same weeks wins
        for week in window.weeks:
            if proposal.first_monday <= week <= proposal.last_monday:
                key = (grower_key(proposal.farm_id), slugs[proposal.product_id], week)
                locks[key] = float(proposal.weekly_quantity)
    return [PlanLock(g, p, week, quantity) for (g, p, week), quantity in locks.items()]


def distances_km(session: Session, models: SeasonModels) -> dict[tuple[str, str], float]:
    """Return, per grower and product, the demand-weighted road distance to the canteens."""
    platform = find_platform(session)
    road_factor = platform.road_factor if platform else DEFAULT_ROAD_FACTOR
    forecast = models.forecast
    canteens = [models.data.canteens[key] for key in forecast.canteens]
    weights = forecast.mean.sum(axis=2)  # canteens × products
    result = {}
    for key, farm in models.data.farms.items():
        km = np.array([haversine_km(farm.lat, farm.lon, c.lat, c.lon) * road_factor
                       for c in canteens])
        totals = weights.sum(axis=0)
        for j, slug in enumerate(forecast.products):
            if totals[j] > 0:
                result[key, slug] = float((weights[:, j] * km).sum() / totals[j])
    return result



def lot_problem(
    session: Session,
    lot: TenderLot,
    models: SeasonModels,
    *,
    draws: int,
    confidence: float,
) -> CommitProblem:
    """Build a tender lot's Monte Carlo: its lines, the members' supply, the other demand."""
    forecast = models.forecast
    buyers = {canteen_key(canteen_id) for canteen_id in buyer_ids(session, lot)}
    others = [key for key in forecast.canteens if key not in buyers]
    other_mean, other_variance = forecast.aggregate(others)
    buyer_mean, buyer_variance = forecast.aggregate(buyers)
    buyer_rows = [i for i, key in enumerate(forecast.canteens) if key in buyers]
    lines = []
    rows = []
    for line in lot.lines:
        slug = line.product.slug
        j = forecast.products.index(slug) if slug in forecast.products else None
        lines.append(LotLine(slug, float(line.yearly_estimate),
                             _weekly_share(models, line.product, j, buyer_rows, buyers)))
        rows.append(j)
    weeks = len(models.window.weeks)

    def pick(array: np.ndarray) -> np.ndarray:
        return np.array([array[j] if j is not None else np.zeros(weeks) for j in rows]
                        ).reshape(len(rows), weeks)

    slugs = {product.id: slug for slug, product in models.data.products.items()}
    return CommitProblem(
        weeks=models.window.weeks,
        lines=tuple(lines),
        supply=models.supply,
        members=tuple(models.data.farms),
        capacities=tuple(crop_capacities(session, models.window.year, slugs)),
        other_mean=pick(other_mean),
        other_variance=pick(other_variance),
        buyer_mean=pick(buyer_mean),
        buyer_variance=pick(buyer_variance),
        other_zero=pick(forecast.nobody_orders(others)),
        buyer_zero=pick(forecast.nobody_orders(buyers)),
        demand_seasons=models.data.history.order_seasons,
        demand_level_scale=level_error_scale(models.data.history),
        confidence=confidence,
        draws=draws,
    )


def _weekly_share(
    models: SeasonModels, product: Product, j: int | None, buyer_rows: list[int],
    buyers: set[str],
) -> tuple[float, ...]:
    """Spread a lot line over the season: as its buyers order it, else over their open weeks."""
    weeks = models.window.weeks
    if j is not None and buyer_rows:
        profile = models.forecast.mean[buyer_rows, j, :].sum(axis=0)
        if profile.sum() > 0:
            return tuple(float(value) for value in profile / profile.sum())
    open_weeks = np.array([
        product.is_in_season((week + dt.timedelta(days=3)).month)
        and not (buyers and all((key, week) in models.closures for key in buyers))
        for week in weeks], dtype=float)
    if not open_weeks.any():
        open_weeks = np.ones(len(weeks))
    return tuple(float(value) for value in open_weeks / open_weeks.sum())
