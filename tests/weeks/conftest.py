"""Fixtures of the weekly cycle: a settable clock, products, an open week."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.conftest import SettableClock

WEEK = "2026-W48"  # Monday 23 November 2026
BEFORE_DEADLINES = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> SettableClock:
    """The app's clock, set to Monday 16 November 2026, before the deadlines of week 48."""
    return SettableClock(BEFORE_DEADLINES)


@pytest.fixture
def app_config(clock: SettableClock) -> dict[str, Any]:
    """Inject the settable clock into the app."""
    return {"PIAL_CLOCK": clock}


@pytest.fixture
def make_product(db: Session) -> Callable[..., Any]:
    """Create products: ``make_product("carotte", season_mask=..., unit=...)``."""
    from pial.models import Product

    def factory(slug: str, **values: Any) -> Product:
        values.setdefault("name_fr", slug.capitalize())
        values.setdefault("unit", "kg")
        values.setdefault("unit_kg", Decimal("1"))
        values.setdefault("lot_size", Decimal("10"))
        values.setdefault("season_mask", "1" * 12)
        product = Product(slug=slug, **values)
        db.add(product)
        db.flush()
        return product

    return factory


@pytest.fixture
def products(make_product: Callable[..., Any]) -> dict[str, Any]:
    """Carrots and leeks (all year), tomatoes (June–September only)."""
    return {
        "carotte": make_product("carotte"),
        "poireau": make_product("poireau", unit="bunch", lot_size=Decimal("12")),
        "tomate": make_product("tomate", season_mask="000001111000"),
    }


@pytest.fixture
def open_week(app_context: None, db: Session) -> Any:
    """Week 48 of 2026, open."""
    from pial.weeks.opening import open_week as open_week_service

    return open_week_service(WEEK)
