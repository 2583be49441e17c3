"""Pickup-and-delivery routing with time windows and capacities, on OR-Tools' routing library.

The lines of a farm for a canteen travel together (a *consignment*): one pickup node at the
farm, and either one delivery node at the canteen on the same vehicle, or a drop at a
collection point followed by a pickup there and a delivery at the canteen on any vehicle.
The search is a first solution (parallel cheapest insertion), then guided local search ended
by a number of solutions, not by the clock, so that the same day always gives the same routes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from solver.rounds.distances import RoadMap
from solver.rounds.model import (
    Canteen,
    CollectionPoint,
    Line,
    RoundsProblem,
    Route,
    Stop,
    Unserved,
    Vehicle,
)

# Costs are counted in 1/10 000 € so that an hour's cost per second stays a useful integer.
COST_UNITS_PER_EUR = 10_000
# Dropping a consignment costs more than any round could: the search serves every line it can.
DROP_PENALTY = 10**12
DECIKG_PER_KG = 10  # loads are counted in tenths of a kg
DETOUR_RATIO = 1.2  # a collection point is on the way if the detour adds at most 20 %


@dataclass(frozen=True, slots=True)
class Consignment:
    """The lines a farm sends to one canteen, carried together."""

    farm_id: str
    canteen_id: str
    lines: tuple[Line, ...]
    vehicle_id: str | None = None  # the vehicle the coordinator put these lines on

    @property
    def quantity_kg(self) -> float:
        """Return the consignment's weight."""
        return sum(line.quantity_kg for line in self.lines)

    @property
    def crates(self) -> int:
        """Return the consignment's crates."""
        return sum(line.crates for line in self.lines)


@dataclass(slots=True)
class _Node:
    """A node of the routing graph: a place, its service time, its load change and window."""

    place: str
    service_s: int
    kg: float = 0.0  # signed: + loaded here, - dropped here
    crates: int = 0
    line_ids: tuple[str, ...] = ()
    consignment: int | None = None
    role: str = ""  # "start", "end", "pickup", "delivery", "drop", "collect", "handover"
    windows: tuple[tuple[int, int], ...] = ()

    @property
    def load_dkg(self) -> int:
        """Return the load change in tenths of a kg, rounded away from zero."""
        dkg = math.ceil(abs(self.kg) * DECIKG_PER_KG - 1e-9)
        return dkg if self.kg >= 0 else -dkg


@dataclass(slots=True)
class _Graph:
    """The routing graph of a day."""

    nodes: list[_Node] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def add(self, node: _Node) -> int:
        """Append a node; return its index."""
        self.nodes.append(node)
        return len(self.nodes) - 1


def consignments_of(problem: RoundsProblem, lines: Sequence[Line]) -> list[Consignment]:
    """Group lines by farm and canteen, splitting a group no vehicle could carry at once."""
    max_kg = max((v.capacity_kg for v in problem.vehicles), default=0.0)
    max_crates = max((v.capacity_crates for v in problem.vehicles), default=0)
    pinned = {pin.line_id: pin.vehicle_id for pin in problem.pins}
    grouped: dict[tuple[str, str, str], list[Line]] = {}
    for line in lines:
        key = (line.farm_id, line.canteen_id, pinned.get(line.id, ""))
        grouped.setdefault(key, []).append(line)
    consignments = []
    for (farm_id, canteen_id, vehicle_id), group in sorted(grouped.items()):
        chunk: list[Line] = []
        for line in sorted(group, key=lambda item: item.id):
            if chunk and (
                sum(item.quantity_kg for item in chunk) + line.quantity_kg > max_kg
                or sum(item.crates for item in chunk) + line.crates > max_crates
            ):
                consignments.append(Consignment(farm_id, canteen_id, tuple(chunk),
                                                vehicle_id or None))
                chunk = []
            chunk.append(line)
        consignments.append(Consignment(farm_id, canteen_id, tuple(chunk), vehicle_id or None))
    return consignments


