"""The delivery rounds of a published week: planned on demand, the same for the same plan.

Rounds are not stored: the solver's search is deterministic, so the same published plan and
the same vehicles, windows and roads always give the same rounds (a re-plan gives new ones).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from pial.allocation.coordination import require_coordinator
from pial.db import get_session
from pial.errors import NotFound
from pial.models import (
    CollectionPoint,
    DeliveryWindow,
    RoadDistance,
    RoundPin,
    Vehicle,
    find_platform,
)
from pial.published.plan import PlanLine, PublishedPlan, published_plan
from pial.rounds import seam
from pial.weeks.calendar import get_week

DEFAULT_ROAD_FACTOR = 1.3


@dataclass(frozen=True)
class StopView:
    """A stop of a driver's sheet: when, where, what to load and drop, and the instructions."""

    arrival: str
    departure: str
    name: str
    kind: str  # "farm", "canteen", "point", "depot"
    load: list[PlanLine]
    drop: list[PlanLine]
    instructions: str = ""
    phone: str = ""
    load_kg_after: float = 0.0
    changed: bool = False  # not in this vehicle's round of the plan's previous version


@dataclass(frozen=True)
class RouteView:
    """A driver's route sheet."""

    vehicle_id: str
    vehicle_name: str
    driver: str
    phone: str
    stops: list[StopView]
    distance_km: float
    duration_min: int
    cost_eur: float
    co2_kg: float


@dataclass(frozen=True, eq=False)
class DayRounds:
    """A delivery day's pooled rounds, next to each grower driving their own lines."""

    iso_week: str
    day: dt.date
    problem: seam.RoundsProblem
    result: seam.RoundsResult
    lines: dict[str, PlanLine] = field(repr=False)
    previous: DayRounds | None = field(default=None, repr=False)  # of the previous version

    @cached_property
    def routes(self) -> list[RouteView]:
        """Return each driver's route sheet."""
        return [self._route_view(route) for route in self.result.routes]

    def route(self, vehicle_id: str) -> RouteView:
        """Return one driver's sheet, or raise NotFound."""
        for route in self.routes:
            if route.vehicle_id == vehicle_id:
                return route
        raise NotFound(_("Ce véhicule ne roule pas ce jour-là."))

    @property
    def unserved(self) -> list[tuple[PlanLine, str]]:
        """Return the lines no round carries, each with its reason in French."""
        return [(self.lines[item.line_id], item.message) for item in self.result.unserved]

    def document(self) -> dict[str, Any]:
        """Return the day's rounds as their JSON document."""
        return seam.document_of(self.problem, self.result)

    def signatures(self, vehicle_id: str) -> set[tuple[Any, ...]]:
        """Return what each stop of a vehicle's round does, comparable across plan versions."""
        return {self._signature(stop) for route in self.result.routes
                if route.vehicle_id == vehicle_id for stop in route.stops}

    def _signature(self, stop: Any) -> tuple[Any, ...]:
        def what(line_ids: tuple[str, ...]) -> frozenset[tuple[Any, ...]]:
            return frozenset((self.lines[i].farm_id, self.lines[i].canteen_id,
                              self.lines[i].product_id, self.lines[i].quantity)
                             for i in line_ids)

        return stop.place, what(stop.load), what(stop.drop)

    def _route_view(self, route: Any) -> RouteView:
        vehicles = {v.id: v for v in self.problem.vehicles}
        canteens = {c.id: c for c in self.problem.canteens}
        vehicle = vehicles[route.vehicle_id]
        before = self.previous.signatures(route.vehicle_id) if self.previous else None
        stops = []
        for stop in route.stops:
            kind, _sep, ident = stop.place.partition(":")
            canteen = canteens.get(ident) if kind == "canteen" else None
            changed = before is not None and bool(stop.load or stop.drop) and (
                self._signature(stop) not in before
            )
            stops.append(StopView(
                f"{stop.arrival_min // 60}h{stop.arrival_min % 60:02d}",
                f"{stop.departure_min // 60}h{stop.departure_min % 60:02d}",
                stop.name, kind,
                [self.lines[i] for i in stop.load], [self.lines[i] for i in stop.drop],
                canteen.instructions if canteen else "", canteen.phone if canteen else "",
                stop.load_kg_after, changed,
            ))
        return RouteView(route.vehicle_id, vehicle.name, vehicle.driver, vehicle.phone, stops,
                         route.distance_km, route.duration_min, route.cost_eur, route.co2_kg)


def plan_of_week(iso_week: str) -> PublishedPlan:
    """Return the week's published plan, or raise NotFound."""
    plan = published_plan(get_week(iso_week))
    if plan is None:
        raise NotFound(_("Le planning de la semaine %(week)s n'est pas encore publié.",
                         week=iso_week))
    return plan


def round_days(iso_week: str) -> list[dt.date]:
    """Return the days of a published week on which something is delivered."""
    return sorted({line.day for line in plan_of_week(iso_week).lines})


def day_rounds(iso_week: str, day: dt.date, plan: PublishedPlan | None = None) -> DayRounds:
    """Plan the rounds of one delivery day of a published week."""
    plan = plan or plan_of_week(iso_week)
    lines = [line for line in plan.lines if line.day == day]
    if not lines:
        raise NotFound(_("Rien n'est livré le %(day)s.", day=day.strftime("%d/%m/%Y")))
    session = get_session()
    platform = find_platform(session)
    problem = seam.build_problem(
        day, lines,
        session.scalars(select(Vehicle)).all(),
        session.scalars(select(CollectionPoint)).all(),
        session.scalars(select(DeliveryWindow)).all(),
        session.scalars(select(RoadDistance)).all(),
        platform.road_factor if platform is not None else DEFAULT_ROAD_FACTOR,
        session.scalars(select(RoundPin)).all(),
    )
    # A re-plan starts from the previous version's rounds: a crop failure moves few stops.
    previous = None
    if plan.version > 1:
        older = published_plan(plan.week, plan.version - 1)
        if older is not None and any(line.day == day for line in older.lines):
            previous = day_rounds(iso_week, day, older)
    hint = seam.previous_of(previous.result, list(previous.lines.values())) if previous else ()
    return DayRounds(plan.week.iso_week, day, problem, seam.solve(problem, hint),
                     {str(line.id): line for line in lines}, previous)


def week_rounds(iso_week: str) -> list[DayRounds]:
    """Plan the rounds of every delivery day of a published week."""
    plan = plan_of_week(iso_week)
    return [day_rounds(iso_week, day, plan) for day in sorted({ln.day for ln in plan.lines})]


def check_rounds_document(data: Any) -> list[str]:
    """Return the rules a rounds document breaks; raise seam.FormatError if unreadable."""
    return seam.check_document(data)


def move_line(actor: Any, iso_week: str, line_id: int, vehicle_id: int) -> None:
    """Put a published line on a vehicle; the day's other stops are re-optimised around it."""
    require_coordinator(actor, iso_week)
    plan = plan_of_week(iso_week)
    if line_id not in {line.id for line in plan.lines}:
        raise NotFound(_("Cette ligne n'est pas dans le planning publié de la semaine."))
    session = get_session()
    vehicle = session.get(Vehicle, vehicle_id)
    if vehicle is None or not vehicle.is_active:
        raise NotFound(_("Ce véhicule n'existe pas (ou plus)."))
    pin = session.scalars(select(RoundPin).where(RoundPin.allocation_line_id == line_id)).first()
    if pin is None:
        session.add(RoundPin(allocation_line_id=line_id, vehicle_id=vehicle_id))
    else:
        pin.vehicle_id = vehicle_id
    session.commit()
