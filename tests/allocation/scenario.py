"""A small closed week to allocate: three farms, two canteens, three products, two days.

Shared by the allocation and delivery tests. Coordinates are real places of the Comminges:
Bagnères-de-Luchon, Saint-Gaudens and Montréjeau.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from pial.models import (
    AvailabilityLine,
    Canteen,
    CoordinatorAssignment,
    DeliveryWeek,
    Farm,
    OrderLine,
    OrderPriority,
    Platform,
    Price,
    Product,
    Season,
    User,
    WeekState,
)

ISO_WEEK = "2026-W48"
MONDAY = dt.date(2026, 11, 23)
THURSDAY = dt.date(2026, 11, 26)
UTC_NOON = dt.datetime(2026, 11, 20, 11, 0, tzinfo=dt.UTC)
# The scenario's "now": the week has closed and no delivery day has come, so a re-plan may
# still move every line. Its tests run on this clock, never on the machine's (the week is a
# real one: on the machine's clock its Monday passes, and its lines would become delivered).
AFTER_CLOSE = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
# Two days before the week's deadlines: the API and security tests edit its offers and orders.
BEFORE_DEADLINES = dt.datetime(2026, 11, 18, 9, 0, tzinfo=dt.UTC)


def scenario_app_config(moment: dt.datetime = AFTER_CLOSE) -> dict[str, Any]:
    """Return the app configuration of the scenario's tests: its clock, stopped at ``moment``."""
    return {"PIAL_CLOCK": lambda: moment}


@dataclass
class Scenario:
    """The records of the scenario, by role."""

    week: DeliveryWeek
    farms: dict[str, Farm]
    canteens: dict[str, Canteen]
    products: dict[str, Product]
    lead: User
    growers: dict[str, User]
    managers: dict[str, User]

    @property
    def iso_week(self) -> str:
        """Return the week label."""
        return self.week.iso_week


def build_scenario(db: Session, make_user: Any, *, lots: bool = False) -> Scenario:
    """Create the week (state « close ») and everything it needs; commit it."""
    db.add(Platform(territory_name="Comminges", max_km=80.0, time_limit_s=10.0))
    season = Season(code="2026-2027", start_date=dt.date(2026, 9, 1),
                    end_date=dt.date(2027, 8, 31))
    db.add(season)
    products = {
        "carotte": Product(slug="carotte", name_fr="Carotte", unit="kg",
                           unit_kg=Decimal(1), lot_size=Decimal(5) if lots else None),
        "poireau": Product(slug="poireau", name_fr="Poireau", unit="kg", unit_kg=Decimal(1)),
        "salade": Product(slug="salade", name_fr="Salade", unit="piece",
                          unit_kg=Decimal("0.3")),
    }
    db.add_all(products.values())
    db.flush()
    for slug, cost in (("carotte", "1.50"), ("poireau", "2.20"), ("salade", "0.80")):
        db.add(Price(season_id=season.id, product_id=products[slug].id,
                     production_cost_eur=Decimal(cost), margin_eur=Decimal("0.30"),
                     intermediation_fee_eur=Decimal("0.10")))
    farms = {
        "luchon": Farm(name="Ferme du Pic", commune="Bagnères-de-Luchon", lat=42.790,
                       lon=0.594, target_share=Decimal("0.3333")),
        "stgaudens": Farm(name="Jardins de la Garonne", commune="Saint-Gaudens", lat=43.108,
                          lon=0.723, target_share=Decimal("0.3333")),
        "montrejeau": Farm(name="Maraîchers de Montréjeau", commune="Montréjeau", lat=43.085,
                           lon=0.568, target_share=Decimal("0.3334")),
    }
    canteens = {
        "luchon": Canteen(name="Cité scolaire Luchon", kind="secondary_school",
                          commune="Bagnères-de-Luchon", lat=42.795, lon=0.596),
        "stgaudens": Canteen(name="Collège Leclerc", kind="secondary_school",
                             commune="Saint-Gaudens", lat=43.106, lon=0.728),
    }
    db.add_all([*farms.values(), *canteens.values()])
    week = DeliveryWeek(
        iso_week=ISO_WEEK, year=2026, week_number=48, monday_date=MONDAY,
        state=WeekState.CLOSED, availability_deadline_dt=UTC_NOON,
        order_deadline_dt=UTC_NOON, publish_fallback_dt=UTC_NOON, closed_dt=UTC_NOON,
    )
    db.add(week)
    db.flush()
    offers = [
        ("luchon", "carotte", 60), ("luchon", "poireau", 30), ("luchon", "salade", 80),
        ("stgaudens", "carotte", 60), ("stgaudens", "poireau", 40),
        ("montrejeau", "carotte", 50), ("montrejeau", "salade", 60),
    ]
    for farm, product, quantity in offers:
        db.add(AvailabilityLine(week_id=week.id, farm_id=farms[farm].id,
                                product_id=products[product].id, quantity=Decimal(quantity)))
    orders = [
        ("luchon", "carotte", MONDAY, 40, OrderPriority.CONTRACT),
        ("luchon", "salade", MONDAY, 50, OrderPriority.REGULAR),
        ("luchon", "poireau", THURSDAY, 20, OrderPriority.REGULAR),
        ("stgaudens", "carotte", MONDAY, 50, OrderPriority.CONTRACT),
        ("stgaudens", "poireau", THURSDAY, 30, OrderPriority.REGULAR),
        ("stgaudens", "carotte", THURSDAY, 30, OrderPriority.REGULAR),
        ("stgaudens", "salade", THURSDAY, 40, OrderPriority.REGULAR),
    ]
    for canteen, product, day, quantity, priority in orders:
        db.add(OrderLine(week_id=week.id, canteen_id=canteens[canteen].id,
                         product_id=products[product].id, day=day,
                         quantity=Decimal(quantity), priority=priority))
    db.add(CoordinatorAssignment(week_id=week.id, farm_id=farms["stgaudens"].id))
    db.flush()
    scenario = Scenario(
        week=week,
        farms=farms,
        canteens=canteens,
        products=products,
        lead=make_user("lead"),
        growers={key: make_user("grower", farm=farm) for key, farm in farms.items()},
        managers={key: make_user("canteen", canteen=c) for key, c in canteens.items()},
    )
    db.commit()
    return scenario