def solve_routes(
    problem: RoundsProblem,
    lines: Sequence[Line],
    vehicles: Sequence[Vehicle],
    *,
    use_points: bool,
    solution_limit: int | None = None,
    time_limit_s: float | None = None,
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION",
    local_search: bool = True,
    previous: Previous = (),
) -> tuple[list[Route], list[Unserved]]:
    """Route ``lines`` on ``vehicles``; return the routes (used vehicles only) and the unserved.

    The benchmark changes the search: another first solution (e.g. "SAVINGS"), no local
    search, or a long search ended by the clock. ``previous`` (a re-plan's earlier rounds, see
    :func:`previous_of`) is where the search starts, when those rounds still fit the day.
    """
    # Lazy: importing the rounds package (validation, the check, --help) needs no OR-Tools.
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    roads = RoadMap(problem)
    canteens = {canteen.id: canteen for canteen in problem.canteens}
    unserved = [_unservable(line, vehicles) for line in lines]
    carried = [line for line, reason in zip(lines, unserved, strict=True) if reason is None]
    reasons = [reason for reason in unserved if reason is not None]
    if not vehicles:
        return [], reasons + [
            Unserved(line.id, "capacity", "aucun véhicule disponible ce jour") for line in carried
        ]
    if not use_points:
        # A line no vehicle can take straight to its canteen in time is left out before the
        # search: the search then never spends its work on nodes it cannot place.
        late = _explain_unserved(problem, roads, carried, vehicles, canteens, only_window=True)
        reasons += late
        carried = [line for line in carried if line.id not in {item.line_id for item in late}]
    consignments = consignments_of(problem, carried)
    graph = _build_graph(problem, consignments, vehicles, canteens, use_points)

    manager = pywrapcp.RoutingIndexManager(
        len(graph.nodes), len(vehicles), graph.starts, graph.ends
    )
    routing = pywrapcp.RoutingModel(manager)
    places = [node.place for node in graph.nodes]
    num_places = sorted(set(places))
    place_at = {place: index for index, place in enumerate(num_places)}
    km = [[roads.km(a, b) for b in num_places] for a in num_places]
    seconds = [[round(roads.minutes(a, b) * 60) for b in num_places] for a in num_places]

    # Each vehicle pays its km on every arc; its hours are paid as the span of its day below.
    # Matrices and vectors, not Python callbacks: the search reads them millions of times.
    node_place = [place_at[place] for place in places]
    km_cost = [[km[a][b] for b in node_place] for a in node_place]
    for vehicle_index, vehicle in enumerate(vehicles):
        per_km = vehicle.cost_per_km_eur * COST_UNITS_PER_EUR
        routing.SetArcCostEvaluatorOfVehicle(
            routing.RegisterTransitMatrix(
                [[round(distance * per_km) for distance in row] for row in km_cost]
            ),
            vehicle_index,
        )

    # Time runs by the service at a node, then the drive to the next; vehicles may wait.
    transit = [
        [graph.nodes[i].service_s + seconds[a][b] for b in node_place]
        for i, a in enumerate(node_place)
    ]
    day_s = 24 * 3600
    routing.AddDimension(routing.RegisterTransitMatrix(transit), day_s, day_s, False, "time")
    time = routing.GetDimensionOrDie("time")
    for vehicle_index, vehicle in enumerate(vehicles):
        for index in (routing.Start(vehicle_index), routing.End(vehicle_index)):
            time.CumulVar(index).SetRange(vehicle.free_from_min * 60, vehicle.free_until_min * 60)
        time.SetSpanCostCoefficientForVehicle(
            round(vehicle.cost_per_hour_eur * COST_UNITS_PER_EUR / 3600), vehicle_index
        )
    for node_index, node in enumerate(graph.nodes):
        if node.windows and node.role not in ("start", "end"):
            _restrict_to_windows(time.CumulVar(manager.NodeToIndex(node_index)), node.windows)

    # No vehicle carries more kg, nor more crates, than it holds.
    routing.AddDimensionWithVehicleCapacity(
        routing.RegisterUnaryTransitVector([node.load_dkg for node in graph.nodes]), 0,
        [math.floor(v.capacity_kg * DECIKG_PER_KG + 1e-9) for v in vehicles], True, "kg",
    )
    routing.AddDimensionWithVehicleCapacity(
        routing.RegisterUnaryTransitVector([node.crates for node in graph.nodes]), 0,
        [v.capacity_crates for v in vehicles], True, "crates",
    )

    _add_consignment_rules(routing, manager, graph)
    # A line the coordinator put on a vehicle is picked up by it (the search places the rest).
    position = {vehicle.id: index for index, vehicle in enumerate(vehicles)}
    for node_index, node in enumerate(graph.nodes):
        if node.role == "pickup" and node.consignment is not None:
            pinned_to = consignments[node.consignment].vehicle_id
            if pinned_to is not None:
                # -1 keeps the line droppable (reported) if the vehicle cannot take it.
                routing.VehicleVar(manager.NodeToIndex(node_index)).SetValues(
                    [-1, position[pinned_to]] if pinned_to in position else [-1]
                )

    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, first_solution
    )
    if local_search:
        parameters.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        )
        parameters.solution_limit = solution_limit or problem.settings.solution_limit
    else:
        parameters.solution_limit = 1
    parameters.time_limit.FromMilliseconds(
        round((time_limit_s or problem.settings.time_limit_s) * 1000)
    )
    initial = None
    if previous:
        routing.CloseModelWithParameters(parameters)
        initial = routing.ReadAssignmentFromRoutes(
            _hinted_routes(previous, graph, manager, vehicles), True
        )
    if initial is not None:
        solution = routing.SolveFromAssignmentWithParameters(initial, parameters)
    else:
        solution = routing.SolveWithParameters(parameters)
    if solution is None:
        return [], reasons + _explain_unserved(problem, roads, carried, vehicles, canteens)

    routes = _read_routes(problem, roads, graph, manager, routing, solution, time, vehicles)
    delivered = {
        line for route in routes for stop in route.stops if stop.place.startswith("canteen:")
        for line in stop.drop
    }
    loaded = {
        line for route in routes for stop in route.stops if stop.place.startswith("farm:")
        for line in stop.load
    }
    # A consignment whose one leg through a point was left out is not carried at all.
    routes = _without_lines(problem, roads, routes, (loaded ^ delivered), vehicles)
    dropped = [line for line in carried if line.id not in delivered & loaded]
    return routes, reasons + _explain_unserved(problem, roads, dropped, vehicles, canteens)


