"""Verify every rule of a day's rounds against its problem; name each broken rule in French."""

from __future__ import annotations

from solver.rounds.distances import RoadMap
from solver.rounds.model import RoundsProblem, RoundsResult

# Stop times are whole minutes; each leg may lose up to one minute to rounding.
TOLERANCE_MIN = 1
TOLERANCE_KG = 0.01


def check_rounds(problem: RoundsProblem, result: RoundsResult) -> list[str]:
    """Return the rules the rounds break (empty when every rule holds)."""
    errors: list[str] = []
    roads = RoadMap(problem)
    vehicles = {vehicle.id: vehicle for vehicle in problem.vehicles}
    lines = {line.id: line for line in problem.lines}
    canteens = {canteen.id: canteen for canteen in problem.canteens}
    points = {point.id: point for point in problem.points}
    events: dict[str, list[tuple[str, str, int, str]]] = {line_id: [] for line_id in lines}
    used: set[str] = set()
    for route in result.routes:
        vehicle = vehicles.get(route.vehicle_id)
        if vehicle is None:
            errors.append(f"tournée du véhicule « {route.vehicle_id} » : véhicule inconnu")
            continue
        name = f"tournée {vehicle.name}"
        if route.vehicle_id in used:
            errors.append(f"{name} : le véhicule fait deux tournées")
        used.add(route.vehicle_id)
        stops = route.stops
        if len(stops) < 2 or stops[0].place != vehicle.start_key or (
            stops[-1].place != vehicle.start_key
        ):
            errors.append(f"{name} : ne part pas de son point de départ ou n'y revient pas")
            continue
        if stops[0].departure_min < vehicle.free_from_min - TOLERANCE_MIN or (
            stops[-1].arrival_min > vehicle.free_until_min + TOLERANCE_MIN
        ):
            errors.append(f"{name} : sort des heures où le véhicule est libre")
        on_board: set[str] = set()
        kg, crates = 0.0, 0
        for position, stop in enumerate(stops):
            if position:
                previous = stops[position - 1]
                drive = roads.minutes(previous.place, stop.place)
                if stop.arrival_min < previous.departure_min + drive - TOLERANCE_MIN:
                    errors.append(f"{name} : arrivée à {stop.name} avant d'avoir pu y rouler")
            if stop.departure_min < stop.arrival_min:
                errors.append(f"{name} : départ de {stop.name} avant l'arrivée")
            kind, _, place_id = stop.place.partition(":")
            for line_id in stop.drop:
                if line_id not in on_board:
                    errors.append(f"{name} : ligne {line_id} déposée à {stop.name} sans avoir "
                                  "été chargée avant")
                    continue
                on_board.discard(line_id)
                kg -= lines[line_id].quantity_kg
                crates -= lines[line_id].crates
                events[line_id].append(("drop", stop.place, stop.arrival_min, name))
                if kind == "canteen" and not any(
                    start - TOLERANCE_MIN <= stop.arrival_min <= end + TOLERANCE_MIN
                    for start, end in canteens[place_id].windows
                ):
                    errors.append(f"{name} : ligne {line_id} livrée à {stop.name} hors de ses "
                                  "fenêtres de livraison")
            for line_id in stop.load:
                if line_id not in lines:
                    errors.append(f"{name} : ligne {line_id} inconnue")
                    continue
                on_board.add(line_id)
                kg += lines[line_id].quantity_kg
                crates += lines[line_id].crates
                events[line_id].append(("load", stop.place, stop.departure_min, name))
            if kind == "point" and place_id in points:
                point = points[place_id]
                if (stop.load or stop.drop) and not (
                    point.opens_min - TOLERANCE_MIN <= stop.arrival_min
                    and stop.departure_min <= point.closes_min + TOLERANCE_MIN
                ):
                    errors.append(f"{name} : passage à {stop.name} hors de ses heures d'ouverture")
            if kg > vehicle.capacity_kg + TOLERANCE_KG or crates > vehicle.capacity_crates:
                errors.append(f"{name} : charge {kg:g} kg / {crates} caisses après {stop.name}, "
                              f"plus que sa capacité ({vehicle.capacity_kg:g} kg / "
                              f"{vehicle.capacity_crates} caisses)")
        if on_board:
            errors.append(f"{name} : rentre avec les lignes {', '.join(sorted(on_board))}")
    pinned = {pin.line_id: pin.vehicle_id for pin in problem.pins}
    for route in result.routes:
        for stop in route.stops:
            for line_id in stop.load:
                if (line_id in pinned and stop.place.startswith("farm:")
                        and pinned[line_id] != route.vehicle_id):
                    errors.append(f"ligne {line_id} : placée sur le véhicule "
                                  f"« {pinned[line_id]} », chargée par « {route.vehicle_id} »")
    unserved = [item.line_id for item in result.unserved]
    for line_id in sorted(set(unserved)):
        if unserved.count(line_id) > 1:
            errors.append(f"ligne {line_id} : déclarée non servie plusieurs fois")
    for line_id, line in lines.items():
        errors.extend(_check_journey(line_id, line.farm_id, line.canteen_id, events[line_id],
                                     line_id in unserved))
    return errors


def _check_journey(
    line_id: str, farm_id: str, canteen_id: str, events: list[tuple[str, str, int, str]],
    declared_unserved: bool,
) -> list[str]:
    """Check a line's journey: loaded at its farm, maybe through a point, dropped at its canteen."""
    if not events:
        return [] if declared_unserved else [
            f"ligne {line_id} : ni transportée ni déclarée non servie"
        ]
    if declared_unserved:
        return [f"ligne {line_id} : transportée et pourtant déclarée non servie"]
    farm, canteen = f"farm:{farm_id}", f"canteen:{canteen_id}"
    loads = [event for event in events if event[0] == "load"]
    drops = [event for event in events if event[0] == "drop"]
    errors = []
    if [event[1] for event in loads if event[1] == farm] != [farm]:
        errors.append(f"ligne {line_id} : pas chargée exactement une fois à sa ferme")
    if [event[1] for event in drops if event[1] == canteen] != [canteen]:
        errors.append(f"ligne {line_id} : pas livrée exactement une fois à sa cantine")
    relays = [event for event in loads if event[1] != farm]
    handovers = [event for event in drops if event[1] != canteen]
    if len(relays) != len(handovers) or any(
        handover[1] != relay[1] or handover[2] > relay[2] + TOLERANCE_MIN
        for handover, relay in zip(handovers, relays, strict=False)
    ):
        errors.append(f"ligne {line_id} : reprise à un point de collecte sans y avoir été "
                      "déposée avant")
    if any(not event[1].startswith("point:") for event in relays):
        errors.append(f"ligne {line_id} : chargée ailleurs qu'à sa ferme ou un point de collecte")
    return errors
