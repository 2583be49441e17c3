"""« Mes produits »: the farm's own products first on its offer form, the rest one tap away."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.errors import Forbidden
from pial.models import FarmProduct
from pial.weeks.offers import AvailabilityInput, my_product_ids, save_availability, save_my_products
from tests.weeks.conftest import WEEK

OFFER_URL = f"/semaine/{WEEK}/offre"


@pytest.fixture
def catalogue(make_product: Any) -> dict[str, Any]:
    """Products whose French order differs from the code-point order."""
    names = ["Courge", "Céleri", "Échalote", "Epinard", "Ail", "Zucchini"]
    return {name: make_product(name.lower(), name_fr=name) for name in names}


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_offers_teach_my_products_and_the_grower_edits_them(
    db: Session, open_week: Any, catalogue: dict[str, Any], make_user: Any
) -> None:
    grower = make_user("grower")
    assert my_product_ids(grower.farm_id) == set()
    save_availability(grower, grower.farm_id, WEEK, [
        AvailabilityInput(catalogue["Céleri"].id, Decimal(10)),
        AvailabilityInput(catalogue["Ail"].id, Decimal(0)),
    ])  # fmt: skip
    assert my_product_ids(grower.farm_id) == {catalogue["Céleri"].id}
    learnt = db.scalars(select(FarmProduct)).one()
    assert learnt.learnt is True
    added, removed = save_my_products(
        grower, grower.farm_id, {catalogue["Ail"].id, catalogue["Courge"].id}
    )
    assert (added, removed) == (2, 1)
    assert my_product_ids(grower.farm_id) == {catalogue["Ail"].id, catalogue["Courge"].id}
    other = make_user("grower")
    with pytest.raises(Forbidden):
        save_my_products(other, grower.farm_id, set())


def test_offer_form_shows_my_products_first_in_french_order_and_the_rest_folded(
    client: Any, login: Any, open_week: Any, catalogue: dict[str, Any], make_user: Any
) -> None:
    grower = make_user("grower")
    login(grower)
    # Without « mes produits » every product shows, in French order.
    text = _text(client.get(OFFER_URL).get_data(as_text=True))
    positions = [text.index(f"{name} (kg)") for name in
                 ["Ail", "Céleri", "Courge", "Échalote", "Epinard", "Zucchini"]]  # fmt: skip
    assert positions == sorted(positions)
    assert "Choisir mes produits" in text

    page = client.get("/mes-produits").get_data(as_text=True)
    assert "Ce que je cultive" in page
    response = client.post("/mes-produits", data={
        "produit": [catalogue["Échalote"].id, catalogue["Courge"].id]}, follow_redirects=True)
    assert "Mes produits enregistrés : 2 produits" in _text(response.get_data(as_text=True))

    page = client.get(OFFER_URL).get_data(as_text=True)
    mine, _, folded = page.partition('<details class="other-products"')
    assert "Courge" in mine and "Échalote" in mine and mine.index("Courge") < mine.index("Échalote")
    assert "Céleri" not in mine and "Céleri" in folded
    assert "Autres produits de saison (4)" in _text(folded)
    # The folded products are still in the form: an offer typed there is saved.
    celeriac = catalogue["Céleri"].id
    assert f'name="q-{celeriac}"' in folded
