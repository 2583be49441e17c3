"""The one place where the rounds cross into the solver: rows to a day's problem, and back.

Weights: a line's kg is its quantity × the product's unit weight; its crates are its quantity
÷ the product's units per crate when the product is sold by lots, else its kg ÷ CRATE_KG.
A farm with lines and no registered van is assumed to drive a standard van (DEFAULT_VAN_KG,
DEFAULT_VAN_CRATES, free 5:00–13:00), as it does today; a van whose grower refused the day
(``days_off``) is left out. A canteen without delivery windows takes deliveries 7:00–10:00.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

from solver.rounds import (
    GROWER_VAN,
    PARTNER_TRUCK,
    TRUCK_CO2_KG_PER_KM,
    VAN_CO2_KG_PER_KM,
    Canteen,
    CollectionPoint,
    Farm,
    Line,
    Pin,
    Previous,
    Road,
    RoundsProblem,
    RoundsResult,
    Settings,
    Vehicle,
    check_rounds,
    farm_kg_km,
    problem_from_dict,
    result_from_dict,
    result_to_dict,
    solve_rounds,
)
from solver.rounds import RoundsFormatError as FormatError
from solver.rounds import previous_of as routes_as_previous

CRATE_KG = Decimal(10)
DEFAULT_VAN_KG = 600.0
DEFAULT_VAN_CRATES = 40
DEFAULT_WINDOW = (7 * 60, 10 * 60)

__all__ = [
    "FormatError",
    "RoundsProblem",
    "RoundsResult",
    "build_problem",
    "check_document",
    "document_of",
    "solve",
]


def build_problem(
    day: dt.date,
    lines: Sequence[Any],
    vehicles: Sequence[Any],
    points: Sequence[Any],
    windows: Sequence[Any],
    roads: Sequence[Any],
    road_factor: float,
    pins: Sequence[Any] = (),
) -> RoundsProblem:
    """Return the solver's problem for the published ``lines`` of ``day``.

    ``lines`` are the published plan's lines (farm, canteen, product, quantity); the others are
    the rows of pial.models.rounds.
    """
    farms = {line.farm.id: line.farm for line in lines}
    canteens = {line.canteen.id: line.canteen for line in lines}
    windows_of: dict[int, list[Any]] = {}
    for window in windows:
        windows_of.setdefault(window.canteen_id, []).append(window)
    solver_canteens = []
    for canteen in sorted(canteens.values(), key=lambda c: c.id):
        own = sorted(windows_of.get(canteen.id, []), key=lambda w: w.starts_min)
        notes = [w.instructions for w in own if w.instructions] or (
            [canteen.delivery_note] if canteen.delivery_note else []
        )
        solver_canteens.append(Canteen(
            str(canteen.id), canteen.name, canteen.lat, canteen.lon,
            windows=tuple((w.starts_min, w.ends_min) for w in own) or (DEFAULT_WINDOW,),
            unloading_min=max((w.unloading_min for w in own), default=10),
            instructions=" ".join(notes), phone=canteen.contact_phone or "",
        ))
    isoweekday = str(day.isoweekday())
    fleet = []
    for vehicle in sorted(vehicles, key=lambda v: v.id):
        if isoweekday in vehicle.days_off.split(",") or not vehicle.is_active:
            continue
        if vehicle.farm_id is not None:
            farm = vehicle.farm
            farms.setdefault(farm.id, farm)
            lat, lon, kind, co2 = farm.lat, farm.lon, GROWER_VAN, VAN_CO2_KG_PER_KM
        else:
            lat, lon, kind, co2 = vehicle.depot_lat, vehicle.depot_lon, PARTNER_TRUCK, \
                TRUCK_CO2_KG_PER_KM
        fleet.append(Vehicle(
            str(vehicle.id), vehicle.name, kind, lat, lon, float(vehicle.capacity_kg),
            vehicle.capacity_crates, vehicle.free_from_min, vehicle.free_until_min,
            float(vehicle.cost_per_km_eur), float(vehicle.cost_per_hour_eur), co2,
            str(vehicle.farm_id) if vehicle.farm_id is not None else None,
            vehicle.driver_name or "", vehicle.driver_phone or "",
        ))
    registered = {vehicle.farm_id for vehicle in vehicles if vehicle.farm_id is not None}
    for farm in sorted(farms.values(), key=lambda f: f.id):
        if farm.id not in registered and any(line.farm.id == farm.id for line in lines):
            fleet.append(Vehicle(
                f"farm{farm.id}", farm.name, GROWER_VAN, farm.lat, farm.lon, DEFAULT_VAN_KG,
                DEFAULT_VAN_CRATES, farm_id=str(farm.id), driver=farm.name,
                phone=farm.contact_phone or "",
            ))
    driving = {vehicle.id for vehicle in fleet}
    line_ids = {str(line.id) for line in lines}
    return RoundsProblem(
        day.isoformat(),
        tuple(Farm(str(f.id), f.name, f.lat, f.lon) for f in sorted(farms.values(),
                                                                     key=lambda f: f.id)),
        tuple(solver_canteens),
        tuple(fleet),
        tuple(_line_of(line) for line in lines),
        tuple(CollectionPoint(str(p.id), p.name, p.lat, p.lon, p.opens_min, p.closes_min,
                              p.handling_min, p.handover_min)
              for p in points if p.is_active),
        tuple(Road(r.place_a, r.place_b, r.distance_km, r.duration_min) for r in roads),
        Settings(road_factor=road_factor),
        tuple(Pin(str(pin.allocation_line_id), str(pin.vehicle_id)) for pin in pins
              if str(pin.allocation_line_id) in line_ids and str(pin.vehicle_id) in driving),
    )


def _line_of(line: Any) -> Line:
    """Return the solver's line of a published line, in kg and crates."""
    product = line.product
    kg = Decimal(line.quantity) * Decimal(product.unit_kg)
    if product.lot_size:
        crates = math.ceil(Decimal(line.quantity) / Decimal(product.lot_size))
    else:
        crates = math.ceil(kg / CRATE_KG)
    return Line(str(line.id), str(line.farm.id), str(line.canteen.id), float(kg),
                max(crates, 1), f"{product.name_fr} {line.quantity.normalize():f}")


