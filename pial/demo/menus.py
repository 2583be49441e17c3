"""What the demo's canteens order and its farms offer in a week: pure functions, no database.

Orders follow meals × portions (GEM-RCN orders of magnitude) over the days each delivery
covers; offers follow the week's demand, crop by crop, with a few scarce products so that the
allocation has real choices and real shortfalls to show.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pial.demo.territory import (
    CANTEENS,
    CONTRACT,
    CONTRACT_BUYERS,
    FARMS,
    PRODUCTS,
    RAW_MEAL_SHARE,
    RAW_PORTION_KG,
    CanteenSpec,
    ProductSpec,
    Use,
    school_holiday,
)

SCARCITY_PROBABILITY = 0.12
"""Chance that a product is short in a week (weather, a late planting)."""

EXTRA_OFFER_PROBABILITY = 0.25
"""Chance that a farm also offers an in-season crop nobody ordered (it has some to sell)."""

SERVING_WEEKDAYS = {4: (1, 2, 4, 5), 5: (1, 2, 3, 4, 5), 7: (1, 2, 3, 4, 5, 6, 7)}
"""ISO weekdays served by a kitchen open 4, 5 or 7 days a week (primary schools skip Wednesday)."""

_PRODUCT = {spec.slug: spec for spec in PRODUCTS}
_CONTRACT_SLUGS = frozenset(line.product_slug for line in CONTRACT.lines)
_GROWN = frozenset(slug for farm in FARMS for slug in farm.crops)


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """One line a canteen will order: a product for a delivery day, in the product's unit."""

    product_slug: str
    day: dt.date
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class OfferDraft:
    """One line a farm will offer for the whole week, in the product's unit."""

    product_slug: str
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class WeekDrafts:
    """Everything entered for one week: orders by canteen key, offers by farm key."""

    orders: Mapping[str, tuple[OrderDraft, ...]]
    offers: Mapping[str, tuple[OfferDraft, ...]]
    scarce_slugs: frozenset[str]


def in_season(spec: ProductSpec, day: dt.date) -> bool:
    """Tell whether a product is in season on ``day``."""
    return spec.season_mask[day.month - 1] == "1"


def orders_open(canteen: CanteenSpec, monday: dt.date) -> bool:
    """Tell whether a canteen serves meals (so orders) in the week starting ``monday``."""
    week_number = monday.isocalendar()[1]
    if canteen.closed_in_school_holidays and school_holiday(week_number):
        return False
    return week_number not in canteen.closed_weeks


def days_covered(canteen: CanteenSpec) -> dict[int, int]:
    """Return, for each delivery weekday, how many serving days its delivery feeds."""
    deliveries = sorted(int(day) for day in canteen.delivery_weekdays.split(","))
    served = SERVING_WEEKDAYS[canteen.serving_weekdays]
    covered = {}
    for index, weekday in enumerate(deliveries):
        following = deliveries[(index + 1) % len(deliveries)]
        if len(deliveries) == 1:
            covered[weekday] = len(served)
            continue
        # Serving days from this delivery up to (not including) the next one, wrapping round.
        span = [(weekday - 1 + offset) % 7 + 1 for offset in range((following - weekday) % 7)]
        covered[weekday] = sum(1 for day in span if day in served)
    return covered


