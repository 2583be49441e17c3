"""The same day gives the same routes: the search ends on a count of solutions, not the clock."""

from __future__ import annotations

from solver.rounds import Settings, solve_rounds
from solver.rounds.generate import generate_day


def test_solving_twice_gives_the_same_routes() -> None:
    problem = generate_day(num_farms=8, num_canteens=6, num_vans=3, seed=4,
                           settings=Settings(solution_limit=30))

    first, second = solve_rounds(problem), solve_rounds(problem)

    assert first.routes == second.routes
    assert first.unserved == second.unserved
    assert first.baseline_routes == second.baseline_routes
