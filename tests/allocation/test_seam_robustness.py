"""A re-plan stays a valid instance when the world moved since the published plan."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

import solver
from pial.allocation import seam
from pial.allocation.services import allocate_week, publish_week
from pial.models import OrderLine
from tests.allocation.scenario import build_scenario


def test_previous_rows_name_known_canteens_after_an_order_went_to_zero(
    db: Any, make_user: Any
) -> None:
    scenario = build_scenario(db, make_user)
    allocate_week(scenario.iso_week, scenario.lead)
    run = publish_week(scenario.iso_week, scenario.lead)
    served = {line.canteen_id for line in run.lines}
    assert len(served) == 2
    # The only canteen of one line stops ordering: its rows stay in the previous plan.
    gone = scenario.canteens["luchon"]
    db.execute(update(OrderLine).where(OrderLine.canteen_id == gone.id).values(quantity=0))
    db.commit()
    problem = seam.build_problem(scenario.week, previous_run=run)
    assert solver.validate(solver.dump_problem(problem)) == []
    assert any(row.canteen == seam.canteen_key(gone.id) for row in problem.previous)


def test_previous_rows_of_a_farm_that_left_are_dropped(db: Any, make_user: Any) -> None:
    scenario = build_scenario(db, make_user)
    allocate_week(scenario.iso_week, scenario.lead)
    run = publish_week(scenario.iso_week, scenario.lead)
    leaving = next(farm for farm in scenario.farms.values() if any(
        line.farm_id == farm.id for line in run.lines))  # fmt: skip
    leaving.is_active = False
    db.commit()
    problem = seam.build_problem(scenario.week, previous_run=run)
    assert solver.validate(solver.dump_problem(problem)) == []
    assert all(row.grower != seam.grower_key(leaving.id) for row in problem.previous)
