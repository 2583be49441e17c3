"""A day's pooled rounds, the « each grower drives their own lines » baseline, and the split."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from solver.rounds.distances import RoadMap
from solver.rounds.model import (
    GROWER_VAN,
    FarmShare,
    Line,
    RoundsProblem,
    RoundsResult,
    Route,
    Totals,
    Vehicle,
)
from solver.rounds.routing import Previous, solve_routes
from solver.rounds.validation import check_problem


def solve_rounds(problem: RoundsProblem, previous: Previous = ()) -> RoundsResult:
    """Plan the day's pooled rounds and compare them with each grower driving alone.

    ``previous`` (a re-plan's earlier rounds, see routing.previous_of) is where the search of
    the direct rounds starts, so that a small change to the plan moves few stops.
    """
    errors = check_problem(problem)
    if errors:
        return RoundsResult("invalid", errors=tuple(errors))
    routes, unserved = solve_routes(problem, problem.lines, problem.vehicles, use_points=False,
                                    previous=previous)
    if problem.points and problem.settings.use_collection_points:
        # Which consignments go through a point is decided before routing (see routing.py);
        # when that choice serves fewer lines, or costs more, the direct rounds are kept.
        through, left = solve_routes(problem, problem.lines, problem.vehicles, use_points=True)
        if (len(left), _cost(through)) < (len(unserved), _cost(routes)):
            routes, unserved = through, left
    baseline_routes = solve_baseline(problem)
    shares, partner_credit = split_costs(problem, routes)
    return RoundsResult(
        "partial" if unserved else "ok",
        routes=tuple(routes),
        unserved=tuple(sorted(unserved, key=lambda item: item.line_id)),
        pooled=totals_of(routes),
        baseline=totals_of(baseline_routes),
        baseline_routes=tuple(baseline_routes),
        shares=tuple(shares),
        partner_credit_eur=partner_credit,
    )


def _cost(routes: Sequence[Route]) -> float:
    """Return the cost of a set of routes."""
    return sum(route.cost_eur for route in routes)


def solve_baseline(problem: RoundsProblem) -> list[Route]:
    """Route each farm's lines on its own van(s) only, as growers do today.

    A farm with no van in the day's fleet is given one like the largest van of the day (a
    notional van at its farm); a farm whose lines outweigh its van gets as many copies as its
    load needs, standing for as many trips.
    """
    default = max(
        (v for v in problem.vehicles if v.kind == GROWER_VAN),
        key=lambda v: (v.capacity_kg, v.id),
        default=None,
    )
    routes: list[Route] = []
    by_farm: dict[str, list[Line]] = {}
    for line in problem.lines:
        by_farm.setdefault(line.farm_id, []).append(line)
    farms = {farm.id: farm for farm in problem.farms}
    for farm_id, lines in sorted(by_farm.items()):
        own = [v for v in problem.vehicles if v.kind == GROWER_VAN and v.farm_id == farm_id]
        if not own:
            if default is None:
                continue
            farm = farms[farm_id]
            own = [replace(default, id=f"{farm_id}-own", name=farm.name, farm_id=farm_id,
                           lat=farm.lat, lon=farm.lon)]
        copies = _copies_needed(lines, own)
        fleet = [replace(v, id=f"{v.id}#{n}") if n else v for n in range(copies) for v in own]
        farm_problem = replace(problem, lines=tuple(lines), vehicles=tuple(fleet), pins=())
        farm_routes, _unserved = solve_routes(farm_problem, lines, fleet, use_points=False)
        routes.extend(replace(route, vehicle_id=route.vehicle_id.split("#")[0])
                      for route in farm_routes)
    return routes


def _copies_needed(lines: Sequence[Line], vans: Sequence[Vehicle]) -> int:
    """Return how many trips of a farm's vans its lines need, at least, by kg and by crates."""
    kg = sum(line.quantity_kg for line in lines)
    crates = sum(line.crates for line in lines)
    by_kg = kg / max(sum(v.capacity_kg for v in vans), 1e-9)
    by_crates = crates / max(sum(v.capacity_crates for v in vans), 1)
    # One spare trip: packing whole consignments leaves gaps the ratios do not see.
    return max(1, math.ceil(max(by_kg, by_crates))) + 1


def totals_of(routes: Sequence[Route]) -> Totals:
    """Return the km, hours, CO2 and cost of a set of routes."""
    return Totals(
        distance_km=round(sum(route.distance_km for route in routes), 2),
        duration_min=sum(route.duration_min for route in routes),
        co2_kg=round(sum(route.co2_kg for route in routes), 2),
        cost_eur=round(sum(route.cost_eur for route in routes), 2),
        num_routes=len(routes),
    )


def split_costs(
    problem: RoundsProblem, routes: Sequence[Route]
) -> tuple[list[FarmShare], float]:
    """Split each route's cost among the farms whose crates it carries, pro rata of kg·km.

    The vehicle's owner is credited the whole cost of its route (the partner, for its truck):
    a farm's balance is what it owes for being carried less what it is owed for driving.
    """
    kg_of = {line.id: line.quantity_kg for line in problem.lines}
    farm_of = {line.id: line.farm_id for line in problem.lines}
    vehicles = {vehicle.id: vehicle for vehicle in problem.vehicles}
    share: dict[str, float] = {}
    credit: dict[str, float] = {}
    partner_credit = 0.0
    roads = RoadMap(problem)
    for route in routes:
        carried = carried_kg_km(route, kg_of, roads)
        total = sum(carried.values())
        if total <= 0:
            continue
        by_farm: dict[str, float] = {}
        for line_id, weight in carried.items():
            by_farm[farm_of[line_id]] = by_farm.get(farm_of[line_id], 0.0) + weight
        for farm_id, weight in by_farm.items():
            share[farm_id] = share.get(farm_id, 0.0) + route.cost_eur * weight / total
        owner = vehicles[route.vehicle_id].farm_id
        if owner is None:
            partner_credit += route.cost_eur
        else:
            credit[owner] = credit.get(owner, 0.0) + route.cost_eur
    shares = [
        FarmShare(farm_id, round(share.get(farm_id, 0.0), 2), round(credit.get(farm_id, 0.0), 2))
        for farm_id in sorted(share.keys() | credit.keys())
    ]
    return shares, round(partner_credit, 2)


def farm_kg_km(problem: RoundsProblem, route: Route) -> dict[str, float]:
    """Return, for each farm whose lines a route carries, their kg × km ridden on it."""
    kg_of = {line.id: line.quantity_kg for line in problem.lines}
    farm_of = {line.id: line.farm_id for line in problem.lines}
    by_farm: dict[str, float] = {}
    for line_id, weight in carried_kg_km(route, kg_of, RoadMap(problem)).items():
        by_farm[farm_of[line_id]] = by_farm.get(farm_of[line_id], 0.0) + weight
    return by_farm


def carried_kg_km(route: Route, kg_of: dict[str, float], roads: RoadMap) -> dict[str, float]:
    """Return, for each line a route carries, its kg × the km it rides on the route."""
    km_at: list[float] = [0.0]
    for a, b in zip(route.stops, route.stops[1:], strict=False):
        km_at.append(km_at[-1] + roads.km(a.place, b.place))
    loaded: dict[str, float] = {}
    weights: dict[str, float] = {}
    for stop, km in zip(route.stops, km_at, strict=True):
        for line_id in stop.load:
            loaded[line_id] = km
        for line_id in stop.drop:
            if line_id in loaded:
                weights[line_id] = kg_of[line_id] * (km - loaded.pop(line_id))
    return weights
