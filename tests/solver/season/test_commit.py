"""Can we commit? Hand-checked tiny lots whose committable volume is known analytically."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import stats

from solver.season import CommitProblem, CropCapacity, LotLine, commit_lot
from solver.season.commit import committable_volume
from solver.season.history import season_weeks
from solver.season.supply import GrowerSupply, SupplyModel

WEEKS = season_weeks(dt.date(2027, 1, 4), dt.date(2027, 5, 17))  # 20 weeks


def supply(
    failure_rate: float = 0.0,
    *,
    sigma_common: float = 0.0,
    sizes: float = 1.0,
    growers: tuple[str, ...] = ("a", "b"),
) -> SupplyModel:
    """Return a supply model of one product, every grower alike, all-year profile."""
    entries = tuple(GrowerSupply(grower, "carotte", 10.0, 0.0, failure_rate, 10.0, 40, 4)
                    for grower in growers)
    return SupplyModel(
        products=("carotte",),
        entries=entries,
        shape=np.ones((1, 12)),
        sigma_common=sigma_common,
        sigma_grower=0.0,
        sigma_week=np.zeros(1),
        failure_sizes=np.full(64, sizes),
        pooled_absence=0.0,
        pooled_failure_rate=failure_rate,
    )


def line(yearly: float = 1000.0) -> LotLine:
    """A lot line needing the product evenly every week."""
    return LotLine("carotte", yearly, tuple([1.0 / len(WEEKS)] * len(WEEKS)))


def test_two_growers_with_known_failures_commit_the_binomial_quantile() -> None:
    # Each of 2 growers supplies 10 a week for 20 weeks, or nothing in a week it fails
    # (probability 0.1, the whole crop lost). The lot needs more than they grow, so the
    # deliverable year is 10 × (40 − F) with F ~ Binomial(40, 0.1): the 95 % volume is
    # 10 × (40 − the binomial's 95 % quantile).
    capacities = tuple(CropCapacity(g, "carotte", max_weekly=10.0) for g in ("a", "b"))
    problem = CommitProblem(WEEKS, (line(),), supply(0.1), capacities=capacities,
                            draws=20_000, seed=3)

    answer = commit_lot(problem).lines[0]

    for confidence in (0.90, 0.95, 0.99):
        failures = stats.binom.ppf(confidence, 40, 0.1)
        assert answer.level(confidence).volume == pytest.approx(10.0 * (40 - failures))
    assert answer.level(0.95).volume == 330.0  # F's 95 % quantile is 7 (P(F ≤ 7) = 0.958)
    assert answer.expected_deliverable == pytest.approx(10 * 40 * 0.9, rel=0.01)


def test_a_lognormal_season_factor_commits_its_analytic_quantile() -> None:
    sigma = 0.2
    capacities = (CropCapacity("a", "carotte", max_weekly=10.0),)
    problem = CommitProblem(WEEKS, (line(),), supply(sigma_common=sigma, growers=("a",)),
                            capacities=capacities, draws=40_000, seed=5)

    answer = commit_lot(problem).lines[0]

    for confidence in (0.90, 0.95, 0.99):
        expected = 200.0 * math.exp(sigma * stats.norm.ppf(1 - confidence) - sigma**2 / 2)
        assert answer.level(confidence).volume == pytest.approx(expected, rel=0.01)


def test_the_commitment_never_exceeds_the_buyers_estimate_and_reports_its_risk() -> None:
    capacities = tuple(CropCapacity(g, "carotte", max_weekly=10.0) for g in ("a", "b"))
    problem = CommitProblem(WEEKS, (line(yearly=100.0),), supply(0.0), capacities=capacities,
                            draws=10_000)

    answer = commit_lot(problem).lines[0]

    # 100 a year (5 a week) is far below the 20 a week two reliable growers grow: every level
    # commits the estimate, and no more.
    assert [level.volume for level in answer.levels] == [100.0, 100.0, 100.0]
    assert all(level.expected_shortfall == 0 for level in answer.levels)
    assert sum(member.volume_share for member in answer.members) == pytest.approx(1.0)


def test_shortfall_and_members_cover_each_other() -> None:
    capacities = tuple(CropCapacity(g, "carotte", max_weekly=10.0) for g in ("a", "b"))
    problem = CommitProblem(WEEKS, (line(),), supply(0.3, sizes=1.0), capacities=capacities,
                            draws=10_000, confidence=0.5, max_share=0.5)

    answer = commit_lot(problem).lines[0]

    half = answer.level(0.95)
    assert half.expected_shortfall > 0 and 0 < half.shortfall_probability <= 0.05 + 0.01
    assert [m.volume_share for m in answer.members] == [0.5, 0.5]
    # At the median volume each grower fails some weeks and the other, when it has spare,
    # covers for it: both cover about as much as the other misses.
    for member in answer.members:
        assert member.own_shortfall > 0 and member.covers_for_others > 0
    assert answer.members[0].covers_for_others == pytest.approx(
        answer.members[1].covers_for_others, rel=0.15)


def test_a_member_above_the_max_share_gives_its_excess_to_the_others() -> None:
    model = SupplyModel(
        products=("carotte",),
        entries=(GrowerSupply("big", "carotte", 90.0, 0.0, 0.0, 90.0, 40, 0),
                 GrowerSupply("small", "carotte", 10.0, 0.0, 0.0, 10.0, 40, 0)),
        shape=np.ones((1, 12)), sigma_common=0.0, sigma_grower=0.0, sigma_week=np.zeros(1),
        failure_sizes=np.full(64, 0.5),
    )
    answer = commit_lot(CommitProblem(WEEKS, (line(),), model, draws=1000,
                                      max_share=0.6)).lines[0]

    shares = {member.grower: member.volume_share for member in answer.members}
    assert shares == pytest.approx({"big": 0.6, "small": 0.4})


def test_committable_volume_is_the_largest_met_in_the_share_asked() -> None:
    deliverable = np.arange(1.0, 101.0)  # 1 … 100, each once

    assert committable_volume(deliverable, 0.95) == 6.0  # 95 draws deliver ≥ 6
    assert committable_volume(deliverable, 0.90) == 11.0
    assert (deliverable >= committable_volume(deliverable, 0.99)).mean() >= 0.99
