"""What the simulated canteens order and the simulated farms offer."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from pial.demo.menus import canteen_orders, days_covered, draft_week, to_units
from pial.demo.territory import CANTEENS, FARMS, PRODUCTS

CANTEEN = {canteen.key: canteen for canteen in CANTEENS}
PRODUCT = {product.slug: product for product in PRODUCTS}
SCHOOL_WEEK = dt.date(2026, 11, 16)  # ISO week 47
TOUSSAINT = dt.date(2026, 10, 26)  # ISO week 44


def test_each_delivery_feeds_the_serving_days_until_the_next_one() -> None:
    assert days_covered(CANTEEN["ehpad-luchon"]) == {1: 3, 4: 4}  # Mon–Wed, Thu–Sun
    assert days_covered(CANTEEN["cite-scolaire"]) == {1: 3, 4: 2}
    assert days_covered(CANTEEN["ecole-saint-mamet"]) == {1: 2, 4: 2}  # no Wednesday
    assert days_covered(CANTEEN["ecole-montrejeau"]) == {1: 4}


def test_schools_do_not_order_in_the_holidays_but_the_nursing_home_does() -> None:
    rng = random.Random(1)
    assert canteen_orders(CANTEEN["cite-scolaire"], TOUSSAINT, rng) == []
    assert canteen_orders(CANTEEN["ecole-cierp-gaud"], TOUSSAINT, rng) == []
    assert canteen_orders(CANTEEN["ehpad-luchon"], TOUSSAINT, rng)


def test_orders_are_in_season_on_delivery_days_in_whole_crates() -> None:
    rng = random.Random(7)
    for canteen in CANTEENS:
        lines = canteen_orders(canteen, SCHOOL_WEEK, rng)
        assert lines, canteen.key
        weekdays = {int(day) for day in canteen.delivery_weekdays.split(",")}
        for line in lines:
            product = PRODUCT[line.product_slug]
            assert line.day.isoweekday() in weekdays
            assert product.season_mask[line.day.month - 1] == "1"
            assert line.quantity > 0
            if product.lot_size:
                assert line.quantity % product.lot_size == 0


def test_order_volumes_follow_meals_and_portions() -> None:
    rng = random.Random(3)
    cite_kg = sum(
        float(line.quantity * PRODUCT[line.product_slug].unit_kg)
        for line in canteen_orders(CANTEEN["cite-scolaire"], SCHOOL_WEEK, rng)
    )
    creche_kg = sum(
        float(line.quantity * PRODUCT[line.product_slug].unit_kg)
        for line in canteen_orders(CANTEEN["creche-les-isards"], SCHOOL_WEEK, rng)
    )
    # 450 meals × 5 days × (170 g cooked + 40 g raw) × 45 % bought locally ≈ 210 kg a week.
    assert 150 <= cite_kg <= 280
    assert creche_kg < cite_kg / 5


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("monday", [SCHOOL_WEEK, TOUSSAINT, dt.date(2027, 6, 14)])
def test_offers_cover_demand_except_for_the_scarce_products(seed: int, monday: dt.date) -> None:
    drafts = draft_week(monday, (1, 4), random.Random(seed))
    demand: dict[str, Decimal] = {}
    for lines in drafts.orders.values():
        for line in lines:
            demand[line.product_slug] = demand.get(line.product_slug, Decimal(0)) + line.quantity
    supply: dict[str, Decimal] = {}
    for farm_key, offers in drafts.offers.items():
        crops = next(farm.crops for farm in FARMS if farm.key == farm_key)
        for offer in offers:
            assert offer.product_slug in crops
            product = PRODUCT[offer.product_slug]
            assert offer.quantity % (product.lot_size or 1) == 0
            supply[offer.product_slug] = supply.get(offer.product_slug, Decimal(0)) + offer.quantity
    short = {slug for slug, quantity in demand.items() if supply.get(slug, Decimal(0)) < quantity}
    assert short <= drafts.scarce_slugs
    assert demand, "somebody orders every week"


def test_the_same_seed_drafts_the_same_week() -> None:
    first = draft_week(SCHOOL_WEEK, (1, 4), random.Random(5))
    second = draft_week(SCHOOL_WEEK, (1, 4), random.Random(5))
    assert first == second


def test_to_units_rounds_to_whole_crates() -> None:
    assert to_units(PRODUCT["carotte"], 12.4) == Decimal("10")
    assert to_units(PRODUCT["carotte"], 2.4) == Decimal("0")
    assert to_units(PRODUCT["laitue"], 0.35 * 20) == Decimal("24")
    assert to_units(PRODUCT["persil"], 0.3) == Decimal("2")


def test_the_nursing_home_always_orders_at_least_its_standing_lines() -> None:
    ehpad = CANTEEN["ehpad-luchon"]
    for seed in range(5):
        lines = canteen_orders(ehpad, SCHOOL_WEEK, random.Random(seed))
        for usual in ehpad.standing:
            day = SCHOOL_WEEK + dt.timedelta(days=usual.weekday - 1)
            ordered = [line.quantity for line in lines
                       if line.product_slug == usual.product_slug and line.day == day]
            assert len(ordered) == 1 and ordered[0] >= usual.quantity
