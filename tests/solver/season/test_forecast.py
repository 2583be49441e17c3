"""The demand forecast: closures, meal counts, contracts, quantiles, and its backtest."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from solver.season import (
    CanteenInfo,
    ContractVolume,
    History,
    ProductInfo,
    Record,
    backtest_forecast,
    fit_demand,
    forecast_demand,
    predicted_closures,
    season_weeks,
)
from solver.season.generate import Scale, generate_history, make_truth

PAST = season_weeks(dt.date(2024, 9, 2), dt.date(2026, 8, 30))  # two seasons
NEXT = season_weeks(dt.date(2026, 8, 31), dt.date(2027, 8, 29))
CARROT = ProductInfo("carotte")


def weekly_history(
    quantity: float = 10.0, closed_numbers: frozenset[int] = frozenset({52, 1, 32, 33})
) -> History:
    """One canteen ordering the same quantity of carrots every week, except its closed weeks."""
    orders = tuple(Record("ecole", "carotte", week, quantity) for week in PAST
                   if week.isocalendar()[1] not in closed_numbers)
    return History(PAST, (CanteenInfo("ecole", 100),), (CARROT,), orders=orders)


def test_a_steady_canteen_is_forecast_steady_and_closed_when_it_always_was() -> None:
    history = weekly_history()
    closures = predicted_closures(history, NEXT)
    forecast = forecast_demand(fit_demand(history), NEXT, closures)

    closed = {week for _canteen, week in closures}
    assert {week.isocalendar()[1] for week in closed} == {52, 1, 32, 33}
    for t, week in enumerate(NEXT):
        expected = 0.0 if week in closed else 10.0
        assert forecast.mean[0, 0, t] == pytest.approx(expected)
        for level in (0.1, 0.5, 0.9):
            assert forecast.quantile(level)[0, 0, t] == pytest.approx(expected)


def test_quantiles_spread_with_the_history() -> None:
    rng = np.random.default_rng(1)
    orders = tuple(Record("ecole", "carotte", week, float(rng.choice([0.0, 5.0, 20.0])))
                   for week in PAST)
    orders = tuple(order for order in orders if order.quantity > 0) + tuple(
        Record("ecole", "poireau", week, 1.0) for week in PAST)  # the canteen is always open
    history = History(PAST, (CanteenInfo("ecole", 100),), (CARROT, ProductInfo("poireau")),
                      orders=orders)
    forecast = forecast_demand(fit_demand(history), NEXT)

    q10, q50, q90 = (forecast.quantile(level)[0, 0] for level in (0.1, 0.5, 0.9))
    assert np.all(q10 <= q50) and np.all(q50 <= q90)
    assert np.all(q10 == 0)  # a third of the weeks order none
    assert forecast.mean[0, 0].mean() == pytest.approx(25 / 3, rel=0.15)
    assert q90.mean() > 1.5 * forecast.mean[0, 0].mean()


def test_a_canteen_without_history_is_forecast_from_its_meal_count() -> None:
    history = weekly_history()
    newcomer = History(PAST, (CanteenInfo("ecole", 100), CanteenInfo("creche", 25)), (CARROT,),
                       orders=history.orders)
    forecast = forecast_demand(fit_demand(newcomer), NEXT, predicted_closures(newcomer, NEXT))

    open_weeks = forecast.mean[0, 0] > 0
    ratio = forecast.mean[1, 0, open_weeks] / forecast.mean[0, 0, open_weeks]
    assert ratio == pytest.approx(np.full(ratio.shape, 0.25), rel=0.01)


def test_a_contract_minimum_raises_the_forecast_to_it() -> None:
    history = weekly_history(quantity=2.0)
    model = fit_demand(history)
    plain = forecast_demand(model, NEXT)
    raised = forecast_demand(model, NEXT, contracts=(ContractVolume(("ecole",), "carotte",
                                                                    500.0),))

    assert plain.mean.sum() < 500
    assert raised.mean.sum() == pytest.approx(500.0 * min(1.0, len(NEXT) / (365.25 / 7)))
    higher = forecast_demand(model, NEXT, contracts=(ContractVolume(("ecole",), "carotte", 1.0),))
    assert higher.mean.sum() == pytest.approx(plain.mean.sum())


def test_the_model_beats_both_naive_forecasts_on_a_generated_group() -> None:
    truth = make_truth(Scale(growers=10, products=15, canteens=12, seasons=3, seed=11))
    history = generate_history(truth)

    report = backtest_forecast(history, truth.season(truth.scale.first_year + 2))

    assert report.weeks >= 52 and report.actual_total > 0
    assert report.beats_naive
    assert report.wape_model_product_week < min(report.wape_same_week_last_year_product_week,
                                                 report.wape_last_four_weeks_product_week)
    assert report.above_q90 < 0.15
