"""Delivery rounds: the order in which a farm visits its canteens on a day, and the trips table."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.models import AllocationRun, Canteen, Delivery, DeliveryWeek, Farm

EARTH_RADIUS_KM = 6371.0


def straight_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_chord = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(half_chord)))


def route_order(farm: Farm, canteens: Sequence[Canteen]) -> list[tuple[Canteen, float]]:
    """Order canteens as a nearest-neighbour tour from the farm; each with its leg in km.

    Ties are broken by canteen id so that the same plan always gives the same round.
    """
    remaining = sorted(canteens, key=lambda canteen: canteen.id)
    tour: list[tuple[Canteen, float]] = []
    lat, lon = farm.lat, farm.lon
    while remaining:
        legs = [(straight_km(lat, lon, c.lat, c.lon), c.id, c) for c in remaining]
        leg_km, _, nearest = min(legs, key=lambda leg: (leg[0], leg[1]))
        tour.append((nearest, leg_km))
        remaining.remove(nearest)
        lat, lon = nearest.lat, nearest.lon
    return tour


def rounds_of(run: AllocationRun) -> dict[tuple[int, dt.date], list[tuple[Canteen, float]]]:
    """Return each (farm id, day) round of a run, canteens in route order."""
    stops: dict[tuple[int, dt.date], dict[int, Canteen]] = defaultdict(dict)
    farms: dict[int, Farm] = {}
    for line in run.lines:
        stops[(line.farm_id, line.day)][line.canteen_id] = line.canteen
        farms[line.farm_id] = line.farm
    return {
        (farm_id, day): route_order(farms[farm_id], list(canteens.values()))
        for (farm_id, day), canteens in stops.items()
    }


def sync_deliveries(session: Session, week: DeliveryWeek, run: AllocationRun) -> None:
    """Make the week's trips those of ``run``, numbered in route order (the caller commits)."""
    wanted: dict[tuple[int, int, dt.date], int] = {}
    for (farm_id, day), tour in rounds_of(run).items():
        for position, (canteen, _leg_km) in enumerate(tour, start=1):
            wanted[(farm_id, canteen.id, day)] = position
    existing = {
        (trip.farm_id, trip.canteen_id, trip.day): trip
        for trip in session.scalars(select(Delivery).where(Delivery.week_id == week.id))
    }
    for key, trip in existing.items():
        if key not in wanted:
            session.delete(trip)
    for (farm_id, canteen_id, day), position in wanted.items():
        kept = existing.get((farm_id, canteen_id, day))
        if kept is None:
            session.add(
                Delivery(
                    week_id=week.id, farm_id=farm_id, canteen_id=canteen_id, day=day,
                    route_order=position,
                )
            )
        elif kept.route_order != position:
            kept.route_order = position