@lru_cache(maxsize=64)
def solve(problem: RoundsProblem, previous: Previous = ()) -> RoundsResult:
    """Plan the day's rounds (kept for a day already planned: the search is deterministic).

    ``previous`` is the earlier version's rounds (see :func:`previous_of`) a re-plan starts from.
    """
    return solve_rounds(problem, previous)


def carried_by_farm(problem: RoundsProblem, route: Any) -> dict[int, float]:
    """Return the kg·km a route carries for each farm (kg × km each line rides on it)."""
    return {int(farm_id): kg_km for farm_id, kg_km in farm_kg_km(problem, route).items()}


def previous_of(result: RoundsResult, lines: Sequence[Any]) -> Previous:
    """Return a day's earlier rounds as the start of a re-plan; ``lines`` are their plan's."""
    return routes_as_previous(
        result.routes,
        {str(line.id): str(line.farm.id) for line in lines},
        {str(line.id): str(line.canteen.id) for line in lines},
    )


def document_of(problem: RoundsProblem, result: RoundsResult) -> dict[str, Any]:
    """Return the day's rounds as their JSON document (docs/rounds-format.md)."""
    return result_to_dict(problem, result)


def check_document(data: Any) -> list[str]:
    """Return the rules a rounds document breaks; raise FormatError if it cannot be read."""
    problem, result = result_from_dict(data)
    return check_rounds(problem, result)


def read_problem(data: Any) -> RoundsProblem:
    """Read a day's problem document."""
    return problem_from_dict(data)