Previous = tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...]
"""Earlier rounds: per vehicle id, its visits in order as (role, farm id, canteen id)."""


def previous_of(routes: Sequence[Route], farm_of: dict[str, str],
                canteen_of: dict[str, str]) -> Previous:
    """Return earlier rounds as visits that outlive line ids (farm and canteen of each)."""
    hint = []
    for route in routes:
        visits: list[tuple[str, str, str]] = []
        for stop in route.stops:
            if not stop.place.startswith(("farm:", "canteen:")):
                continue
            for role, line_ids in (("pickup", stop.load), ("delivery", stop.drop)):
                for key in sorted({(farm_of[i], canteen_of[i]) for i in line_ids}):
                    visits.append((role, *key))
        hint.append((route.vehicle_id, tuple(visits)))
    return tuple(hint)


def _hinted_routes(
    previous: Previous, graph: _Graph, manager: Any, vehicles: Sequence[Vehicle]
) -> list[list[int]]:
    """Return the earlier rounds as routing indices of today's direct consignment nodes.

    A consignment is kept only when its pickup and its delivery were both on the vehicle,
    pickup first; what is new is left for the search to insert.
    """
    pickup_of = {n.consignment: i for i, n in enumerate(graph.nodes) if n.role == "pickup"}
    delivery_of = {n.consignment: i for i, n in enumerate(graph.nodes) if n.role == "delivery"}
    by_key: dict[tuple[str, str], list[int | None]] = {}
    for consignment, pickup in sorted(pickup_of.items(), key=lambda item: item[1]):
        if consignment in delivery_of:
            key = (graph.nodes[pickup].place, graph.nodes[delivery_of[consignment]].place)
            by_key.setdefault(key, []).append(consignment)
    position = {vehicle.id: index for index, vehicle in enumerate(vehicles)}
    routes: list[list[int]] = [[] for _ in vehicles]
    used: set[int | None] = set()
    for vehicle_id, visits in previous:
        if vehicle_id not in position:
            continue
        aboard: list[int | None] = []
        delivered: set[int | None] = set()
        nodes: list[int] = []
        for role, farm_id, canteen_id in visits:
            same = by_key.get((f"farm:{farm_id}", f"canteen:{canteen_id}"), [])
            if role == "pickup":
                for consignment in same:
                    if consignment not in used:
                        used.add(consignment)
                        aboard.append(consignment)
                        nodes.append(pickup_of[consignment])
            else:
                for consignment in [c for c in aboard if c in same]:
                    aboard.remove(consignment)
                    delivered.add(consignment)
                    nodes.append(delivery_of[consignment])
        routes[position[vehicle_id]] = [
            int(manager.NodeToIndex(i)) for i in nodes if graph.nodes[i].consignment in delivered
        ]
    return routes


