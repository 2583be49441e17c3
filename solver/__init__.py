"""Allocation engine for the `pial-allocation/1` format: load, validate, solve, dump, explain.

Importing this package loads no solver back-end (OR-Tools is imported on the first `solve`),
and never Flask or SQLAlchemy: the web app depends on the solver, not the other way round.
"""

from __future__ import annotations

from solver.explain import explain
from solver.geography import haversine_km
from solver.io import FormatError, Source, dump, dump_problem, load, load_result
from solver.problem import (
    INSTANCE_FORMAT,
    RESULT_FORMAT,
    AllocationRow,
    Availability,
    Canteen,
    Distance,
    Grower,
    LedgerEntry,
    Metrics,
    OrderLine,
    Problem,
    Product,
    Result,
    Settings,
    Shortfall,
    Weights,
)
from solver.shares import grower_shares
from solver.validation import check_problem, validate

__all__ = [
    "INSTANCE_FORMAT",
    "RESULT_FORMAT",
    "AllocationRow",
    "Availability",
    "Canteen",
    "Distance",
    "FormatError",
    "Grower",
    "LedgerEntry",
    "Metrics",
    "OrderLine",
    "Problem",
    "Product",
    "Result",
    "Settings",
    "Shortfall",
    "Source",
    "Weights",
    "check_problem",
    "distance_km",
    "dump",
    "dump_problem",
    "explain",
    "grower_shares",
    "haversine_km",
    "load",
    "load_result",
    "solve",
    "solve_json",
    "validate",
]


def solve(problem: Problem) -> Result:
    """Validate a problem, then allocate it; an invalid problem gives status "invalid"."""
    errors = check_problem(problem)
    if errors:
        return Result(status="invalid", errors=tuple(errors))
    # The engine pulls in OR-Tools, which costs a second of import; only solving needs it.
    from solver.engine import solve as solve_valid_problem

    return solve_valid_problem(problem)


def solve_json(source: Source) -> Result:
    """Read, validate and solve an instance; bad input gives status "invalid", never raises."""
    try:
        problem = load(source)
    except FormatError as error:
        return Result(status="invalid", errors=error.errors)
    from solver.engine import solve as solve_valid_problem

    return solve_valid_problem(problem)


def distance_km(problem: Problem) -> dict[tuple[str, str], float]:
    """Return the distance the solver counts for every (grower id, canteen id) pair, in km.

    A given road distance, else the great-circle distance × ``road_factor``: the km of each
    allocation row of a result. Loads the engine (and numpy) on first use.
    """
    from solver.engine import distance_km as engine_distance_km

    return engine_distance_km(problem)
