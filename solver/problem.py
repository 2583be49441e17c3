"""Frozen dataclasses mirroring the `pial-allocation/1` instance and result formats.

The JSON field names of `../shared/spec/allocation-format.md` are kept as attribute names so
that reading the spec and reading the code is the same exercise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

INSTANCE_FORMAT = "pial-allocation/1"
RESULT_FORMAT = "pial-allocation-result/1"

Priority = Literal["contract", "regular"]
Status = Literal["optimal", "feasible", "infeasible", "invalid"]


@dataclass(frozen=True, slots=True)
class Product:
    """A product of the catalogue, priced per unit by the group."""

    id: str
    name: str
    unit: str
    unit_kg: float
    price: float
    lot: float | None = None


@dataclass(frozen=True, slots=True)
class Grower:
    """A farm of the group, placed on the map, with its agreed share and ledger."""

    id: str
    name: str
    lat: float
    lon: float
    target_share: float | None = None
    ledger_eur: float = 0.0


@dataclass(frozen=True, slots=True)
class Canteen:
    """A kitchen receiving deliveries."""

    id: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Availability:
    """What one grower can supply of one product this week (or on one day)."""

    grower: str
    product: str
    quantity: float
    day: str | None = None


@dataclass(frozen=True, slots=True)
class OrderLine:
    """A canteen's order of one product for one delivery day."""

    canteen: str
    product: str
    day: str
    quantity: float
    priority: Priority = "regular"


@dataclass(frozen=True, slots=True)
class Distance:
    """A known road distance between a grower and a canteen."""

    grower: str
    canteen: str
    km: float


@dataclass(frozen=True, slots=True)
class AllocationRow:
    """A quantity sent by one grower to one order line (also used for locked/previous rows)."""

    grower: str
    canteen: str
    product: str
    day: str
    quantity: float


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the last, weighted objective stage."""

    distance: float = 1.0
    fairness: float = 1.0
    deliveries: float = 0.0
    stability: float = 0.0


@dataclass(frozen=True, slots=True)
class Settings:
    """Solver settings of one instance."""

    max_km: float | None = None
    road_factor: float = 1.3
    max_growers_per_line: int | None = None
    ledger_catch_up: float = 0.5
    weights: Weights = field(default_factory=Weights)
    time_limit_s: float = 10.0


@dataclass(frozen=True, slots=True)
class Problem:
    """One delivery week to allocate: the whole `pial-allocation/1` instance."""

    week: str
    products: tuple[Product, ...]
    growers: tuple[Grower, ...]
    canteens: tuple[Canteen, ...]
    availability: tuple[Availability, ...]
    orders: tuple[OrderLine, ...]
    distances_km: tuple[Distance, ...] = ()
    locked: tuple[AllocationRow, ...] = ()
    previous: tuple[AllocationRow, ...] = ()
    settings: Settings = field(default_factory=Settings)
    format: str = INSTANCE_FORMAT


@dataclass(frozen=True, slots=True)
class Shortfall:
    """What an order line did not receive."""

    canteen: str
    product: str
    day: str
    quantity: float


@dataclass(frozen=True, slots=True)
class Metrics:
    """Summary figures of a result, as named in the spec."""

    ordered_eur: float = 0.0
    served_eur: float = 0.0
    fill_rate: float = 0.0
    contract_fill_rate: float = 0.0
    kg_km: float = 0.0
    deliveries: int = 0
    share_deviation_eur: float = 0.0
    moved_from_previous: float = 0.0
    solve_s: float = 0.0
    # Optional metrics (None: not reported): stage 4's value of the plan, a proven lower bound
    # on it over every plan serving the same contract and total value, and their gap.
    weighted: float | None = None
    weighted_lower_bound: float | None = None
    gap: float | None = None
    # Stages 2 and 3: the contract value served, and proven upper bounds on the contract value
    # of every feasible plan and on the total value of every one serving the most contract
    # value (equal to the values served when both stages are proven).
    contract_eur: float | None = None
    contract_eur_upper_bound: float | None = None
    served_eur_upper_bound: float | None = None
    # Whether the solving thread passed the safety net (`settings.time_limit_s`): the search
    # may then have been cut short by time, and the same week solved again on a busier or
    # slower machine may give another plan. False: every search stopped on its work limits.
    time_limit_reached: bool | None = None


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A grower's fairness ledger after this week."""

    grower: str
    ledger_eur: float


@dataclass(frozen=True, slots=True)
class Result:
    """The solver's answer: a plan, its shortfalls and metrics, or the reasons it is invalid."""

    status: Status
    allocations: tuple[AllocationRow, ...] = ()
    shortfalls: tuple[Shortfall, ...] = ()
    metrics: Metrics = field(default_factory=Metrics)
    ledger_after: tuple[LedgerEntry, ...] = ()
    errors: tuple[str, ...] = ()
    format: str = RESULT_FORMAT
