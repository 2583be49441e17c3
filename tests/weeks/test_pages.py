"""The week pages through HTTP: offer, copy, deadlines, ownership, roles, conflicts, orders."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from pial.models import AvailabilityLine, OrderLine, OrderPriority, StandingOrderLine, WeekState
from pial.weeks import calendar, offers, opening
from pial.weeks.offers import AvailabilityInput
from tests.weeks.conftest import WEEK

MONDAY = dt.date(2026, 11, 23)
OFFER_URL = f"/semaine/{WEEK}/offre"
ORDER_URL = f"/semaine/{WEEK}/commande"


def version_in(html: str) -> str:
    """Return the version token of the page's main form."""
    versions = re.findall(r'name="version" value="([^"]*)"', html)
    assert versions, "no version field on the page"
    return versions[-1]


def saved_offer(db: Any, farm_id: int) -> dict[str, Decimal]:
    """Return the farm's any-day offer of week 48 as {slug: quantity}."""
    db.expire_all()
    lines = db.scalars(select(AvailabilityLine).where(AvailabilityLine.farm_id == farm_id))
    return {
        line.product.slug: line.quantity
        for line in lines
        if line.day is None and line.week.iso_week == WEEK
    }


def test_grower_edits_the_offer_with_a_decimal_comma(
    client: Any, db: Any, login: Any, make_user: Any, products: dict[str, Any], open_week: Any
) -> None:
    grower = make_user("grower")
    login(grower)
    page = client.get(OFFER_URL)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'inputmode="decimal"' in html and "Carotte" in html and "Caisse de 10" in html
    assert "Tomate" not in html  # out of season in November
    assert "jeudi 19 novembre à 12 h 00" in html
    carrot, leek = products["carotte"].id, products["poireau"].id
    response = client.post(
        OFFER_URL,
        data={"version": version_in(html), f"q-{carrot}": "12,5", f"q-{leek}": " 1 234,25 "},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 produits enregistrés" in text
    assert saved_offer(db, grower.farm_id) == {
        "carotte": Decimal("12.5"),
        "poireau": Decimal("1234.25"),
    }
    assert 'value="12,5"' in text  # shown back the French way
    response = client.post(
        OFFER_URL,
        data={"version": version_in(text), f"q-{carrot}": "12,5", f"q-{leek}": ""},
        follow_redirects=True,
    )
    assert "1 produit enregistré, 1 retiré" in response.get_data(as_text=True)
    assert saved_offer(db, grower.farm_id) == {"carotte": Decimal("12.5")}


def test_bad_number_is_refused_and_the_typed_values_kept(
    client: Any, db: Any, login: Any, make_user: Any, products: dict[str, Any], open_week: Any
) -> None:
    grower = make_user("grower")
    login(grower)
    version = version_in(client.get(OFFER_URL).get_data(as_text=True))
    carrot, leek = products["carotte"].id, products["poireau"].id
    response = client.post(
        OFFER_URL, data={"version": version, f"q-{carrot}": "-3", f"q-{leek}": "7,5"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "est négatif" in html and "rien n&#39;a été enregistré" in html
    assert 'value="7,5"' in html and 'value="-3"' in html
    assert saved_offer(db, grower.farm_id) == {}


def test_last_week_is_suggested_then_copied(
    client: Any, db: Any, clock: Any, login: Any, make_user: Any, products: dict[str, Any]
) -> None:
    grower = make_user("grower")
    clock.moment = dt.datetime(2026, 11, 9, 9, 0, tzinfo=dt.UTC)
    opening.open_week("2026-W47")
    offers.save_availability(
        grower, grower.farm_id, "2026-W47", [AvailabilityInput(products["carotte"].id, 20)]
    )
    clock.moment = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)
    opening.open_week(WEEK)
    login(grower)
    html = client.get(OFFER_URL).get_data(as_text=True)
    assert "Suggestion" in html and 'value="20"' in html
    assert saved_offer(db, grower.farm_id) == {}  # a suggestion is not saved
    response = client.post(
        f"{OFFER_URL}/copier", data={"version": version_in(html)}, follow_redirects=True
    )
    assert "Offre précédente copiée : 1 produit enregistré" in response.get_data(as_text=True)
    assert saved_offer(db, grower.farm_id) == {"carotte": Decimal("20")}


def test_offer_is_read_only_after_the_deadline(
    client: Any, db: Any, clock: Any, login: Any, make_user: Any, products: dict[str, Any],
    open_week: Any,
) -> None:  # fmt: skip
    grower = make_user("grower")
    login(grower)
    version = version_in(client.get(OFFER_URL).get_data(as_text=True))
    clock.moment = dt.datetime(2026, 11, 19, 12, 0, tzinfo=dt.UTC)
    html = client.get(OFFER_URL).get_data(as_text=True)
    assert "Lecture seule" in html and "est passée" in html
    assert 'inputmode="decimal"' not in html
    response = client.post(OFFER_URL, data={"version": version, f"q-{products['carotte'].id}": "5"})
    assert response.status_code == 409
    assert "les offres ne sont plus modifiables" in response.get_data(as_text=True)
    assert saved_offer(db, grower.farm_id) == {}


def test_grower_cannot_see_nor_save_another_farm(
    client: Any, db: Any, login: Any, make_user: Any, make_farm: Any, products: dict[str, Any],
    open_week: Any,
) -> None:  # fmt: skip
    grower = make_user("grower")
    other = make_farm()
    login(grower)
    assert client.get(f"{OFFER_URL}?ferme={other.id}").status_code == 403
    response = client.post(OFFER_URL, data={"ferme": other.id, f"q-{products['carotte'].id}": "5"})
    assert response.status_code == 403
    assert saved_offer(db, other.id) == {}


def test_wrong_roles_are_refused(
    client: Any, login: Any, make_user: Any, products: dict[str, Any], open_week: Any
) -> None:
    login(make_user("canteen"))
    assert client.get(OFFER_URL).status_code == 403
    assert client.get("/semaines").status_code == 403
    assert client.get(ORDER_URL).status_code == 200


def test_grower_cannot_order_nor_manage_weeks(
    client: Any, login: Any, make_user: Any, open_week: Any
) -> None:
    login(make_user("grower"))
    assert client.get(ORDER_URL).status_code == 403
    assert client.get("/commandes-permanentes").status_code == 403
    assert client.post(f"/semaines/{WEEK}/clore").status_code == 403


def test_stale_offer_shows_the_other_change_and_keeps_the_typed_values(
    client: Any, db: Any, login: Any, make_user: Any, products: dict[str, Any], open_week: Any
) -> None:
    alice = make_user("grower", display_name="Alice Martin")
    bob = make_user("grower", farm=alice.farm, display_name="Bob Durand")
    carrot = products["carotte"].id
    login(alice)
    version = version_in(client.get(OFFER_URL).get_data(as_text=True))
    offers.save_availability(bob, bob.farm_id, WEEK, [AvailabilityInput(carrot, 15)])
    response = client.post(OFFER_URL, data={"version": version, f"q-{carrot}": "9,5"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Bob Durand a modifié cette offre" in html
    assert "Valeur enregistrée entre-temps : 15" in html
    assert 'value="9,5"' in html  # nothing the user typed is lost
    assert saved_offer(db, alice.farm_id) == {"carotte": Decimal("15")}
    response = client.post(
        OFFER_URL, data={"version": version_in(html), f"q-{carrot}": "9,5"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert saved_offer(db, alice.farm_id) == {"carotte": Decimal("9.5")}


def test_my_offer_shortcut_goes_to_the_open_week(
    client: Any, login: Any, make_user: Any, open_week: Any
) -> None:
    login(make_user("grower"))
    response = client.get("/semaine/offre")
    assert response.status_code == 302 and response.location.endswith(OFFER_URL)


def test_no_open_week_page(client: Any, login: Any, make_user: Any) -> None:
    login(make_user("canteen"))
    response = client.get("/semaine/commande")
    assert response.status_code == 200
    assert "Aucune semaine ouverte" in response.get_data(as_text=True)


# --- Canteen pages ---------------------------------------------------------------------------


def test_canteen_orders_per_day_and_sees_prices(
    client: Any, db: Any, login: Any, make_user: Any, products: dict[str, Any], open_week: Any
) -> None:
    canteen_user = make_user("canteen")
    login(canteen_user)
    html = client.get(ORDER_URL).get_data(as_text=True)
    assert "lundi 23 novembre" in html and "jeudi 26 novembre" in html
    carrot = products["carotte"].id
    response = client.post(
        ORDER_URL,
        data={
            "version": version_in(html),
            f"q-{carrot}-2026-11-23": "4,5",
            f"q-{carrot}-2026-11-26": "6",
        },
        follow_redirects=True,
    )
    assert "2 lignes de commande enregistrées" in response.get_data(as_text=True)
    db.expire_all()
    lines = db.scalars(select(OrderLine).where(OrderLine.canteen_id == canteen_user.canteen_id))
    assert sorted((ln.day, ln.quantity, ln.priority) for ln in lines) == [
        (MONDAY, Decimal("4.5"), OrderPriority.REGULAR),
        (dt.date(2026, 11, 26), Decimal("6"), OrderPriority.REGULAR),
    ]


def test_order_refused_after_the_deadline(
    client: Any, db: Any, clock: Any, login: Any, make_user: Any, products: dict[str, Any],
    open_week: Any,
) -> None:  # fmt: skip
    login(make_user("canteen"))
    clock.moment = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.UTC)
    html = client.get(ORDER_URL).get_data(as_text=True)
    assert "Lecture seule" in html and "vendredi 20 novembre à 12 h 00" in html
    response = client.post(ORDER_URL, data={f"q-{products['carotte'].id}-2026-11-23": "4"})
    assert response.status_code == 409
    assert db.scalars(select(OrderLine)).all() == []


def test_canteen_cannot_open_another_canteen_order(
    client: Any, login: Any, make_user: Any, make_canteen: Any, open_week: Any
) -> None:
    other = make_canteen()
    login(make_user("canteen"))
    assert client.get(f"{ORDER_URL}?cantine={other.id}").status_code == 403
    assert client.get(f"/commandes-permanentes?cantine={other.id}").status_code == 403


def test_standing_orders_page_then_week_opening(
    client: Any, db: Any, login: Any, make_user: Any, products: dict[str, Any]
) -> None:
    canteen_user = make_user("canteen")
    login(canteen_user)
    html = client.get("/commandes-permanentes").get_data(as_text=True)
    assert "Chaque lundi" in html and "Chaque jeudi" in html
    carrot = products["carotte"].id
    response = client.post(
        "/commandes-permanentes",
        data={"version": version_in(html), f"q-{carrot}-4": "7,25"},
        follow_redirects=True,
    )
    assert "1 ligne permanente enregistrée" in response.get_data(as_text=True)
    db.expire_all()
    standing = db.scalars(select(StandingOrderLine)).all()
    assert [(s.weekday, s.quantity) for s in standing] == [(4, Decimal("7.25"))]
    opening.open_week(WEEK)
    db.expire_all()
    order = db.scalars(select(OrderLine)).all()
    assert [(o.day, o.quantity) for o in order] == [(dt.date(2026, 11, 26), Decimal("7.25"))]


# --- Lead pages ------------------------------------------------------------------------------


def test_lead_opens_and_closes_weeks(client: Any, db: Any, login: Any, make_user: Any) -> None:
    login(make_user("lead"))
    response = client.post(
        "/semaines/nouvelle", data={"iso_week": "2026-w48"}, follow_redirects=True
    )
    assert "Semaine 48 ouverte" in response.get_data(as_text=True)
    week = calendar.get_week(WEEK)
    assert week.state == WeekState.OPEN
    html = client.get("/semaines").get_data(as_text=True)
    assert "semaine 48 (23–29 nov.)" in html and "Clore" in html
    unconfirmed = client.post(f"/semaines/{WEEK}/clore", follow_redirects=True)
    assert "Cochez la case pour confirmer" in unconfirmed.get_data(as_text=True)
    db.expire_all()
    assert calendar.get_week(WEEK).state == WeekState.OPEN
    client.post(f"/semaines/{WEEK}/clore", data={"confirm": "y"})
    db.expire_all()
    assert calendar.get_week(WEEK).state == WeekState.CLOSED
    response = client.post(f"/semaines/{WEEK}/clore", data={"confirm": "y"},
                           follow_redirects=True)
    assert "La semaine 48 est close : elle ne peut pas passer" in response.get_data(as_text=True)
    client.post(f"/semaines/{WEEK}/rouvrir")
    db.expire_all()
    assert calendar.get_week(WEEK).state == WeekState.OPEN


def test_lead_edits_a_farm_offer_after_the_deadline(
    client: Any, db: Any, clock: Any, login: Any, make_user: Any, make_farm: Any,
    products: dict[str, Any], open_week: Any,
) -> None:  # fmt: skip
    farm = make_farm()
    login(make_user("lead"))
    assert "Offre de quelle ferme" in client.get(OFFER_URL).get_data(as_text=True)
    clock.moment = dt.datetime(2026, 11, 19, 12, 0, tzinfo=dt.UTC)
    html = client.get(f"{OFFER_URL}?ferme={farm.id}").get_data(as_text=True)
    response = client.post(
        f"{OFFER_URL}?ferme={farm.id}",
        data={"version": version_in(html), f"q-{products['carotte'].id}": "3"},
        follow_redirects=True,
    )
    assert "1 produit enregistré" in response.get_data(as_text=True)
    assert saved_offer(db, farm.id) == {"carotte": Decimal("3")}


def test_grower_offers_day_by_day(
    client: Any, db: Any, login: Any, make_user: Any, products: dict[str, Any], open_week: Any
) -> None:
    grower = make_user("grower")
    login(grower)
    html = client.get(f"{OFFER_URL}?par_jour=1").get_data(as_text=True)
    carrot = products["carotte"].id
    assert f'name="q-{carrot}-2026-11-26"' in html and "Toute la semaine" in html
    response = client.post(
        OFFER_URL,
        data={
            "version": version_in(html),
            "par_jour": "1",
            f"q-{carrot}": "6",
            f"q-{carrot}-2026-11-23": "4,5",
        },
        follow_redirects=True,
    )
    assert "2 produits enregistrés" in response.get_data(as_text=True)
    db.expire_all()
    lines = db.scalars(select(AvailabilityLine).where(AvailabilityLine.farm_id == grower.farm_id))
    assert sorted((str(ln.day), ln.quantity) for ln in lines) == [
        ("2026-11-23", Decimal("4.5")),
        ("None", Decimal("6")),
    ]
    # Saved per-day lines keep the page in day-by-day mode, so nothing is silently dropped.
    html = client.get(OFFER_URL).get_data(as_text=True)
    assert re.search(rf'name="q-{carrot}-2026-11-23"\s+value="4,5"', html)
