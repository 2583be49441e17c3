"""An English-speaking user reads the services' refusals in English on the pages."""

from __future__ import annotations

from typing import Any

from tests.weeks.conftest import WEEK

OFFER_URL = f"/semaine/{WEEK}/offre"


def test_a_refused_offer_is_explained_in_english(
    client: Any, login: Any, make_user: Any, products: dict[str, Any], open_week: Any
) -> None:
    grower = make_user("grower", locale="en")
    login(grower)
    page = client.get(OFFER_URL).get_data(as_text=True)
    version = page.split('name="version" value="')[-1].split('"')[0]
    response = client.post(
        OFFER_URL, data={"version": version, f"q-{products['carotte'].id}": "-3"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "is negative: enter a positive quantity or 0." in html
    assert "Some quantities need correcting: nothing was saved." in html
    assert "est négatif" not in html


def test_the_error_page_speaks_english_and_french(
    client: Any, login: Any, make_user: Any, open_week: Any
) -> None:
    login(make_user("grower", locale="en"))
    english = client.get("/semaine/2099-W01/offre")
    assert english.status_code == 404
    assert "Week 2099-W01 does not exist yet." in english.get_data(as_text=True)
    client.post("/deconnexion")
    login(make_user("grower", locale="fr"))
    french = client.get("/semaine/2099-W01/offre").get_data(as_text=True)
    assert "La semaine 2099-W01 n&#39;existe pas encore." in french


def test_a_save_is_summed_up_in_english(
    client: Any, login: Any, make_user: Any, products: dict[str, Any], open_week: Any
) -> None:
    login(make_user("grower", locale="en"))
    page = client.get(OFFER_URL).get_data(as_text=True)
    version = page.split('name="version" value="')[-1].split('"')[0]
    carrot, leek = products["carotte"].id, products["poireau"].id
    response = client.post(
        OFFER_URL,
        data={"version": version, f"q-{carrot}": "12", f"q-{leek}": "7,5"},
        follow_redirects=True,
    )
    assert "2 products saved (2 new)." in response.get_data(as_text=True)


def test_unit_plurals_follow_the_language(app: Any) -> None:
    from decimal import Decimal

    from flask_babel import force_locale

    from pial.models import Product, ProductUnit
    from pial.weeks.blueprint import unit_label

    piece = Product(name_fr="Chou", unit=ProductUnit.PIECE)
    with app.test_request_context("/"):
        assert [unit_label(piece, Decimal(q)) for q in ("0", "1", "1.5", "2")] == [
            "pièce", "pièce", "pièce", "pièces",
        ]
        with force_locale("en"):
            assert [unit_label(piece, Decimal(q)) for q in ("0", "1", "1.5", "2")] == [
                "pieces", "piece", "pieces", "pieces",
            ]
            assert unit_label(piece) == "piece"