def _build_graph(
    problem: RoundsProblem,
    consignments: Sequence[Consignment],
    vehicles: Sequence[Vehicle],
    canteens: dict[str, Canteen],
    use_points: bool,
) -> _Graph:
    """Lay out the nodes: vehicle starts and ends, then each consignment's nodes."""
    graph = _Graph()
    for vehicle in vehicles:
        graph.starts.append(graph.add(_Node(vehicle.start_key, 0, role="start")))
        graph.ends.append(graph.add(_Node(vehicle.start_key, 0, role="end")))
    farms = {farm.id: farm for farm in problem.farms}
    points = problem.points if use_points else ()
    roads = RoadMap(problem)
    for index, consignment in enumerate(consignments):
        farm, canteen = farms[consignment.farm_id], canteens[consignment.canteen_id]
        kg, crates = consignment.quantity_kg, consignment.crates
        line_ids = tuple(line.id for line in consignment.lines)
        farm_key, canteen_key = f"farm:{farm.id}", f"canteen:{canteen.id}"
        unloading_s = canteen.unloading_min * 60
        graph.add(_Node(farm_key, farm.loading_min * 60, kg, crates, line_ids, index, "pickup"))
        point = _point_on_the_way(points, roads, farm_key, canteen_key)
        if point is None:
            graph.add(_Node(canteen_key, unloading_s, -kg, -crates, line_ids, index,
                            "delivery", canteen.windows))
            continue
        # Left before the handover time, taken on after it: no rule across two vehicles.
        leave = ((point.opens_min, point.handover_min - point.handling_min),)
        take = ((point.handover_min, point.closes_min - point.handling_min),)
        point_key, handling_s = f"point:{point.id}", point.handling_min * 60
        graph.add(_Node(point_key, handling_s, -kg, -crates, line_ids, index, "drop", leave))
        graph.add(_Node(point_key, handling_s, kg, crates, line_ids, index, "collect", take))
        graph.add(_Node(canteen_key, unloading_s, -kg, -crates, line_ids, index, "handover",
                        canteen.windows))
    return graph


def _point_on_the_way(
    points: Sequence[CollectionPoint], roads: RoadMap, farm_key: str, canteen_key: str
) -> CollectionPoint | None:
    """Return the collection point a consignment goes through, if one is on its way.

    A point is on the way when the farm is nearer to it than to the canteen and the detour
    through it is at most DETOUR_RATIO of the direct road; the nearest such point is chosen.
    This is decided before routing, so that no rule ties two vehicles in the search.
    """
    direct = roads.km(farm_key, canteen_key)
    candidates = []
    for point in points:
        key = f"point:{point.id}"
        to_point = roads.km(farm_key, key)
        through = to_point + roads.km(key, canteen_key)
        if to_point < direct and through <= DETOUR_RATIO * direct:
            candidates.append((to_point, point.id, point))
    return min(candidates)[2] if candidates else None


def _restrict_to_windows(cumul: Any, windows: tuple[tuple[int, int], ...]) -> None:
    """Keep a time variable inside the union of windows given in minutes."""
    ordered = sorted(windows)
    cumul.SetRange(ordered[0][0] * 60, ordered[-1][1] * 60)
    for (_start, end), (next_start, _end) in itertools.pairwise(ordered):
        if next_start > end:
            cumul.RemoveInterval(end * 60 + 1, next_start * 60 - 1)


