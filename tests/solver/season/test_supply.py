"""The supply model learns failures, absences and spreads from the offers and losses."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from solver.season import CanteenInfo, GrowerInfo, History, ProductInfo, Record, fit_supply
from solver.season.generate import Scale, generate_history, make_truth
from solver.season.history import season_weeks

WEEKS = season_weeks(dt.date(2025, 9, 1), dt.date(2026, 8, 30))


def test_failures_and_absences_are_counted_per_grower_and_product() -> None:
    offers = []
    losses = []
    for t, week in enumerate(WEEKS):
        offers.append(Record("a", "carotte", week, 10.0))
        if t % 10 == 0:
            losses.append(Record("a", "carotte", week, 4.0))  # 40 % lost, one week in ten
        if t % 4:
            offers.append(Record("b", "carotte", week, 20.0))  # b skips one week in four
    orders = tuple(Record("c", "carotte", week, 25.0) for week in WEEKS)
    history = History(WEEKS, (CanteenInfo("c", 100),), (ProductInfo("carotte"),),
                      (GrowerInfo("a"), GrowerInfo("b")), orders, tuple(offers), tuple(losses))

    model = fit_supply(history)
    a = model.entry("a", "carotte")
    b = model.entry("b", "carotte")

    assert a is not None and b is not None
    assert a.failures == 6 and a.offered_weeks == len(WEEKS)
    assert a.failure_rate == pytest.approx(6 / len(WEEKS), abs=0.02)
    assert a.absence == pytest.approx(0.0, abs=0.05)
    assert b.absence == pytest.approx(0.25, abs=0.05)
    assert (a.level, b.level) == (pytest.approx(10.0), pytest.approx(20.0))
    assert np.allclose(model.failure_sizes, 0.4)
    assert model.entry("a", "poireau") is None


def test_a_generated_groups_spreads_are_recovered() -> None:
    truth = make_truth(Scale(growers=30, products=30, canteens=10, seasons=3, seed=5))
    model = fit_supply(generate_history(truth))

    assert model.sigma_week.mean() == pytest.approx(truth.sigma_week, rel=0.1)
    assert model.sigma_grower == pytest.approx(truth.sigma_grower, abs=0.06)
    assert model.sigma_common == pytest.approx(truth.sigma_common, abs=0.06)
    rates = {(e.grower, e.product): e.failure_rate for e in model.entries}
    true_mean = truth.failure_rate[truth.level > 0].mean()
    assert np.mean(list(rates.values())) == pytest.approx(true_mean, rel=0.2)
    assert model.mean_failure_size == pytest.approx(0.4, abs=0.05)  # Beta(2, 3)
