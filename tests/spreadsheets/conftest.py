"""Fixtures of the spreadsheet tests: a small territory with a published week.

Published plans are written as rows (a run and its lines), so that every figure of the
exports is known in advance; offers and orders go through the weekly services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pial.models import (
    AllocationLine,
    AllocationRun,
    Canteen,
    CanteenGroup,
    Contract,
    ContractLine,
    CoordinatorAssignment,
    DeliveryWeek,
    Farm,
    LedgerEntry,
    LedgerKind,
    OrderLine,
    Price,
    Product,
    ProductUnit,
    Receipt,
    RunStatus,
    RunTrigger,
    Season,
    User,
    WeekState,
)

ISO_WEEK = "2026-W48"
MONDAY = dt.date(2026, 11, 23)
THURSDAY = dt.date(2026, 11, 26)
PUBLISHED_DT = dt.datetime(2026, 11, 21, 13, 5, tzinfo=dt.UTC)  # 14:05 in Paris
BEFORE_DEADLINES = dt.datetime(2026, 11, 16, 8, 0, tzinfo=dt.UTC)  # Monday of the week before
SEASON_PRICES = {"carotte": "1.80", "poireau": "2.50", "salade": "1.20", "pomme": "2.00"}
CONTRACT_CARROT_PRICE = Decimal("1.60")  # 1.30 + 0.20 + 0.10: the school buys its carrots so


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Run every spreadsheet test on Monday 16 November 2026, before week 48's deadlines."""
    return {"PIAL_CLOCK": lambda: BEFORE_DEADLINES}


@dataclass
class World:
    """The rows of the test territory."""

    season: Season
    week: DeliveryWeek
    products: dict[str, Product]
    farms: dict[str, Farm]
    canteens: dict[str, Canteen]
    lead: User
    coordinator: User  # a grower of the coordinating farm
    grower: User  # a grower of the other farm
    manager: User  # the manager of canteen "ecole"
    other_manager: User  # the manager of canteen "ehpad"
    run: AllocationRun  # the current published run (version 2)
    old_run: AllocationRun  # version 1, superseded
    contract: Contract  # the group of the school buys its carrots under it

    def sold_value(self, line: AllocationLine) -> Decimal:
        """Return what the canteen pays for a line: the contract's price, else the season's."""
        under_contract = (
            line.canteen_id == self.canteens["ecole"].id
            and line.product_id == self.products["carotte"].id
        )
        price = (
            CONTRACT_CARROT_PRICE if under_contract
            else Decimal(SEASON_PRICES[line.product.slug])
        )
        return (line.quantity * price).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _product(slug: str, name: str, unit: ProductUnit, unit_kg: str, lot: str | None) -> Product:
    return Product(
        slug=slug,
        name_fr=name,
        unit=unit,
        unit_kg=Decimal(unit_kg),
        lot_size=Decimal(lot) if lot else None,
        family="fruits_legumes",
        season_mask="1" * 12,
        is_organic=slug != "pomme",
    )


def add_line(
    db: Session,
    run: AllocationRun,
    farm: Farm,
    canteen: Canteen,
    product: Product,
    day: dt.date,
    quantity: str,
    price: str,
    distance_km: float,
) -> AllocationLine:
    """Add an allocation line whose value is quantity × price."""
    line = AllocationLine(
        run=run,
        farm_id=farm.id,
        canteen_id=canteen.id,
        product_id=product.id,
        day=day,
        quantity=Decimal(quantity),
        distance_km=distance_km,
        value_eur=(Decimal(quantity) * Decimal(price)).quantize(Decimal("0.01")),
    )
    db.add(line)
    return line


def make_week(db: Session, iso_week: str, monday: dt.date, state: WeekState) -> DeliveryWeek:
    """Add a delivery week with deadlines the Thursday, Friday and Saturday before."""
    year, number, _ = monday.isocalendar()
    week = DeliveryWeek(
        iso_week=iso_week,
        year=year,
        week_number=number,
        monday_date=monday,
        state=state,
        availability_deadline_dt=dt.datetime.combine(
            monday - dt.timedelta(days=4), dt.time(11), dt.UTC
        ),
        order_deadline_dt=dt.datetime.combine(monday - dt.timedelta(days=3), dt.time(11), dt.UTC),
        publish_fallback_dt=dt.datetime.combine(monday - dt.timedelta(days=2), dt.time(11), dt.UTC),
    )
    db.add(week)
    db.flush()
    return week


def make_run(
    db: Session, week: DeliveryWeek, sequence: int, version: int | None, published_dt: dt.datetime
) -> AllocationRun:
    """Add a run of ``week``, published as ``version`` (None: not published)."""
    run = AllocationRun(
        week_id=week.id,
        sequence=sequence,
        status=RunStatus.OPTIMAL,
        trigger=RunTrigger.MANUAL,
        instance_json="{}",
        result_json="{}",
        published_version=version,
        published_dt=published_dt if version else None,
    )
    db.add(run)
    db.flush()
    return run