def _add_consignment_rules(routing: Any, manager: Any, graph: _Graph) -> None:
    """Each consignment goes farm → canteen on one vehicle, or farm → point, point → canteen.

    Each leg rides one vehicle, its pickup first (the routing library's own rule); a leg left
    out costs more than any round, so only what cannot fit is left out.
    """
    legs: dict[int, dict[str, int]] = {}
    for node_index, node in enumerate(graph.nodes):
        if node.consignment is not None:
            legs.setdefault(node.consignment, {})[node.role] = manager.NodeToIndex(node_index)
    for nodes in legs.values():
        pairs = [(nodes["pickup"], nodes.get("delivery", nodes.get("drop")))]
        if "collect" in nodes:
            pairs.append((nodes["collect"], nodes["handover"]))
        for first, last in pairs:
            routing.AddDisjunction([first], DROP_PENALTY)
            routing.AddDisjunction([last], 0)
            routing.AddPickupAndDelivery(first, last)


def _read_routes(
    problem: RoundsProblem,
    roads: RoadMap,
    graph: _Graph,
    manager: Any,
    routing: Any,
    solution: Any,
    time: Any,
    vehicles: Sequence[Vehicle],
) -> list[Route]:
    """Read each used vehicle's route, merging consecutive nodes at one place into one stop."""
    names = _place_names(problem)
    routes = []
    for vehicle_index, vehicle in enumerate(vehicles):
        index = routing.Start(vehicle_index)
        visits: list[tuple[_Node, int]] = []
        while True:
            node = graph.nodes[manager.IndexToNode(index)]
            visits.append((node, solution.Value(time.CumulVar(index))))
            if routing.IsEnd(index):
                break
            index = solution.Value(routing.NextVar(index))
        if len(visits) <= 2:
            continue
        routes.append(_route_of(vehicle, visits, roads, names))
    return routes


def _route_of(
    vehicle: Vehicle, visits: list[tuple[_Node, int]], roads: RoadMap, names: dict[str, str]
) -> Route:
    """Return a vehicle's route from its visits (node, start of service in seconds)."""
    stops: list[Stop] = []
    kg, crates, distance_km = 0.0, 0, 0.0
    previous: str | None = None
    for node, start_s in visits:
        loads = node.line_ids if node.kg > 0 else ()
        drops = node.line_ids if node.kg < 0 else ()
        kg += node.kg
        crates += node.crates
        if previous is not None:
            distance_km += roads.km(previous, node.place)
        arrival, departure = round(start_s / 60), round((start_s + node.service_s) / 60)
        if stops and stops[-1].place == node.place:
            last = stops[-1]
            stops[-1] = Stop(last.place, last.name, last.arrival_min, departure,
                             last.load + loads, last.drop + drops, round(kg, 3), crates)
        else:
            stops.append(Stop(node.place, names[node.place], arrival, departure, loads, drops,
                              round(kg, 3), crates))
        previous = node.place
    return route_totals(vehicle, tuple(stops), roads)


def _without_lines(
    problem: RoundsProblem,
    roads: RoadMap,
    routes: list[Route],
    line_ids: set[str],
    vehicles: Sequence[Vehicle],
) -> list[Route]:
    """Return the routes with some lines taken off every stop (stops and times kept)."""
    if not line_ids:
        return routes
    by_id = {vehicle.id: vehicle for vehicle in vehicles}
    kg_of = {line.id: line.quantity_kg for line in problem.lines}
    crates_of = {line.id: line.crates for line in problem.lines}
    trimmed = []
    for route in routes:
        stops, kg, crates = [], 0.0, 0
        for stop in route.stops:
            load = tuple(i for i in stop.load if i not in line_ids)
            drop = tuple(i for i in stop.drop if i not in line_ids)
            kg += sum(kg_of[i] for i in load) - sum(kg_of[i] for i in drop)
            crates += sum(crates_of[i] for i in load) - sum(crates_of[i] for i in drop)
            stops.append(Stop(stop.place, stop.name, stop.arrival_min, stop.departure_min, load,
                              drop, round(kg, 3), crates))
        trimmed.append(route_totals(by_id[route.vehicle_id], tuple(stops), roads))
    return trimmed


