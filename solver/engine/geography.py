"""Grower–canteen distances: the given road distance, else great-circle distance × road factor."""

from __future__ import annotations

import math

from solver.problem import Problem

EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distance_km(problem: Problem) -> dict[tuple[str, str], float]:
    """Return the distance of every (grower_id, canteen_id) pair, as the spec defines it."""
    given_km = {(d.grower, d.canteen): d.km for d in problem.distances_km}
    road_factor = problem.settings.road_factor
    all_km: dict[tuple[str, str], float] = {}
    for grower in problem.growers:
        for canteen in problem.canteens:
            key = (grower.id, canteen.id)
            km = given_km.get(key)
            if km is None:
                km = road_factor * haversine_km(grower.lat, grower.lon, canteen.lat, canteen.lon)
            all_km[key] = km
    return all_km
