"""Rules a day's problem must follow before routing; each error names its field, in French."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from solver.rounds.model import GROWER_VAN, PARTNER_TRUCK, RoundsProblem

DAY_MIN = 24 * 60


def check_problem(problem: RoundsProblem) -> list[str]:
    """Return the problem's errors (empty when it can be routed)."""
    errors: list[str] = []
    keys: set[str] = set()
    groups: tuple[tuple[str, Sequence[Any]], ...] = (
        ("farms", problem.farms), ("canteens", problem.canteens), ("points", problem.points),
        ("vehicles", problem.vehicles), ("lines", problem.lines),
    )
    for group, items in groups:
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item.id in seen:
                errors.append(f"{group}[{index}].id : identifiant « {item.id} » en double")
            seen.add(item.id)
        keys.update(f"{group[:-1]}:{item.id}" for item in items)
        for index, item in enumerate(items):
            lat, lon = getattr(item, "lat", 0.0), getattr(item, "lon", 0.0)
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                errors.append(f"{group}[{index}] : coordonnées hors limites ({lat}, {lon})")
    for index, canteen in enumerate(problem.canteens):
        if not canteen.windows:
            errors.append(f"canteens[{index}].windows : au moins une fenêtre de livraison")
        for start, end in canteen.windows:
            if not 0 <= start < end <= DAY_MIN:
                errors.append(f"canteens[{index}].windows : fenêtre {start}–{end} invalide "
                              "(minutes après minuit, début avant fin)")
    for index, point in enumerate(problem.points):
        if not 0 <= point.opens_min < point.closes_min <= DAY_MIN:
            errors.append(f"points[{index}] : horaires d'ouverture invalides")
    farm_ids = {farm.id for farm in problem.farms}
    canteen_ids = {canteen.id for canteen in problem.canteens}
    for index, vehicle in enumerate(problem.vehicles):
        where = f"vehicles[{index}]"
        if vehicle.kind not in (GROWER_VAN, PARTNER_TRUCK):
            errors.append(f"{where}.kind : « {vehicle.kind} » n'est ni van ni truck")
        if vehicle.kind == GROWER_VAN and vehicle.farm_id not in farm_ids:
            errors.append(f"{where}.farm_id : ferme « {vehicle.farm_id} » inconnue")
        if vehicle.capacity_kg <= 0 or vehicle.capacity_crates <= 0:
            errors.append(f"{where} : capacité en kg et en caisses strictement positive")
        if not 0 <= vehicle.free_from_min < vehicle.free_until_min <= DAY_MIN:
            errors.append(f"{where} : heures de disponibilité invalides")
        if vehicle.cost_per_km_eur < 0 or vehicle.cost_per_hour_eur < 0:
            errors.append(f"{where} : coûts négatifs")
    for index, line in enumerate(problem.lines):
        where = f"lines[{index}]"
        if line.farm_id not in farm_ids:
            errors.append(f"{where}.farm_id : ferme « {line.farm_id} » inconnue")
        if line.canteen_id not in canteen_ids:
            errors.append(f"{where}.canteen_id : cantine « {line.canteen_id} » inconnue")
        if line.quantity_kg <= 0 or line.crates < 0:
            errors.append(f"{where} : quantité strictement positive et caisses positives")
    vehicle_keys = {vehicle.start_key for vehicle in problem.vehicles}
    for index, road in enumerate(problem.roads):
        for place in (road.a, road.b):
            if place not in keys and place not in vehicle_keys:
                errors.append(f"roads[{index}] : lieu « {place} » inconnu")
        if road.distance_km < 0 or (road.duration_min is not None and road.duration_min < 0):
            errors.append(f"roads[{index}] : distance ou durée négative")
    line_ids = {line.id for line in problem.lines}
    vehicle_ids = {vehicle.id for vehicle in problem.vehicles}
    pinned: set[str] = set()
    for index, pin in enumerate(problem.pins):
        if pin.line_id not in line_ids:
            errors.append(f"pins[{index}].line_id : ligne « {pin.line_id} » inconnue")
        if pin.vehicle_id not in vehicle_ids:
            errors.append(f"pins[{index}].vehicle_id : véhicule « {pin.vehicle_id} » inconnu")
        if pin.line_id in pinned:
            errors.append(f"pins[{index}].line_id : ligne « {pin.line_id} » déjà placée")
        pinned.add(pin.line_id)
    settings = problem.settings
    if not 1.0 <= settings.road_factor <= 10.0:
        errors.append("settings.road_factor : entre 1 et 10")
    if settings.speed_kmh <= 0:
        errors.append("settings.speed_kmh : strictement positive")
    if settings.solution_limit < 1:
        errors.append("settings.solution_limit : au moins 1")
    return errors
