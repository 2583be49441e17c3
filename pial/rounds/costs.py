"""What the shared rounds cost each grower, and what they save, kept once a week is history.

Rounds are planned on demand (see :mod:`pial.rounds.services`); when a delivered week's fees
are accrued, its days' rounds are written down once (``RoundDaySnapshot``): each route's km,
minutes, CO2 and cost, who drove it, and each farm's share of its cost, pro rata of the kg·km
carried for the farm. The driver's farm is credited the cost of its route; a partner truck's
cost is owed to the partner. From then on, statements and the season's savings read the
snapshot, so that editing a vehicle's costs later rewrites no history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pial.clock import now
from pial.db import get_session
from pial.errors import NotFound
from pial.models import (
    DeliveryWeek,
    RoundCostShare,
    RoundDaySnapshot,
    RoundRouteCost,
    Season,
    WeekState,
)
from pial.rounds import seam
from pial.rounds.services import DayRounds, plan_of_week, week_rounds

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def euros(amount: float) -> Decimal:
    """Return a solver's amount in euros as a Decimal to the cent (half up)."""
    return Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)


def split_cost(cost_eur: Decimal, kg_km_by_farm: Mapping[int, float]) -> dict[int, Decimal]:
    """Split a route's cost among farms pro rata of their kg·km; the shares sum to the cost.

    Each share is first rounded down to the cent; the cents left over go one by one to the
    largest remainders (the smaller farm id first on a tie), so the split is the same every
    time. Farms carried over no distance get nothing; when nothing is carried at all, the
    result is empty.
    """
    weights = {farm: Decimal(repr(kg_km)) for farm, kg_km in kg_km_by_farm.items() if kg_km > 0}
    total = sum(weights.values(), Decimal(0))
    if total <= 0:
        return {}
    cents = int((cost_eur / CENT).to_integral_value(ROUND_HALF_UP))
    exact = {farm: cents * weight / total for farm, weight in weights.items()}
    floors = {farm: int(value.to_integral_value(ROUND_FLOOR)) for farm, value in exact.items()}
    left = cents - sum(floors.values())
    by_remainder = sorted(exact, key=lambda farm: (-(exact[farm] - floors[farm]), farm))
    for farm in by_remainder[:left]:
        floors[farm] += 1
    return {farm: Decimal(floors[farm]) * CENT for farm in sorted(floors)}


def _snapshot_day(week: DeliveryWeek, plan_version: int, rounds: DayRounds) -> RoundDaySnapshot:
    """Return a day's rounds as a snapshot row with its routes and shares (not yet added)."""
    result = rounds.result
    pooled, alone = result.pooled, result.baseline
    snapshot = RoundDaySnapshot(
        week_id=week.id, day=rounds.day, plan_version=plan_version,
        pooled_km=pooled.distance_km if pooled else 0.0,
        pooled_min=pooled.duration_min if pooled else 0,
        pooled_co2_kg=pooled.co2_kg if pooled else 0.0,
        pooled_cost_eur=euros(pooled.cost_eur) if pooled else ZERO,
        alone_km=alone.distance_km if alone else 0.0,
        alone_min=alone.duration_min if alone else 0,
        alone_co2_kg=alone.co2_kg if alone else 0.0,
        alone_cost_eur=euros(alone.cost_eur) if alone else ZERO,
        unserved_lines=len(result.unserved), taken_dt=now(),
    )
    vehicles = {vehicle.id: vehicle for vehicle in rounds.problem.vehicles}
    for route in result.routes:
        vehicle = vehicles[route.vehicle_id]
        carried = seam.carried_by_farm(rounds.problem, route)
        cost = euros(route.cost_eur)
        shares = split_cost(cost, carried)
        snapshot.routes.append(RoundRouteCost(
            vehicle_name=vehicle.name,
            driver_farm_id=int(vehicle.farm_id) if vehicle.farm_id is not None else None,
            distance_km=route.distance_km, duration_min=route.duration_min, cost_eur=cost,
            co2_kg=route.co2_kg, carried_kg_km=sum(carried.values()),
            shares=[RoundCostShare(farm_id=farm_id, kg_km=carried[farm_id], share_eur=share)
                    for farm_id, share in shares.items()],
        ))
    return snapshot


