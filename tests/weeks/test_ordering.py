"""The canteen orders with eyes open: what growers offer, what others took, a running total."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.models import (
    AvailabilityLine,
    Contract,
    ContractLine,
    OrderLine,
    Price,
    Season,
    StandingOrderLine,
)
from pial.weeks.orders import week_market
from tests.weeks.conftest import WEEK
from tests.weeks.test_pages import version_in

MONDAY, THURSDAY = dt.date(2026, 11, 23), dt.date(2026, 11, 26)
ORDER_URL = f"/semaine/{WEEK}/commande"


def _text(page: str) -> str:
    """Return the page's text as read: tags dropped, entities decoded, blanks collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture
def market(
    db: Session, open_week: Any, products: dict[str, Any], make_farm: Any, make_canteen: Any
) -> dict[str, Any]:
    """Carrots: 40 kg on Monday, 100 kg for the whole week; another canteen took 60 on Monday."""
    farm, other = make_farm(), make_canteen(name="Collège voisin")
    carrot = products["carotte"]
    db.add_all([
        AvailabilityLine(week_id=open_week.id, farm_id=farm.id, product_id=carrot.id,
                         day=MONDAY, quantity=Decimal(40)),
        AvailabilityLine(week_id=open_week.id, farm_id=farm.id, product_id=carrot.id,
                         day=None, quantity=Decimal(100)),
        OrderLine(week_id=open_week.id, canteen_id=other.id, product_id=carrot.id, day=MONDAY,
                  quantity=Decimal(60)),
        OrderLine(week_id=open_week.id, canteen_id=other.id, product_id=carrot.id, day=THURSDAY,
                  quantity=Decimal(30)),
    ])  # fmt: skip
    season = Season(code="2026-2027", start_date=dt.date(2026, 9, 1), end_date=dt.date(2027, 8, 31))
    db.add(season)
    db.flush()
    db.add_all([
        Price(season_id=season.id, product_id=carrot.id, production_cost_eur=Decimal("1.20"),
              margin_eur=Decimal("0.20"), intermediation_fee_eur=Decimal("0.10")),
        Price(season_id=season.id, product_id=products["poireau"].id,
              production_cost_eur=Decimal("1.70"), margin_eur=Decimal("0.20"),
              intermediation_fee_eur=Decimal("0.10")),
    ])  # fmt: skip
    db.commit()
    return {"week": open_week, "carrot": carrot, "other": other}


def test_the_market_counts_day_offers_then_the_whole_week_pool(
    db: Session, market: dict[str, Any], make_canteen: Any
) -> None:
    mine = make_canteen()
    seen = week_market(market["week"], mine.id)
    carrot = market["carrot"].id
    # Monday: 40 of the day + 100 of the week offered; the other canteen's 60 took the day's
    # 40 and 20 of the pool, its 30 on Thursday 30 more: 50 left in the pool for any day.
    assert seen[(carrot, MONDAY)].offered == 140
    assert seen[(carrot, MONDAY)].ordered_by_others == 60
    assert seen[(carrot, MONDAY)].available == 50
    assert seen[(carrot, THURSDAY)].offered == 100
    assert seen[(carrot, THURSDAY)].ordered_by_others == 30
    assert seen[(carrot, THURSDAY)].available == 50
    # The other canteen does not count its own orders as taken.
    assert week_market(market["week"], market["other"].id)[(carrot, MONDAY)].available == 140


def test_order_page_shows_the_offer_warns_beyond_it_and_totals_without_javascript(
    client: Any, db: Session, login: Any, make_user: Any, market: dict[str, Any],
    products: dict[str, Any],
) -> None:  # fmt: skip
    manager = make_user("canteen")
    carrot, leek = market["carrot"].id, products["poireau"].id
    db.add(StandingOrderLine(canteen_id=manager.canteen_id, product_id=leek, weekday=1,
                             quantity=Decimal(5)))  # fmt: skip
    db.commit()
    login(manager)
    page = client.get(ORDER_URL).get_data(as_text=True)
    text = _text(page)
    # Usual products (the standing order's leeks) come first, then the rest in season.
    assert text.index("Vos produits habituels") < text.index("Poireau") < text.index(
        "Autres produits de saison") < text.index("Carotte")  # fmt: skip
    assert "offert 140 déjà pris 60" in text and "offert 100 déjà pris 30" in text
    response = client.post(ORDER_URL, data={
        "version": version_in(page), f"q-{carrot}-2026-11-23": "500", f"q-{leek}-2026-11-23": "4",
    }, follow_redirects=True)  # fmt: skip
    saved = _text(response.get_data(as_text=True))
    assert "2 lignes de commande enregistrées" in saved
    assert "Attention : au-delà de ce que les producteurs offrent aujourd'hui" in saved
    assert "Carotte (lundi 23) : 500 kg pour 50 disponibles" in saved
    assert "au-delà du reste (50)" in saved
    # 500 kg of carrots at 1,50 € and 4 bunches of leeks (1 kg each) at 2,00 €.
    assert re.search(r"Total de la semaine : 504 kg · 758,00\s€", saved), saved[-800:]
    db.expire_all()
    assert db.scalar(select(OrderLine.quantity).where(
        OrderLine.canteen_id == manager.canteen_id, OrderLine.product_id == carrot)) == 500


def test_a_contract_line_beyond_the_offer_is_saved_with_a_warning(
    client: Any, db: Session, login: Any, make_user: Any, market: dict[str, Any]
) -> None:
    manager = make_user("canteen")
    contract = Contract(title="Lot carottes", canteen_id=manager.canteen_id,
                        start_date=dt.date(2026, 9, 1), end_date=dt.date(2027, 8, 31))  # fmt: skip
    db.add(contract)
    db.flush()
    db.add(ContractLine(contract_id=contract.id, product_id=market["carrot"].id,
                        committed_min_quantity_per_year=Decimal(500),
                        production_cost_eur=Decimal("1.2"), margin_eur=Decimal("0.3"),
                        intermediation_fee_eur=Decimal("0.1")))  # fmt: skip
    db.commit()
    login(manager)
    page = client.get(ORDER_URL).get_data(as_text=True)
    assert "contrat" in page
    response = client.post(ORDER_URL, data={
        "version": version_in(page), f"q-{market['carrot'].id}-2026-11-26": "80"},
        follow_redirects=True)  # fmt: skip
    saved = _text(response.get_data(as_text=True))
    assert "1 ligne de commande enregistrée" in saved
    assert "les lignes sous contrat sont servies en premier" in saved
