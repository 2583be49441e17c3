"""The home page tells each person what is expected of them this week."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pial.home.services import time_left_text

WEEK = "2026-W48"  # Monday 23 November 2026; offers close Thursday 19 November at noon
MONDAY_BEFORE = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)  # 10:00 in Paris


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Freeze the clock on Monday 16 November 2026, before week 48's deadlines."""
    return {"PIAL_CLOCK": lambda: MONDAY_BEFORE}


@pytest.fixture
def week(db: Session) -> Any:
    """Week 48, open."""
    from pial.weeks.opening import open_week

    return open_week(WEEK)


@pytest.fixture
def carrot(db: Session) -> Any:
    """A product in season all year."""
    from pial.models import Product

    product = Product(slug="carotte", name_fr="Carotte", unit="kg", unit_kg=Decimal(1),
                      lot_size=Decimal(10), season_mask="1" * 12)
    db.add(product)
    db.flush()
    return product


def test_time_left_reads_in_days_and_hours(app: Any) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert time_left_text(dt.timedelta(days=3, hours=2, minutes=10)) == "3 jours 2 h"
        assert time_left_text(dt.timedelta(days=1, hours=5)) == "1 jour 5 h"
        assert time_left_text(dt.timedelta(hours=4, minutes=7)) == "4 h 7 min"
        assert time_left_text(dt.timedelta(minutes=12)) == "12 min"
        assert time_left_text(dt.timedelta(minutes=-3)) == "échue"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert time_left_text(dt.timedelta(days=2, hours=1)) == "2 days 1 h"


def test_grower_sees_the_missing_offer_then_the_declared_one(
    client: Any, make_farm: Any, make_user: Any, login: Any, week: Any, carrot: Any
) -> None:
    from pial.weeks.offers import AvailabilityInput, save_availability

    farm = make_farm()
    grower = make_user("grower", farm_id=farm.id)
    login(grower)
    page = client.get("/").get_data(as_text=True)
    assert "offre pas encore déclarée" in page
    # Deadline Thursday 19 November 12:00 Paris, now Monday 10:00 Paris: 3 days 2 hours.
    assert "Il reste 3 jours 2 h" in page
    assert "Déclarer mon offre" in page

    save_availability(grower, farm.id, WEEK, [AvailabilityInput(carrot.id, Decimal("20"))])
    page = client.get("/").get_data(as_text=True)
    assert "offre déclarée (1 produit)" in page
    assert "Modifier mon offre" in page


def test_canteen_sees_its_order_status(
    client: Any, make_canteen: Any, make_user: Any, login: Any, week: Any
) -> None:
    canteen = make_canteen()
    login(make_user("canteen", canteen_id=canteen.id))
    page = client.get("/").get_data(as_text=True)
    assert "pas encore de commande" in page
    assert "Passer ma commande" in page
    assert "le planning n'est pas encore publié" in page


def test_lead_sees_the_weeks_and_the_missing_offers_after_the_deadline(
    app: Any, client: Any, make_farm: Any, make_user: Any, login: Any, week: Any
) -> None:
    make_farm()
    login(make_user("lead"))
    page = client.get("/").get_data(as_text=True)
    assert "semaine 48 (23–29 nov.)" in page
    assert "ouverte aux offres et commandes" in page
    assert "sans offre" not in page

    app.config["PIAL_CLOCK"] = lambda: MONDAY_BEFORE + dt.timedelta(days=4)
    page = client.get("/").get_data(as_text=True)
    assert "1 ferme(s) sans offre alors que la date limite est passée" in page
