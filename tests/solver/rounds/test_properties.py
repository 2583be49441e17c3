"""Every generated day's rounds pass both checks: the independent one and `rounds check`."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.rounds import Settings, check_rounds, solve_rounds
from solver.rounds.generate import generate_day
from tests.solver.rounds.checker import violations


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    num_farms=st.integers(2, 8),
    num_canteens=st.integers(1, 5),
    num_vans=st.integers(1, 4),
    with_truck=st.booleans(),
    use_points=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_every_generated_day_passes_the_checks(
    num_farms: int, num_canteens: int, num_vans: int, with_truck: bool, use_points: bool,
    seed: int,
) -> None:
    problem = generate_day(
        num_farms=num_farms, num_canteens=num_canteens, num_vans=num_vans, with_truck=with_truck,
        lines_per_canteen=2, seed=seed,
        settings=Settings(solution_limit=30, use_collection_points=use_points),
    )

    result = solve_rounds(problem)

    assert violations(problem, result) == []
    assert check_rounds(problem, result) == []
    assert result.pooled is not None and result.baseline is not None
    costs = sum(route.cost_eur for route in result.routes)
    assert abs(sum(s.share_eur for s in result.shares) - costs) < 0.05
    assert abs(sum(s.credit_eur for s in result.shares) + result.partner_credit_eur - costs) < 0.05