@dataclass(frozen=True)
class WeekRounds:
    """A week's rounds as planned from its published plan, ready to be written down."""

    week: DeliveryWeek
    plan_version: int
    days: list[DayRounds]


def plan_rounds_to_keep(week: DeliveryWeek) -> WeekRounds | None:
    """Plan the rounds of a week not yet written down; None if written or never published.

    Planning takes seconds and writes nothing: callers do it before taking any lock.
    """
    if _has_snapshot(week):
        return None
    try:
        version = plan_of_week(week.iso_week).version
    except NotFound:
        return None
    return WeekRounds(week, version, week_rounds(week.iso_week))


def keep_week_rounds(planned: WeekRounds | None) -> None:
    """Write down a week's planned rounds, once; the caller commits.

    A week written down meanwhile (by a concurrent accrual) is left as it is: its snapshot is
    history.
    """
    if planned is None or _has_snapshot(planned.week):
        return
    session = get_session()
    session.add_all([_snapshot_day(planned.week, planned.plan_version, rounds)
                     for rounds in planned.days])
    session.flush()


def _has_snapshot(week: DeliveryWeek) -> bool:
    return get_session().scalars(
        select(RoundDaySnapshot.id).where(RoundDaySnapshot.week_id == week.id).limit(1)
    ).first() is not None


@dataclass(frozen=True, slots=True)
class TransportDay:
    """A farm's side of a delivery day's shared rounds, for its statement.

    ``owed_eur``: its share of the rounds others drove (its crates on their vans or on the
    partner's truck); ``credit_eur``: the cost of the rounds it drove, less its own share, i.e.
    what the other farms' crates owe it. ``balance_eur`` is positive when due to the farm.
    """

    day: dt.date
    owed_eur: Decimal
    credit_eur: Decimal
    kg_km: float
    routes_driven: int

    @property
    def balance_eur(self) -> Decimal:
        """Return what is due to the farm (positive) or by it (negative) for the day."""
        return self.credit_eur - self.owed_eur


def farm_transport(farm_id: int, first: dt.date, last: dt.date) -> list[TransportDay]:
    """Return a farm's shared-round amounts of each snapshotted day from ``first`` to ``last``."""
    snapshots = get_session().scalars(
        select(RoundDaySnapshot)
        .where(RoundDaySnapshot.day >= first, RoundDaySnapshot.day <= last)
        .options(selectinload(RoundDaySnapshot.routes).selectinload(RoundRouteCost.shares))
        .order_by(RoundDaySnapshot.day)
    ).all()
    days = []
    for snapshot in snapshots:
        owed = credit = ZERO
        kg_km = 0.0
        driven = 0
        for route in snapshot.routes:
            own = next((s for s in route.shares if s.farm_id == farm_id), None)
            if own is not None:
                kg_km += own.kg_km
            if route.driver_farm_id == farm_id:
                driven += 1
                credit += route.cost_eur - (own.share_eur if own is not None else ZERO)
            elif own is not None:
                owed += own.share_eur
        if owed or credit or driven or kg_km:
            days.append(TransportDay(snapshot.day, owed, credit, kg_km, driven))
    return days


@dataclass(frozen=True, slots=True)
class DaySavings:
    """A delivery day's rounds pooled next to each grower driving alone."""

    day: dt.date
    iso_week: str
    pooled_km: float
    alone_km: float
    pooled_min: int
    alone_min: int
    pooled_co2_kg: float
    alone_co2_kg: float
    pooled_cost_eur: Decimal
    alone_cost_eur: Decimal
    forecast: bool  # planned on demand: the week is not history yet

    @property
    def saved_km(self) -> float:
        """Return the km the pooling saves."""
        return self.alone_km - self.pooled_km

    @property
    def saved_min(self) -> int:
        """Return the driving minutes the pooling saves."""
        return self.alone_min - self.pooled_min

    @property
    def saved_co2_kg(self) -> float:
        """Return the kg of CO2 the pooling saves."""
        return self.alone_co2_kg - self.pooled_co2_kg

    @property
    def saved_cost_eur(self) -> Decimal:
        """Return the euros the pooling saves."""
        return self.alone_cost_eur - self.pooled_cost_eur


