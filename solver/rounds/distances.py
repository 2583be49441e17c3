"""Distances and driving times between the places of a day: roads entered first, else crow-fly."""

from __future__ import annotations

from solver.geography import haversine_km
from solver.rounds.model import RoundsProblem


class RoadMap:
    """The km and minutes between any two places of a problem.

    A road entered for a pair (either way round) gives the distance, and its duration when
    known; otherwise the distance is the great-circle distance × the road factor, and the time
    is the distance at the day's average speed.
    """

    def __init__(self, problem: RoundsProblem) -> None:
        self.coordinates: dict[str, tuple[float, float]] = {}
        for farm in problem.farms:
            self.coordinates[f"farm:{farm.id}"] = (farm.lat, farm.lon)
        for canteen in problem.canteens:
            self.coordinates[f"canteen:{canteen.id}"] = (canteen.lat, canteen.lon)
        for point in problem.points:
            self.coordinates[f"point:{point.id}"] = (point.lat, point.lon)
        for vehicle in problem.vehicles:
            self.coordinates.setdefault(vehicle.start_key, (vehicle.lat, vehicle.lon))
        self.road_factor = problem.settings.road_factor
        self.speed_kmh = problem.settings.speed_kmh
        self.roads: dict[tuple[str, str], tuple[float, float | None]] = {}
        for road in problem.roads:
            self.roads[(road.a, road.b)] = (road.distance_km, road.duration_min)
            self.roads[(road.b, road.a)] = (road.distance_km, road.duration_min)

    def km(self, a: str, b: str) -> float:
        """Return the road km from place ``a`` to place ``b``."""
        if a == b:
            return 0.0
        entered = self.roads.get((a, b))
        if entered is not None:
            return entered[0]
        (lat1, lon1), (lat2, lon2) = self.coordinates[a], self.coordinates[b]
        return haversine_km(lat1, lon1, lat2, lon2) * self.road_factor

    def minutes(self, a: str, b: str) -> float:
        """Return the driving minutes from place ``a`` to place ``b``."""
        if a == b:
            return 0.0
        entered = self.roads.get((a, b))
        if entered is not None and entered[1] is not None:
            return entered[1]
        return self.km(a, b) / self.speed_kmh * 60.0
