"""Delivery rounds: the order in which a farm visits its canteens on a day, and the trips table.

Publishing a plan writes its trips (:func:`sync_deliveries`); the published plan and its
pick lists show the same rounds (:func:`rounds_of`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.allocation.seam import straight_km
from pial.models import AllocationRun, Canteen, Delivery, DeliveryWeek, Farm

Round = list[tuple[Canteen, float]]
"""A farm's round on a day: its canteens in visiting order, each with the leg to reach it (km)."""


def route_order(farm: Farm, canteens: Sequence[Canteen]) -> Round:
    """Order canteens as a nearest-neighbour tour from the farm; each with its leg in km.

    Ties are broken by canteen id so that the same plan always gives the same round.
    """
    remaining = sorted(canteens, key=lambda canteen: canteen.id)
    tour: Round = []
    lat, lon = farm.lat, farm.lon
    while remaining:
        legs = [(straight_km(lat, lon, c.lat, c.lon), c.id, c) for c in remaining]
        leg_km, _, nearest = min(legs, key=lambda leg: (leg[0], leg[1]))
        tour.append((nearest, leg_km))
        remaining.remove(nearest)
        lat, lon = nearest.lat, nearest.lon
    return tour


def rounds_of(
    deliveries: Iterable[tuple[Farm, Canteen, dt.date]],
) -> dict[tuple[int, dt.date], Round]:
    """Return each (farm id, day) round of a plan's (farm, canteen, day) deliveries."""
    stops: dict[tuple[int, dt.date], dict[int, Canteen]] = defaultdict(dict)
    farms: dict[int, Farm] = {}
    for farm, canteen, day in deliveries:
        stops[(farm.id, day)][canteen.id] = canteen
        farms[farm.id] = farm
    return {
        (farm_id, day): route_order(farms[farm_id], list(canteens.values()))
        for (farm_id, day), canteens in stops.items()
    }


def sync_deliveries(session: Session, week: DeliveryWeek, run: AllocationRun) -> None:
    """Make the week's trips those of ``run``, numbered in route order (the caller commits)."""
    wanted: dict[tuple[int, int, dt.date], int] = {}
    deliveries = ((line.farm, line.canteen, line.day) for line in run.lines)
    for (farm_id, day), tour in rounds_of(deliveries).items():
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
