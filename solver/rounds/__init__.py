"""Delivery rounds of a day: growers pool their drives or hand crates to the partner's truck.

Importing this package loads no OR-Tools; :func:`solve_rounds` does, on first use.
"""

from __future__ import annotations

from solver.rounds.check import check_rounds
from solver.rounds.io import (
    RoundsFormatError,
    problem_from_dict,
    problem_to_dict,
    result_from_dict,
    result_to_dict,
)
from solver.rounds.model import (
    GROWER_VAN,
    INSTANCE_FORMAT,
    PARTNER_TRUCK,
    RESULT_FORMAT,
    TRUCK_CO2_KG_PER_KM,
    VAN_CO2_KG_PER_KM,
    Canteen,
    CollectionPoint,
    Farm,
    FarmShare,
    Line,
    Pin,
    Road,
    RoundsProblem,
    RoundsResult,
    Route,
    Settings,
    Stop,
    Totals,
    Unserved,
    Vehicle,
)
from solver.rounds.routing import Previous, previous_of
from solver.rounds.solve import farm_kg_km, solve_rounds
from solver.rounds.validation import check_problem

__all__ = [
    "GROWER_VAN",
    "INSTANCE_FORMAT",
    "PARTNER_TRUCK",
    "RESULT_FORMAT",
    "TRUCK_CO2_KG_PER_KM",
    "VAN_CO2_KG_PER_KM",
    "Canteen",
    "CollectionPoint",
    "Farm",
    "FarmShare",
    "Line",
    "Pin",
    "Previous",
    "Road",
    "RoundsFormatError",
    "RoundsProblem",
    "RoundsResult",
    "Route",
    "Settings",
    "Stop",
    "Totals",
    "Unserved",
    "Vehicle",
    "check_problem",
    "check_rounds",
    "farm_kg_km",
    "previous_of",
    "problem_from_dict",
    "problem_to_dict",
    "result_from_dict",
    "result_to_dict",
    "solve_rounds",
]