def route_totals(vehicle: Vehicle, stops: tuple[Stop, ...], roads: RoadMap) -> Route:
    """Return the route of ``stops`` with its km, minutes, cost and CO2."""
    distance_km = sum(roads.km(a.place, b.place) for a, b in itertools.pairwise(stops))
    duration_min = stops[-1].arrival_min - stops[0].departure_min
    cost = distance_km * vehicle.cost_per_km_eur + duration_min / 60 * vehicle.cost_per_hour_eur
    return Route(vehicle.id, stops, round(distance_km, 3), duration_min, round(cost, 2),
                 round(distance_km * vehicle.co2_kg_per_km, 3))


def _place_names(problem: RoundsProblem) -> dict[str, str]:
    """Return each place key's name."""
    names = {f"farm:{farm.id}": farm.name for farm in problem.farms}
    names.update({f"canteen:{canteen.id}": canteen.name for canteen in problem.canteens})
    names.update({f"point:{point.id}": point.name for point in problem.points})
    for vehicle in problem.vehicles:
        names.setdefault(vehicle.start_key, vehicle.name)
    return names


def _unservable(line: Line, vehicles: Sequence[Vehicle]) -> Unserved | None:
    """Return why no vehicle could ever carry a line on its own, if none could."""
    if not any(
        line.quantity_kg <= v.capacity_kg + 1e-9 and line.crates <= v.capacity_crates
        for v in vehicles
    ):
        return Unserved(
            line.id, "capacity",
            f"{line.quantity_kg:g} kg en {line.crates} caisses : plus que la capacité "
            "de chaque véhicule du jour",
        )
    return None


def _explain_unserved(
    problem: RoundsProblem,
    roads: RoadMap,
    lines: Sequence[Line],
    vehicles: Sequence[Vehicle],
    canteens: dict[str, Canteen],
    *,
    only_window: bool = False,
) -> list[Unserved]:
    """Say why each line left out could not be carried: its window, or no room left.

    With ``only_window``, return only the lines no vehicle could carry in their window.
    """
    farms = {farm.id: farm for farm in problem.farms}
    reasons = []
    for line in lines:
        farm, canteen = farms[line.farm_id], canteens[line.canteen_id]
        if not any(_reaches_in_time(vehicle, farm.loading_min, canteen, roads, line)
                   for vehicle in vehicles):
            windows = ", ".join(f"{_clock(a)}–{_clock(b)}" for a, b in canteen.windows)
            reasons.append(Unserved(
                line.id, "window",
                f"aucun véhicule ne peut passer à la ferme puis arriver à {canteen.name} "
                f"dans sa fenêtre de livraison ({windows}) et rentrer dans ses heures",
            ))
        elif not only_window:
            reasons.append(Unserved(
                line.id, "no_room",
                "aucune tournée n'a assez de place ou de temps pour la prendre avec le reste",
            ))
    return reasons


def _reaches_in_time(
    vehicle: Vehicle, loading_min: int, canteen: Canteen, roads: RoadMap, line: Line
) -> bool:
    """Tell whether a vehicle alone could carry a line directly inside a window and come back."""
    farm_key, canteen_key = f"farm:{line.farm_id}", f"canteen:{line.canteen_id}"
    at_farm = vehicle.free_from_min + roads.minutes(vehicle.start_key, farm_key)
    at_canteen = at_farm + loading_min + roads.minutes(farm_key, canteen_key)
    for start, end in canteen.windows:
        unload_at = max(at_canteen, start)
        back = unload_at + canteen.unloading_min + roads.minutes(canteen_key, vehicle.start_key)
        if unload_at <= end and back <= vehicle.free_until_min:
            return True
    return False


def _clock(minutes: int) -> str:
    """Return minutes after midnight as 7h30."""
    return f"{minutes // 60}h{minutes % 60:02d}"
