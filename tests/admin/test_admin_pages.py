"""The project lead maintains settings, catalogue, prices, farms, canteens and accounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select


@pytest.fixture
def lead(make_user: Any, login: Any) -> Any:
    user = make_user("lead")
    login(user)
    return user


def test_only_the_lead_reaches_admin_pages(client: Any, make_user: Any, login: Any) -> None:
    login(make_user("grower"))
    for path in ("/admin/parametres", "/admin/fermes", "/admin/produits", "/admin/comptes"):
        assert client.get(path).status_code == 403, path


def test_settings_accept_french_numbers_and_are_audited(client: Any, lead: Any, db: Any) -> None:
    from pial.models import AuditLog, Platform

    page = client.get("/admin/parametres")
    assert page.status_code == 200
    form = {
        "territory_name": "Comminges",
        "delivery_weekdays": ["1", "4"],
        "availability_deadline_weekday": "4",
        "availability_deadline_time": "12:00",
        "order_deadline_weekday": "5",
        "order_deadline_time": "12:00",
        "publish_fallback_weekday": "6",
        "publish_fallback_time": "10:00",
        "max_km": "62,5",
        "road_factor": "1,3",
        "max_growers_per_line": "",
        "ledger_catch_up": "0,5",
        "weight_distance": "1",
        "weight_fairness": "2",
        "weight_deliveries": "0",
        "weight_stability": "0",
        "time_limit_s": "10",
        "default_fee_rate": "0,06",
        "default_fund_rate": "0,01",
        "local_radius_km": "80",
    }
    platform = db.scalar(select(Platform))
    form["version_id"] = str(platform.version_id)
    response = client.post("/admin/parametres", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.expire_all()
    platform = db.scalar(select(Platform))
    assert platform.max_km == 62.5
    assert platform.local_radius_km == 80
    assert platform.default_fee_rate == Decimal("0.0600")
    assert platform.delivery_weekdays == "1,4"
    assert platform.publish_fallback_time == dt.time(10, 0)
    audit = db.scalar(select(AuditLog).where(AuditLog.action == "platform.update"))
    assert audit is not None and "62.5" in (audit.after_json or "")


def test_stale_edit_is_refused_and_shows_the_other_change(
    client: Any, lead: Any, make_farm: Any, db: Any
) -> None:
    farm = make_farm(name="Ferme du Pic")
    seen_version = farm.version_id
    farm.name = "Ferme du Pic (renommée)"
    db.commit()

    form = {
        "name": "Ferme du Pic — ma version",
        "commune": "Saint-Mamet",
        "lat": "42,78",
        "lon": "0,60",
        "is_active": "y",
        "version_id": str(seen_version),
    }
    response = client.post(f"/admin/fermes/{farm.id}", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Quelqu&#39;un d&#39;autre a modifié cette fiche" in page
    assert "Ferme du Pic (renommée)" in page
    db.expire_all()
    assert farm.name == "Ferme du Pic (renommée)"


def test_create_product_with_season_and_crate(client: Any, lead: Any, db: Any) -> None:
    from pial.models import Product

    response = client.post(
        "/admin/produits/nouveau",
        data={
            "slug": "panais",
            "name_fr": "Panais",
            "unit": "kg",
            "unit_kg": "1",
            "lot_size": "5",
            "season_months": ["10", "11", "12", "1", "2"],
            "is_organic": "y",
            "is_active": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    product = db.scalar(select(Product).where(Product.slug == "panais"))
    assert product.season_mask == "110000000111"
    assert product.lot_size == Decimal("5.000")


def test_duplicate_product_code_is_refused_with_the_field_named(
    client: Any, lead: Any, db: Any
) -> None:
    from pial.models import Product

    db.add(Product(slug="carotte", name_fr="Carotte", unit="kg", unit_kg=Decimal(1)))
    db.commit()
    response = client.post(
        "/admin/produits/nouveau",
        data={"slug": "carotte", "name_fr": "Carotte 2", "unit": "kg", "unit_kg": "1"},
    )
    assert "déjà utilisé" in response.get_data(as_text=True)
    assert len(db.scalars(select(Product).where(Product.name_fr.like("Carotte%"))).all()) == 1


def test_price_is_the_sum_of_its_components(client: Any, lead: Any, db: Any) -> None:
    from pial.models import Price, Product, Season

    season = Season(code="2026-2027", start_date=dt.date(2026, 9, 1), end_date=dt.date(2027, 8, 31))
    product = Product(slug="poireau", name_fr="Poireau", unit="kg", unit_kg=Decimal(1))
    db.add_all([season, product])
    db.commit()
    response = client.post(
        f"/admin/prix/{season.id}/{product.id}",
        data={
            "production_cost_eur": "1,60",
            "margin_eur": "0,30",
            "intermediation_fee_eur": "0,20",
        },
    )
    assert response.status_code == 302
    price = db.scalar(select(Price).where(Price.product_id == product.id))
    assert price.price_eur == Decimal("2.10")
    listing = client.get(f"/admin/prix/{season.id}").get_data(as_text=True)
    assert "2,10\u00a0€" in listing


def test_canteen_creation_and_deactivating_an_account(
    client: Any, lead: Any, make_user: Any, db: Any
) -> None:
    from pial.models import Canteen

    response = client.post(
        "/admin/cantines/nouvelle",
        data={
            "name": "École de Saint-Mamet",
            "kind": "school",
            "commune": "Saint-Mamet",
            "lat": "42.7769",
            "lon": "0.6036",
            "meals_per_day": "60",
            "delivery_weekdays": ["1", "4"],
            "is_active": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    canteen = db.scalar(select(Canteen).where(Canteen.name == "École de Saint-Mamet"))
    assert canteen.delivery_weekdays == "1,4"

    grower = make_user("grower")
    client.post(f"/admin/comptes/{grower.id}/activation", data={"active": "0"})
    db.expire_all()
    assert grower.is_active is False
    refused = client.post(f"/admin/comptes/{lead.id}/activation", data={"active": "0"})
    assert refused.status_code == 302
    db.expire_all()
    assert lead.is_active is True


def test_an_unknown_record_is_a_404_page_not_a_crash(client: Any, lead: Any) -> None:
    response = client.get("/admin/prix/999999/999999")
    assert response.status_code == 404
    assert "n&#39;existe pas" in response.get_data(as_text=True)
    assert client.get("/admin/fermes/999999").status_code == 404


def test_form_choices_follow_the_users_language(client: Any, make_user: Any, login: Any) -> None:
    """Choices built when the modules load are translated when the form is drawn."""
    login(make_user("lead", locale="en"))
    english = client.get("/admin/cantines/nouvelle").get_data(as_text=True)
    assert ">Care home</option>" in english and ">Secondary school</option>" in english
    assert "Monday" in english and "EHPAD" not in english and "lundi" not in english
    settings = client.get("/admin/parametres").get_data(as_text=True)
    assert ">Wednesday</option>" in settings and "mercredi" not in settings
    invitation = client.get("/invitations/nouvelle").get_data(as_text=True)
    assert ">Canteen manager</option>" in invitation
    client.post("/deconnexion")
    login(make_user("lead"))
    french = client.get("/admin/cantines/nouvelle").get_data(as_text=True)
    assert ">EHPAD</option>" in french and ">Collège, lycée</option>" in french
    assert "lundi" in french and "Care home" not in french and "Monday" not in french
