"""Can we commit, when the group's offers follow its orders and only three seasons are known?

A small group whose growers offer what the canteens order, plus a margin (short some weeks),
is played for three seasons; the commitment is computed from that history alone, then fresh
seasons of the same group say whether it was met. Over many such histories, a commitment at
95 % must be met in 95 % of the seasons: the levels the history teaches are off the truth by
what three seasons of sporadic orders allow, and a plug-in model, sure of them, commits too
much.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

from solver.season import (
    CanteenInfo,
    CommitProblem,
    GrowerInfo,
    History,
    LotLine,
    ProductInfo,
    Record,
    commit_lot,
    fit_demand,
    fit_supply,
    forecast_demand,
    level_error_scale,
)
from solver.season.commit import committable_volume
from solver.season.history import season_weeks

PAST = season_weeks(dt.date(2023, 9, 4), dt.date(2026, 8, 30))  # three seasons
NEXT = season_weeks(dt.date(2027, 8, 30), dt.date(2028, 8, 27))
BUYERS = ("ecole-1", "ecole-2")
OTHERS = ("college", "ehpad")
GROWERS = ("ferme-a", "ferme-b", "ferme-c")
CRATE = 5.0
HISTORIES = 24
SEASONS = 150
YEARLY = 2 * 20.0 * len(NEXT)  # twice the buyers' usual carrots


def play(weeks: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return canteens × weeks carrot orders and the week's total offer of the group.

    Each canteen orders carrots in half its weeks, a gamma quantity (mean 20, CV 0.5); the
    growers offer the week's orders times 1.05–1.45 in whole crates, 0.55–0.9 in a short week.
    """
    ordered = rng.random((len(BUYERS) + len(OTHERS), weeks)) < 0.5
    orders = np.where(ordered, rng.gamma(4.0, 5.0, size=ordered.shape), 0.0).round()
    short = rng.random(weeks) < 0.12
    margin = np.where(short, rng.uniform(0.55, 0.9, weeks), rng.uniform(1.05, 1.45, weeks))
    return orders, np.ceil(orders.sum(axis=0) * margin / CRATE) * CRATE


def history(seed: int) -> History:
    """Three past seasons of the group, each week's offer split between growers at random."""
    rng = np.random.default_rng(seed)
    orders, offered = play(len(PAST), rng)
    canteens = BUYERS + OTHERS
    records = [Record(canteens[i], "carotte", week, float(orders[i, t]))
               for t, week in enumerate(PAST) for i in range(len(canteens)) if orders[i, t] > 0]
    # Every canteen orders onions every week: a week without carrots is not a closure.
    records += [Record(canteen, "oignon", week, 5.0) for week in PAST for canteen in canteens]
    offers = []
    for t, week in enumerate(PAST):
        shares = rng.dirichlet(np.ones(len(GROWERS)))
        offers += [Record(grower, "carotte", week, float(offered[t] * share))
                   for grower, share in zip(GROWERS, shares, strict=True) if offered[t] > 0]
    return History(PAST, tuple(CanteenInfo(c, 100) for c in canteens),
                   (ProductInfo("carotte"), ProductInfo("oignon")),
                   tuple(GrowerInfo(g) for g in GROWERS), tuple(records), tuple(offers))


def problem(past: History) -> CommitProblem:
    """The buyers' lot, as the seam builds it, from the history alone."""
    forecast = forecast_demand(fit_demand(past), NEXT)
    other_mean, other_variance = forecast.aggregate(OTHERS)
    buyer_mean, buyer_variance = forecast.aggregate(BUYERS)
    supply = fit_supply(past)
    assert supply.follows_demand("carotte")
    # The tender spreads its yearly estimate evenly over the season's weeks.
    line = LotLine("carotte", YEARLY, tuple([1.0 / len(NEXT)] * len(NEXT)))
    return CommitProblem(
        NEXT, (line,), supply,
        other_mean=other_mean[:1], other_variance=other_variance[:1],
        buyer_mean=buyer_mean[:1], buyer_variance=buyer_variance[:1],
        other_zero=forecast.nobody_orders(OTHERS)[:1],
        buyer_zero=forecast.nobody_orders(BUYERS)[:1],
        demand_seasons=past.order_seasons, demand_level_scale=level_error_scale(past),
        draws=4000, seed=5)


def delivered(rng: np.random.Generator) -> np.ndarray:
    """Return what fresh seasons of the group deliver of the lot (its weeks are independent)."""
    orders, offered = play(SEASONS * len(NEXT), rng)
    other = orders[len(BUYERS):].sum(axis=0)
    left = np.maximum(offered - other, 0.0).reshape(SEASONS, len(NEXT))
    result: np.ndarray = np.minimum(left, YEARLY / len(NEXT)).sum(axis=1)
    return result


def met_rates(plug_in: bool = False) -> tuple[dict[float, float], float]:
    """Return the met rate per level over every history's fresh seasons, and the median of
    committed / true 95 % volume."""
    met: dict[float, list[float]] = {0.90: [], 0.95: [], 0.99: []}
    tightness = []
    for seed in range(HISTORIES):
        lot = problem(history(seed))
        if plug_in:  # levels taken as known: the forecast's means, the offer ratio's mean
            lot = dataclasses.replace(lot, demand_seasons=0.0, supply=dataclasses.replace(
                lot.supply, offer_ratio_error=np.zeros(0)))
        answer = commit_lot(lot).lines[0]
        truth = delivered(np.random.default_rng(1000 + seed))
        for level in answer.levels:
            assert level.volume < YEARLY  # the buyer's estimate does not cap it
            met[level.confidence] += list(truth >= level.volume - 1e-9)
        tightness.append(answer.level(0.95).volume / committable_volume(truth, 0.95))
    return {level: float(np.mean(values)) for level, values in met.items()}, float(
        np.median(tightness))


def test_a_commitment_learnt_from_three_seasons_is_met_as_often_as_promised() -> None:
    rates, tightness = met_rates()

    assert rates[0.95] >= 0.95
    assert rates[0.99] >= 0.985
    assert rates[0.90] >= 0.90
    # Not grossly conservative: the promise stays near what the group truly delivers 19
    # seasons in 20.
    assert 0.9 <= tightness <= 1.05


def test_a_plug_in_commitment_is_met_less_often_than_promised() -> None:
    # The same histories, the levels taken as known, miss the target the test above asserts.
    rates, _tightness = met_rates(plug_in=True)

    assert rates[0.95] < 0.95
    assert rates[0.90] < 0.90