@pytest.fixture
def world(
    db: Session,
    make_farm: Callable[..., Farm],
    make_canteen: Callable[..., Canteen],
    make_user: Callable[..., User],
) -> World:
    """Build the territory, week 48 open for offers (W49) and published (W48)."""
    products = {
        "carotte": _product("carotte", "Carotte", ProductUnit.KG, "1", "10"),
        "poireau": _product("poireau", "Poireau", ProductUnit.KG, "1", None),
        "salade": _product("salade", "Salade batavia", ProductUnit.PIECE, "0.4", "12"),
        "pomme": _product("pomme", "Pomme", ProductUnit.KG, "1", None),
    }
    db.add_all(products.values())
    season = Season(
        code="2026-2027", start_date=dt.date(2026, 8, 31), end_date=dt.date(2027, 8, 29)
    )
    db.add(season)
    db.flush()
    for slug, price in SEASON_PRICES.items():
        total = Decimal(price)
        db.add(
            Price(
                season_id=season.id,
                product_id=products[slug].id,
                production_cost_eur=total - Decimal("0.30"),
                margin_eur=Decimal("0.20"),
                intermediation_fee_eur=Decimal("0.10"),
            )
        )
    farms = {
        "pradet": make_farm(name="Ferme du Pradet", target_share=Decimal("0.6")),
        "injection": make_farm(name='=HYPERLINK("http://x")', target_share=Decimal("0.4")),
    }
    canteens = {
        "ecole": make_canteen(name="École de Luchon", siret="21310329600014"),
        "ehpad": make_canteen(name="EHPAD de Saint-Mamet", siret=None),
    }
    week = make_week(db, ISO_WEEK, MONDAY, WeekState.PUBLISHED)
    db.add(CoordinatorAssignment(week_id=week.id, farm_id=farms["pradet"].id))
    old_run = make_run(db, week, 1, 1, PUBLISHED_DT - dt.timedelta(days=1))
    run = make_run(db, week, 2, 2, PUBLISHED_DT)
    pradet, other = farms["pradet"], farms["injection"]
    ecole, ehpad = canteens["ecole"], canteens["ehpad"]
    carotte, poireau, salade = products["carotte"], products["poireau"], products["salade"]
    add_line(db, old_run, pradet, ecole, carotte, MONDAY, "99", "1.80", 10.0)
    add_line(db, run, pradet, ecole, carotte, MONDAY, "20", "1.80", 12.5)
    add_line(db, run, other, ecole, carotte, MONDAY, "10", "1.80", 30.0)
    add_line(db, run, other, ecole, salade, MONDAY, "24", "1.20", 30.0)
    add_line(db, run, pradet, ehpad, poireau, THURSDAY, "15", "2.50", 8.0)
    received = add_line(db, run, other, ecole, salade, THURSDAY, "12", "1.20", 30.0)
    db.flush()
    db.add(Receipt(allocation_line_id=received.id, received_quantity=Decimal("10")))
    for canteen, product, day, quantity in (
        (ecole, carotte, MONDAY, "30"),
        (ecole, salade, MONDAY, "24"),
        (ehpad, poireau, THURSDAY, "20"),  # 15 planned: a shortfall of 5
        (ehpad, carotte, THURSDAY, "6"),  # nothing planned: a shortfall of 6
    ):
        db.add(
            OrderLine(
                week_id=week.id,
                canteen_id=canteen.id,
                product_id=product.id,
                day=day,
                quantity=Decimal(quantity),
            )
        )
    db.add_all(
        [
            LedgerEntry(farm_id=pradet.id, week_id=week.id, kind=LedgerKind.ALLOCATION,
                        amount_eur=Decimal("3.50"), balance_after_eur=Decimal("12.25")),
            LedgerEntry(farm_id=other.id, week_id=week.id, kind=LedgerKind.ALLOCATION,
                        amount_eur=Decimal("-3.50"), balance_after_eur=Decimal("-12.25")),
        ]
    )  # fmt: skip
    group = CanteenGroup(name="Cuisines de Luchon", canteens=[ecole])
    contract = Contract(
        title="Lot 3 — légumes racines",
        canteen_group=group,
        start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2027, 7, 31),
    )
    contract.lines.append(
        ContractLine(
            product_id=carotte.id,
            committed_min_quantity_per_year=Decimal("600"),
            production_cost_eur=Decimal("1.30"),
            margin_eur=Decimal("0.20"),
            intermediation_fee_eur=Decimal("0.10"),
        )
    )
    db.add_all([group, contract])
    db.flush()
    lead = make_user("lead")
    coordinator = make_user("grower", farm=pradet)
    grower = make_user("grower", farm=other)
    manager = make_user("canteen", canteen=ecole)
    other_manager = make_user("canteen", canteen=ehpad)
    return World(
        season, week, products, farms, canteens, lead, coordinator, grower, manager,
        other_manager, run, old_run, contract,
    )  # fmt: skip