@dataclass(frozen=True)
class SeasonSavings:
    """The savings of every delivery day of a season (or of every published week)."""

    season: Season | None
    days: list[DaySavings] = field(default_factory=list)

    def total(self, name: str) -> float | int | Decimal:
        """Return the sum over the days of one figure (``pooled_km``, ``saved_cost_eur``…)."""
        values: list[float | int | Decimal] = [getattr(day, name) for day in self.days]
        if name.endswith("_eur"):
            return sum((Decimal(value) for value in values), ZERO)
        return sum((float(value) for value in values), 0.0) if values else 0

    @property
    def has_forecast(self) -> bool:
        """Tell whether some days are planned on demand, not yet history."""
        return any(day.forecast for day in self.days)


def _from_snapshot(snapshot: RoundDaySnapshot, iso_week: str) -> DaySavings:
    return DaySavings(snapshot.day, iso_week, snapshot.pooled_km, snapshot.alone_km,
                      snapshot.pooled_min, snapshot.alone_min, snapshot.pooled_co2_kg,
                      snapshot.alone_co2_kg, snapshot.pooled_cost_eur, snapshot.alone_cost_eur,
                      forecast=False)


def _from_rounds(rounds: DayRounds) -> DaySavings:
    pooled, alone = rounds.result.pooled, rounds.result.baseline
    return DaySavings(
        rounds.day, rounds.iso_week,
        pooled.distance_km if pooled else 0.0, alone.distance_km if alone else 0.0,
        pooled.duration_min if pooled else 0, alone.duration_min if alone else 0,
        pooled.co2_kg if pooled else 0.0, alone.co2_kg if alone else 0.0,
        euros(pooled.cost_eur) if pooled else ZERO, euros(alone.cost_eur) if alone else ZERO,
        forecast=True,
    )


def find_season(code: str | None, today: dt.date) -> Season | None:
    """Return the season named ``code``, else the one holding ``today``, else the latest."""
    session = get_session()
    if code:
        return session.scalars(select(Season).where(Season.code == code)).first()
    holding = session.scalars(select(Season).where(
        Season.start_date <= today, Season.end_date >= today)).first()
    return holding or session.scalars(select(Season).order_by(Season.start_date.desc())).first()


def all_seasons() -> list[Season]:
    """Return the seasons, the latest first."""
    return list(get_session().scalars(select(Season).order_by(Season.start_date.desc())))


def season_day_savings(season: Season | None) -> SeasonSavings:
    """Return each delivery day's savings over a season's published and delivered weeks.

    A day written down (its week accrued) is read from its snapshot; the others are planned on
    demand and marked as forecasts.
    """
    session = get_session()
    query = select(DeliveryWeek).where(
        DeliveryWeek.state.in_([WeekState.PUBLISHED, WeekState.DELIVERED])
    ).order_by(DeliveryWeek.monday_date)
    if season is not None:
        query = query.where(DeliveryWeek.monday_date >= season.start_date - dt.timedelta(days=6),
                            DeliveryWeek.monday_date <= season.end_date)
    days: list[DaySavings] = []
    for week in session.scalars(query):
        snapshots = session.scalars(select(RoundDaySnapshot)
                                    .where(RoundDaySnapshot.week_id == week.id)
                                    .order_by(RoundDaySnapshot.day)).all()
        if snapshots:
            days.extend(_from_snapshot(snapshot, week.iso_week) for snapshot in snapshots)
        else:
            days.extend(_from_rounds(rounds) for rounds in week_rounds(week.iso_week))
    if season is not None:
        days = [d for d in days if season.start_date <= d.day <= season.end_date]
    return SeasonSavings(season, days)

