"""The demo's declarative data: coherent, plausible, and on real places."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import pytest

from pial.demo.places import CSV_NAME, demo_communes, read_communes_csv, shared_data_dir
from pial.demo.territory import (
    CANTEENS,
    COMMUNES,
    CONTRACT,
    FARMS,
    PLATFORM,
    PRODUCTS,
    Use,
    split_price,
)
from pial.models import ProductUnit


def test_six_farms_whose_target_shares_sum_to_one() -> None:
    assert len(FARMS) == 6
    assert sum(farm.target_share for farm in FARMS) == Decimal("1")
    assert len({farm.key for farm in FARMS}) == 6


def test_farms_grow_catalogue_products_and_every_product_has_a_grower() -> None:
    slugs = {product.slug for product in PRODUCTS}
    grown = {slug for farm in FARMS for slug in farm.crops}
    assert grown <= slugs
    assert grown == slugs


def test_about_forty_products_with_valid_season_masks() -> None:
    assert 38 <= len(PRODUCTS) <= 45
    assert len({product.slug for product in PRODUCTS}) == len(PRODUCTS)
    for product in PRODUCTS:
        assert len(product.season_mask) == 12 and set(product.season_mask) <= {"0", "1"}
        assert "1" in product.season_mask, product.slug
        assert product.unit_kg > 0
        if product.unit == ProductUnit.KG:
            assert product.unit_kg == 1


def test_seasons_follow_the_south_west_calendar() -> None:
    by_slug = {product.slug: product for product in PRODUCTS}
    months = {slug: {m + 1 for m, flag in enumerate(p.season_mask) if flag == "1"}
              for slug, p in by_slug.items()}
    assert months["tomate"] == {6, 7, 8}
    assert months["courgette"] == {6, 7, 8, 9}
    assert months["poireau"] == {9, 10, 11, 12, 1, 2, 3, 4}
    assert months["panais"] == {10, 11, 12, 1, 2}
    assert not months["laitue"] & {12, 1, 2}


def price_per_kg(slug: str) -> Decimal:
    product = next(p for p in PRODUCTS if p.slug == slug)
    return product.price_eur / product.unit_kg


@pytest.mark.parametrize(
    ("slugs", "low", "high"),
    [
        (("carotte", "pomme-de-terre", "betterave", "panais", "navet", "celeri-rave"), 1, 2),
        (("tomate", "courgette", "aubergine", "poivron", "concombre"), Decimal("2.5"), 4),
        (("laitue", "epinard", "mache", "persil", "blette", "radis"), 3, 6),
    ],
)
def test_prices_per_kg_are_plausible(slugs: tuple[str, ...], low: Decimal, high: Decimal) -> None:
    for slug in slugs:
        assert low <= price_per_kg(slug) <= high, (slug, price_per_kg(slug))


def test_price_components_sum_exactly_to_the_price() -> None:
    for product in PRODUCTS:
        parts = split_price(product.price_eur)
        assert parts.price_eur == product.price_eur
        assert parts.intermediation_fee_eur == (product.price_eur * Decimal("0.05")).quantize(
            Decimal("0.01")
        )
        assert min(parts.production_cost_eur, parts.margin_eur) > 0


def test_canteens_are_the_expected_kitchens() -> None:
    kinds = [canteen.kind.value for canteen in CANTEENS]
    assert len(CANTEENS) == 7
    assert kinds.count("school") == 4
    assert {"secondary_school", "nursing_home", "creche"} <= set(kinds)
    cite = next(c for c in CANTEENS if c.kind.value == "secondary_school")
    assert 300 <= cite.meals_per_day <= 600
    ehpad = next(c for c in CANTEENS if c.kind.value == "nursing_home")
    assert ehpad.meals_per_day == 150
    for canteen in CANTEENS:
        if canteen.kind.value == "school":
            assert 40 <= canteen.meals_per_day <= 120
        days = set(canteen.delivery_weekdays.split(","))
        assert days <= set(PLATFORM.delivery_weekdays.split(","))


def test_every_farm_can_reach_every_canteen_within_max_km() -> None:
    places = {commune.name: commune for commune in COMMUNES}
    for farm in FARMS:
        for canteen in CANTEENS:
            a, b = places[farm.commune], places[canteen.commune]
            road_km = PLATFORM.road_factor * great_circle_km(a.lat, a.lon, b.lat, b.lon)
            assert road_km < PLATFORM.max_km, (farm.name, canteen.name, road_km)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def test_contract_lines_are_catalogue_products() -> None:
    slugs = {product.slug for product in PRODUCTS}
    assert CONTRACT.years == 3
    assert {line.product_slug for line in CONTRACT.lines} <= slugs
    assert all(line.committed_min_per_year > 0 for line in CONTRACT.lines)


def test_embedded_coordinates_are_those_of_the_reference_csv() -> None:
    path = shared_data_dir() / CSV_NAME
    if not path.exists():
        pytest.skip(f"reference data absent from this checkout ({path})")
    from_csv = read_communes_csv(path, [commune.name for commune in COMMUNES])
    assert set(from_csv) == {commune.name for commune in COMMUNES}
    for commune in COMMUNES:
        assert from_csv[commune.name] == commune


def test_without_the_csv_the_embedded_table_is_used(tmp_path: Path) -> None:
    communes = demo_communes(tmp_path)
    assert communes == {commune.name: commune for commune in COMMUNES}


def test_a_csv_next_to_the_checkout_wins_over_the_embedded_copy(tmp_path: Path) -> None:
    (tmp_path / CSV_NAME).write_text(
        "insee,name,department,lat,lon,population\n31042,Bagnères-de-Luchon,31,42.8,0.6,2312\n",
        encoding="utf-8",
    )
    communes = demo_communes(tmp_path)
    assert (communes["Bagnères-de-Luchon"].lat, communes["Bagnères-de-Luchon"].lon) == (42.8, 0.6)
    assert communes["Saint-Mamet"] == next(c for c in COMMUNES if c.name == "Saint-Mamet")


def test_seasoning_products_are_never_the_meal_vegetable() -> None:
    for product in PRODUCTS:
        if product.slug in {"oignon", "ail", "persil"}:
            assert product.use == Use.SEASONING


def test_the_shared_data_folder_can_be_set_by_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIAL_SHARED_DATA", str(tmp_path))
    assert shared_data_dir() == tmp_path
    monkeypatch.delenv("PIAL_SHARED_DATA")
    assert shared_data_dir().parts[-2:] == ("shared", "data")
