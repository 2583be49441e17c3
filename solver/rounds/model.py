"""The delivery rounds of one day, as plain frozen data: places, vehicles, lines, the result.

Times are minutes after midnight of the day; distances are km; quantities are kg and crates.
A *place* is named by a key of the form ``farm:ID``, ``canteen:ID``, ``point:ID`` or
``depot:ID`` (a vehicle's own start when it is no farm), so that road overrides can name any pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field

INSTANCE_FORMAT = "pial-rounds/1"
RESULT_FORMAT = "pial-rounds-result/1"

GROWER_VAN = "van"
PARTNER_TRUCK = "truck"

# Orders of magnitude, documented in docs/rounds-format.md: a diesel light commercial vehicle
# (ADEME Base Carbone, « véhicule utilitaire léger », ≈ 0.27 kg CO2e per km) and a 12 t rigid
# truck (≈ 0.60 kg CO2e per km). The instance may set its own per vehicle.
VAN_CO2_KG_PER_KM = 0.27
TRUCK_CO2_KG_PER_KM = 0.60


@dataclass(frozen=True, slots=True)
class Farm:
    """A farm where lines are loaded."""

    id: str
    name: str
    lat: float
    lon: float
    loading_min: int = 10  # fixed time to load at the farm, whatever the quantity


@dataclass(frozen=True, slots=True)
class Canteen:
    """A canteen receiving lines inside one of its delivery windows."""

    id: str
    name: str
    lat: float
    lon: float
    windows: tuple[tuple[int, int], ...] = ((7 * 60, 10 * 60),)
    unloading_min: int = 10
    instructions: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class CollectionPoint:
    """A farm or the partner's platform where crates change vehicle, open some hours."""

    id: str
    name: str
    lat: float
    lon: float
    opens_min: int = 5 * 60
    closes_min: int = 12 * 60
    handling_min: int = 10  # to unload there, or to load there
    # Crates are left at the point until this time and taken on from it afterwards: one wave.
    handover_min: int = 7 * 60


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A grower's van (starts and ends at its farm) or the partner's truck (at its depot)."""

    id: str
    name: str
    kind: str  # GROWER_VAN or PARTNER_TRUCK
    lat: float
    lon: float
    capacity_kg: float
    capacity_crates: int
    free_from_min: int = 5 * 60
    free_until_min: int = 13 * 60
    cost_per_km_eur: float = 0.40
    cost_per_hour_eur: float = 15.0
    co2_kg_per_km: float = VAN_CO2_KG_PER_KM
    farm_id: str | None = None  # the grower's farm (its start); None for the partner's truck
    driver: str = ""
    phone: str = ""

    @property
    def start_key(self) -> str:
        """Return the key of the place the vehicle starts from and comes back to."""
        return f"farm:{self.farm_id}" if self.farm_id is not None else f"depot:{self.id}"


@dataclass(frozen=True, slots=True)
class Line:
    """A published line: a quantity a farm sends to a canteen on the day."""

    id: str
    farm_id: str
    canteen_id: str
    quantity_kg: float
    crates: int
    label: str = ""


@dataclass(frozen=True, slots=True)
class Road:
    """A road distance (and duration, when known) entered for a pair of places, both ways."""

    a: str
    b: str
    distance_km: float
    duration_min: float | None = None


@dataclass(frozen=True, slots=True)
class Pin:
    """A line the coordinator put on a vehicle: it is picked up by that vehicle only."""

    line_id: str
    vehicle_id: str


@dataclass(frozen=True, slots=True)
class Settings:
    """The day's rules and the search's deterministic work limit."""

    road_factor: float = 1.3
    speed_kmh: float = 50.0
    use_collection_points: bool = True
    solution_limit: int = 100  # local-search solutions examined: same input, same routes
    # A safety net only: the solution limit ends the search first, even on a loaded machine
    # (a department day takes about 10 s of CPU; the limit is wall-clock time).
    time_limit_s: float = 300.0


@dataclass(frozen=True, slots=True)
class RoundsProblem:
    """One delivery day: what to carry, from where to where, and with what."""

    day: str
    farms: tuple[Farm, ...]
    canteens: tuple[Canteen, ...]
    vehicles: tuple[Vehicle, ...]
    lines: tuple[Line, ...]
    points: tuple[CollectionPoint, ...] = ()
    roads: tuple[Road, ...] = ()
    settings: Settings = field(default_factory=Settings)
    pins: tuple[Pin, ...] = ()


@dataclass(frozen=True, slots=True)
class Stop:
    """A stop of a route: where, when, what is loaded and what is dropped."""

    place: str  # a place key
    name: str
    arrival_min: int
    departure_min: int
    load: tuple[str, ...] = ()  # line ids
    drop: tuple[str, ...] = ()
    load_kg_after: float = 0.0
    crates_after: int = 0


@dataclass(frozen=True, slots=True)
class Route:
    """One vehicle's round: its stops in order from its start back to it."""

    vehicle_id: str
    stops: tuple[Stop, ...]
    distance_km: float
    duration_min: int
    cost_eur: float
    co2_kg: float


@dataclass(frozen=True, slots=True)
class Unserved:
    """A line the rounds do not carry, and why."""

    line_id: str
    reason: str  # "capacity", "window" or "no_room"
    message: str  # in French, for people


@dataclass(frozen=True, slots=True)
class Totals:
    """What a set of routes drives, takes and costs."""

    distance_km: float
    duration_min: int
    co2_kg: float
    cost_eur: float
    num_routes: int


@dataclass(frozen=True, slots=True)
class FarmShare:
    """A farm's part of the shared rounds' cost, and what it is credited as a driver."""

    farm_id: str
    share_eur: float  # pro rata of the kg·km its lines were carried on each route
    credit_eur: float  # the cost of the routes its own van drove

    @property
    def balance_eur(self) -> float:
        """Return what the farm owes (positive) or is owed (negative)."""
        return round(self.share_eur - self.credit_eur, 2)


@dataclass(frozen=True, slots=True)
class RoundsResult:
    """The pooled rounds of a day, next to each grower delivering their own lines."""

    status: str  # "ok" (every line served), "partial" (some unserved), "invalid"
    routes: tuple[Route, ...] = ()
    unserved: tuple[Unserved, ...] = ()
    pooled: Totals | None = None
    baseline: Totals | None = None
    baseline_routes: tuple[Route, ...] = ()
    shares: tuple[FarmShare, ...] = ()
    partner_credit_eur: float = 0.0  # what the partner's truck is credited
    errors: tuple[str, ...] = ()
