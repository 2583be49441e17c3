"""A re-plan starts from the earlier rounds: a line lost moves fewer stops than planning anew."""

from __future__ import annotations

from dataclasses import replace

from solver.rounds import RoundsResult, Settings, check_rounds, solve_rounds
from solver.rounds.generate import generate_day
from solver.rounds.routing import previous_of
from tests.solver.rounds.checker import violations


def _visits(result: RoundsResult, farm_of: dict[str, str]) -> set[tuple[str, str, str]]:
    return {(route.vehicle_id, stop.place, farm_of[line])
            for route in result.routes for stop in route.stops
            for line in (*stop.load, *stop.drop)}


def test_a_replan_from_the_earlier_rounds_keeps_more_stops() -> None:
    day = generate_day(num_farms=12, num_canteens=8, num_vans=4, with_truck=False, seed=7,
                       settings=Settings(solution_limit=40))
    first = solve_rounds(day)
    # A crop failure: the first line is lost, everything else stays.
    replanned = replace(day, lines=day.lines[1:])
    farm_of = {line.id: line.farm_id for line in day.lines}
    canteen_of = {line.id: line.canteen_id for line in day.lines}

    anew = solve_rounds(replanned)
    kept = solve_rounds(replanned, previous_of(first.routes, farm_of, canteen_of))

    for result in (anew, kept):
        assert violations(replanned, result) == []
        assert check_rounds(replanned, result) == []
    before = _visits(first, farm_of)
    moved_anew = _visits(anew, farm_of) - before
    moved_kept = _visits(kept, farm_of) - before
    # Measured: 21 of 41 (vehicle, stop, farm) visits new when planned anew, 2 from the rounds.
    assert len(moved_kept) <= 5 < len(moved_anew)