def to_units(spec: ProductSpec, quantity_kg: float) -> Decimal:
    """Convert kilograms to the product's unit, in whole crates (0 if under half a crate)."""
    units = Decimal(str(quantity_kg)) / spec.unit_kg
    step = spec.lot_size or (Decimal("0.5") if spec.unit_kg == 1 else Decimal("1"))
    return (units / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step


def _pick(rng: random.Random, candidates: Sequence[ProductSpec], weights: Sequence[float],
          count: int) -> list[ProductSpec]:
    """Draw ``count`` distinct products, each with probability proportional to its weight."""
    pool = list(zip(candidates, weights, strict=True))
    chosen: list[ProductSpec] = []
    while pool and len(chosen) < count:
        spec, _ = rng.choices(pool, weights=[weight for _, weight in pool])[0]
        chosen.append(spec)
        pool = [(other, weight) for other, weight in pool if other.slug != spec.slug]
    return chosen


def _split(rng: random.Random, total_kg: float, specs: Sequence[ProductSpec]) -> list[float]:
    """Split a quantity between products, unevenly as real menus do."""
    shares = [rng.uniform(0.6, 1.4) for _ in specs]
    return [total_kg * share / sum(shares) for share in shares]


def canteen_orders(canteen: CanteenSpec, monday: dt.date, rng: random.Random) -> list[OrderDraft]:
    """Return the lines a canteen orders for the week starting ``monday`` (none when closed)."""
    if not orders_open(canteen, monday):
        return []
    lines: list[OrderDraft] = []
    is_buyer = canteen.key in CONTRACT_BUYERS
    for weekday, serving_days in sorted(days_covered(canteen).items()):
        day = monday + dt.timedelta(days=weekday - 1)
        meals = canteen.meals_per_day * serving_days
        available = [s for s in PRODUCTS if s.slug in _GROWN and in_season(s, day)]

        def weight(spec: ProductSpec) -> float:
            # The tender lot's kitchens favour the lot's products: they are committed to them.
            bonus = 2.0 if is_buyer and spec.slug in _CONTRACT_SLUGS else 1.0
            return spec.popularity * bonus

        cooked = [s for s in available if s.use in (Use.COOKED, Use.BOTH)]
        raw = [s for s in available if s.use in (Use.RAW, Use.BOTH)]
        big_kitchen = canteen.meals_per_day >= 150
        cooked_specs = _pick(rng, cooked, [weight(s) for s in cooked], 4 if big_kitchen else 2)
        cooked_kg = meals * canteen.cooked_portion_kg * canteen.local_share
        quantities = dict(zip(cooked_specs, _split(rng, cooked_kg, cooked_specs), strict=True))
        raw_specs = [s for s in _pick(rng, raw, [weight(s) for s in raw], 2 if big_kitchen else 1)
                     if s not in quantities]
        raw_kg = meals * RAW_PORTION_KG * RAW_MEAL_SHARE * canteen.local_share
        quantities.update(zip(raw_specs, _split(rng, raw_kg, raw_specs), strict=True))
        onion = _PRODUCT["oignon"]
        if in_season(onion, day) and rng.random() < 0.6:
            quantities[onion] = cooked_kg * 0.05
        herbs = [s for s in available if s.unit_kg < Decimal("0.2") and s.use == Use.SEASONING]
        if herbs and rng.random() < 0.5:
            herb = rng.choice(herbs)
            quantities[herb] = float(herb.unit_kg) * max(1, round(meals / 80))
        ordered = {spec.slug: to_units(spec, kg) for spec, kg in quantities.items()}
        for standing in canteen.standing:
            # The standing line is the least the kitchen takes; the menu may ask for more.
            if standing.weekday == weekday and in_season(_PRODUCT[standing.product_slug], day):
                slug = standing.product_slug
                ordered[slug] = max(ordered.get(slug, Decimal(0)), standing.quantity)
        lines += [OrderDraft(slug, day, quantity) for slug, quantity in ordered.items()
                  if quantity > 0]
    return lines


def farm_offers(
    demand: Mapping[str, Decimal], months: set[int], rng: random.Random
) -> tuple[dict[str, list[OfferDraft]], frozenset[str]]:
    """Return each farm's offers meeting ``demand`` (units by slug) give or take, and the scarce."""
    offers: dict[str, list[OfferDraft]] = defaultdict(list)
    scarce: set[str] = set()
    for slug in sorted(demand):
        spec = _PRODUCT[slug]
        growers = [farm for farm in FARMS if slug in farm.crops]
        if rng.random() < SCARCITY_PROBABILITY:
            factor = rng.uniform(0.55, 0.9)
            scarce.add(slug)
        else:
            factor = rng.uniform(1.05, 1.45)
        # Now and then a grower has none of it this week; somebody always has some.
        offering = [farm for farm in growers if rng.random() > 0.15] or [rng.choice(growers)]
        weights = [float(farm.target_share) * rng.uniform(0.5, 1.5) for farm in offering]
        step = spec.lot_size or Decimal("1")
        total_lots = math.ceil(float(demand[slug]) * factor / float(step))
        for farm, lots in zip(offering, _share_out(total_lots, weights), strict=True):
            if lots:
                offers[farm.key].append(OfferDraft(slug, step * lots))
    for farm in FARMS:
        offered = {draft.product_slug for draft in offers[farm.key]}
        for slug in farm.crops:
            spec = _PRODUCT[slug]
            in_any_month = any(spec.season_mask[month - 1] == "1" for month in months)
            if slug in offered or not in_any_month or rng.random() > EXTRA_OFFER_PROBABILITY:
                continue
            lot = spec.lot_size or Decimal("5")
            offers[farm.key].append(OfferDraft(slug, lot * rng.randint(1, 4)))
    return dict(offers), frozenset(scarce)


def _share_out(count: int, weights: Sequence[float]) -> list[int]:
    """Split ``count`` whole crates in proportion to ``weights`` (largest remainders first)."""
    exact = [count * weight / sum(weights) for weight in weights]
    shares = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: shares[i] - exact[i])
    for index in by_remainder[: count - sum(shares)]:
        shares[index] += 1
    return shares


def draft_week(monday: dt.date, delivery_weekdays: Sequence[int], rng: random.Random) -> WeekDrafts:
    """Return what every canteen orders and every farm offers in the week starting ``monday``."""
    orders = {canteen.key: tuple(canteen_orders(canteen, monday, rng)) for canteen in CANTEENS}
    demand: dict[str, Decimal] = defaultdict(Decimal)
    for lines in orders.values():
        for line in lines:
            demand[line.product_slug] += line.quantity
    months = {(monday + dt.timedelta(days=day - 1)).month for day in delivery_weekdays}
    offers, scarce = farm_offers(demand, months, rng)
    return WeekDrafts(
        orders={key: lines for key, lines in orders.items() if lines},
        offers={key: tuple(lines) for key, lines in offers.items() if lines},
        scarce_slugs=scarce,
    )
