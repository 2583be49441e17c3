"""An independent checker of a day's rounds, written apart from the solver's own check.

It recomputes distances from coordinates and entered roads, walks each route with the lines'
own weights, and checks every published line was carried from its farm to its canteen exactly
once (possibly through a collection point) or reported unserved with a reason.
"""

from __future__ import annotations

import math

from solver.rounds import RoundsProblem, RoundsResult


def _km(problem: RoundsProblem, a: str, b: str) -> float:
    if a == b:
        return 0.0
    for road in problem.roads:
        if {road.a, road.b} == {a, b}:
            return road.distance_km
    lat1, lon1 = _where(problem, a)
    lat2, lon2 = _where(problem, b)
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h)) * problem.settings.road_factor


def _minutes(problem: RoundsProblem, a: str, b: str) -> float:
    for road in problem.roads:
        if {road.a, road.b} == {a, b} and road.duration_min is not None:
            return road.duration_min
    return _km(problem, a, b) / problem.settings.speed_kmh * 60


def _where(problem: RoundsProblem, key: str) -> tuple[float, float]:
    kind, _, ident = key.partition(":")
    pools = {"farm": problem.farms, "canteen": problem.canteens, "point": problem.points}
    if kind == "depot":
        vehicle = next(v for v in problem.vehicles if v.id == ident)
        return vehicle.lat, vehicle.lon
    item = next(i for i in pools[kind] if i.id == ident)
    return item.lat, item.lon


def violations(problem: RoundsProblem, result: RoundsResult) -> list[str]:
    """Return every broken rule, in plain words (empty when the rounds are sound)."""
    found: list[str] = []
    lines = {line.id: line for line in problem.lines}
    vehicles = {v.id: v for v in problem.vehicles}
    windows = {c.id: c.windows for c in problem.canteens}
    picked_at_farm: dict[str, int] = dict.fromkeys(lines, 0)
    delivered: dict[str, int] = dict.fromkeys(lines, 0)
    left_at_point: dict[str, tuple[str, int]] = {}
    taken_from_point: dict[str, tuple[str, int]] = {}
    for route in result.routes:
        vehicle = vehicles[route.vehicle_id]
        home = f"farm:{vehicle.farm_id}" if vehicle.farm_id else f"depot:{vehicle.id}"
        if route.stops[0].place != home or route.stops[-1].place != home:
            found.append(f"{vehicle.id} does not start and end at {home}")
        if route.stops[0].departure_min < vehicle.free_from_min - 1:
            found.append(f"{vehicle.id} leaves before it is free")
        if route.stops[-1].arrival_min > vehicle.free_until_min + 1:
            found.append(f"{vehicle.id} comes back after it is free")
        aboard: set[str] = set()
        km = 0.0
        for previous, stop in zip((None, *route.stops), route.stops, strict=False):
            if previous is not None:
                km += _km(problem, previous.place, stop.place)
                if stop.arrival_min + 1 < previous.departure_min + _minutes(
                    problem, previous.place, stop.place
                ):
                    found.append(f"{vehicle.id} reaches {stop.place} too soon")
            kind = stop.place.partition(":")[0]
            for line_id in stop.drop:
                if line_id not in aboard:
                    found.append(f"{vehicle.id} drops {line_id} it never loaded")
                aboard.discard(line_id)
                if stop.place == f"canteen:{lines[line_id].canteen_id}":
                    delivered[line_id] += 1
                    if not any(a - 1 <= stop.arrival_min <= b + 1
                               for a, b in windows[lines[line_id].canteen_id]):
                        found.append(f"{line_id} delivered outside its windows")
                elif kind == "point":
                    left_at_point[line_id] = (stop.place, stop.arrival_min)
                else:
                    found.append(f"{line_id} dropped at a wrong place {stop.place}")
            for line_id in stop.load:
                aboard.add(line_id)
                if stop.place == f"farm:{lines[line_id].farm_id}":
                    picked_at_farm[line_id] += 1
                elif kind == "point":
                    taken_from_point[line_id] = (stop.place, stop.departure_min)
                else:
                    found.append(f"{line_id} loaded at a wrong place {stop.place}")
            kg = sum(lines[i].quantity_kg for i in aboard)
            crates = sum(lines[i].crates for i in aboard)
            if kg > vehicle.capacity_kg + 1e-6 or crates > vehicle.capacity_crates:
                found.append(f"{vehicle.id} overloaded after {stop.place}")
        if aboard:
            found.append(f"{vehicle.id} comes home with {sorted(aboard)}")
        if abs(km - route.distance_km) > 0.01:
            found.append(f"{vehicle.id} declares {route.distance_km} km, drives {km:.3f}")
    unserved = [item.line_id for item in result.unserved]
    for line_id in lines:
        served = picked_at_farm[line_id] == 1 and delivered[line_id] == 1
        if line_id in unserved:
            if picked_at_farm[line_id] or delivered[line_id] or unserved.count(line_id) > 1:
                found.append(f"{line_id} both carried and reported unserved")
        elif not served:
            found.append(f"{line_id} picked {picked_at_farm[line_id]}×, "
                         f"delivered {delivered[line_id]}×, and not reported")
        if (line_id in left_at_point) != (line_id in taken_from_point):
            found.append(f"{line_id} left at a point and never collected, or the reverse")
        elif line_id in left_at_point:
            (left_place, left_min), (taken_place, taken_min) = (
                left_at_point[line_id], taken_from_point[line_id])
            if left_place != taken_place or taken_min + 1 < left_min:
                found.append(f"{line_id} collected before it was left")
    for item in result.unserved:
        if item.reason not in ("capacity", "window", "no_room") or not item.message:
            found.append(f"{item.line_id} unserved without a reason")
    return found
