"""Small instance builders, and the ``kit`` fixture that hands them to the tests with the
independent plan checker (:mod:`tests.solver.checker`) and reference optimum
(:mod:`tests.solver.reference`).
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest

from solver.problem import (
    AllocationRow,
    Availability,
    Canteen,
    Distance,
    Grower,
    OrderLine,
    Problem,
    Product,
    Settings,
    Weights,
)
from tests.solver.checker import (
    check_plan,
    rows_of,
    spec_distance_km,
    spec_shares,
    spec_weighted,
)
from tests.solver.reference import reference_optimum

DAY1, DAY2 = "2026-11-23", "2026-11-24"


def product(pid: str = "carotte", price: float = 2.0, lot: float | None = None,
            unit_kg: float = 1.0) -> Product:
    """Return a product priced per kg."""
    return Product(pid, pid.title(), "kg", unit_kg, price, lot)


def grower(gid: str, share: float | None = None, ledger_eur: float = 0.0) -> Grower:
    """Return a grower; coordinates are irrelevant when distances are given."""
    return Grower(gid, gid, 43.0, 0.6, share, ledger_eur)


def canteen(cid: str) -> Canteen:
    """Return a canteen; coordinates are irrelevant when distances are given."""
    return Canteen(cid, cid, 43.1, 0.6)


def week(
    *,
    products: list[Product],
    growers: list[Grower],
    canteens: list[Canteen],
    offers: list[tuple[str, str, float] | tuple[str, str, float, str]],
    orders: list[tuple[str, str, str, float] | tuple[str, str, str, float, str]],
    km: dict[tuple[str, str], float],
    weights: Weights | None = None,
    **settings: Any,
) -> Problem:
    """Return a week from compact tuples: offers (grower, product, qty[, day]), orders
    (canteen, product, day, qty[, priority]) and distances {(grower, canteen): km}."""
    return Problem(
        week="2026-W48",
        products=tuple(products),
        growers=tuple(growers),
        canteens=tuple(canteens),
        availability=tuple(
            Availability(o[0], o[1], o[2], o[3] if len(o) > 3 else None)  # type: ignore[misc]
            for o in offers
        ),
        orders=tuple(
            OrderLine(o[0], o[1], o[2], o[3], o[4] if len(o) > 4 else "regular")  # type: ignore[misc,arg-type]
            for o in orders
        ),
        distances_km=tuple(Distance(g, c, d) for (g, c), d in km.items()),
        settings=Settings(weights=weights or Weights(), **settings),
    )


def random_week(seed: int, num_growers: int, num_canteens: int, num_products: int,
                *, lots: bool, time_limit_s: float = 10.0) -> Problem:
    """Return a reproducible random week on a 40 × 40 km square, two delivery days."""
    import random

    rng = random.Random(seed)

    def spot() -> tuple[float, float]:
        return 43.0 + rng.uniform(0, 0.36), 0.5 + rng.uniform(0, 0.49)

    products = [Product(f"p{i}", f"P{i}", "kg", 1.0, rng.choice([1.5, 2.0, 3.0, 4.5]),
                        rng.choice([1, 5, 10]) if lots else None) for i in range(num_products)]
    growers = [Grower(f"g{i}", f"G{i}", *spot(), target_share=1.0) for i in range(num_growers)]
    canteens = [Canteen(f"c{i}", f"C{i}", *spot()) for i in range(num_canteens)]
    offers = [Availability(g.id, p.id, float(rng.randint(20, 200)))
              for g in growers for p in products if rng.random() < 0.5]
    orders = [OrderLine(c.id, p.id, day, float(rng.randint(5, 60)),
                        "contract" if rng.random() < 0.4 else "regular")
              for c in canteens for p in products if rng.random() < 0.5 for day in (DAY1, DAY2)]
    settings = Settings(
        max_km=60.0, max_growers_per_line=3 if lots else None, time_limit_s=time_limit_s,
        weights=Weights(distance=1.0, fairness=1.0, deliveries=20.0 if lots else 0.0),
    )
    return Problem("2026-W48", tuple(products), tuple(growers), tuple(canteens),
                   tuple(offers), tuple(orders), settings=settings)


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """Return the builders, the independent checker and the independent reference optimum."""
    return SimpleNamespace(
        DAY1=DAY1, DAY2=DAY2, product=product, grower=grower, canteen=canteen, week=week,
        rows_of=rows_of, random_week=random_week, check_plan=check_plan,
        reference_optimum=reference_optimum,
        spec_weighted=spec_weighted, spec_shares=spec_shares, spec_distance_km=spec_distance_km,
        AllocationRow=AllocationRow, replace=replace,
    )
