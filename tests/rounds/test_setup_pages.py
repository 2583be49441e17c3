"""The rounds' set-up pages through HTTP: who sees them, what they save, what they refuse."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pial.models import DeliveryWindow, RoadDistance, Vehicle
from pial.rounds import services
from tests.allocation.scenario import MONDAY
from tests.rounds.conftest import Published

TRUCK = {
    "name": "Camion Transports Garonne", "farm_id": "", "depot_lat": "43,108",
    "depot_lon": "0,72", "capacity_kg": "3 000", "capacity_crates": "200",
    "free_from": "4:30", "free_until": "12:00", "cost_per_km_eur": "0,9",
    "cost_per_hour_eur": "30", "driver_name": "Marc", "driver_phone": "06 99 88 77 66",
}


def _count(db: Session, model: type[Any]) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_only_the_lead_sees_the_settings_and_only_growers_have_a_van_page(
    db: Session, make_user: Callable[..., Any], login: Any, client: Any
) -> None:
    lead, grower, canteen = make_user("lead"), make_user("grower"), make_user("canteen")
    login(lead)
    page = client.get("/tournees/reglages").get_data(as_text=True)
    assert "Véhicules" in page and "Points de collecte" in page
    assert "Créneaux de livraison des cantines" in page and "Distances par la route" in page
    home = client.get("/").get_data(as_text=True)
    assert 'href="/tournees/reglages"' in home  # the lead's menu
    assert client.get("/ma-camionnette").status_code == 403
    client.post("/deconnexion")

    login(grower)
    assert client.get("/tournees/reglages").status_code == 403
    assert client.get("/tournees/reglages/vehicules/nouveau").status_code == 403
    assert client.post("/tournees/reglages/distances/nouvelle", data={}).status_code == 403
    assert 'href="/ma-camionnette"' in client.get("/").get_data(as_text=True)
    client.post("/deconnexion")

    login(canteen)
    assert client.get("/ma-camionnette").status_code == 403


def test_the_lead_adds_the_partner_truck_and_a_wrong_one_is_refused(
    db: Session, make_user: Callable[..., Any], login: Any, client: Any
) -> None:
    login(make_user("lead"))
    assert client.get("/tournees/reglages/vehicules/nouveau").status_code == 200

    refused = client.post("/tournees/reglages/vehicules/nouveau", data={
        **TRUCK, "free_until": "4:00", "capacity_crates": "0"})

    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Libre jusqu&#39;à : doit suivre l&#39;heure « 04:30 »." in page
    assert "Capacité (caisses) : doit être supérieur à 0." in page
    assert 'value="Camion Transports Garonne"' in page  # what was typed is kept
    assert _count(db, Vehicle) == 0

    saved = client.post("/tournees/reglages/vehicules/nouveau", data=TRUCK)

    assert saved.status_code == 303 and saved.location.endswith("/tournees/reglages")
    truck = db.scalars(select(Vehicle)).one()
    assert truck.is_partner_truck and float(truck.capacity_kg) == 3000.0
    assert (truck.free_from_min, truck.depot_lat) == (270, 43.108)
    listing = client.get("/tournees/reglages").get_data(as_text=True)
    assert "Camion Transports Garonne" in listing and "04:30–12:00" in listing

    edit = client.get(f"/tournees/reglages/vehicules/{truck.id}").get_data(as_text=True)
    assert 'value="04:30"' in edit and 'value="3000"' in edit
    client.post(f"/tournees/reglages/vehicules/{truck.id}/actif", data={"active": "0"})
    db.refresh(truck)
    assert not truck.is_active
    assert client.get("/tournees/reglages/vehicules/999999").status_code == 404


def test_windows_points_and_roads_are_entered_through_their_pages(
    db: Session, published: Published, login: Any, client: Any
) -> None:
    scenario = published.scenario
    canteen, farm = scenario.canteens["luchon"], scenario.farms["luchon"]
    login(scenario.lead)

    window = client.post("/tournees/reglages/creneaux/nouveau", data={
        "canteen_id": str(canteen.id), "starts": "11:30", "ends": "12:30",
        "unloading_min": "20", "instructions": "Portail code 1234"})
    point = client.post("/tournees/reglages/points/nouveau", data={
        "name": "Ferme du Pic (relais)", "farm_id": str(farm.id), "opens": "5:00",
        "handover": "7:00", "closes": "11:00", "handling_min": "10"})
    itself = client.post("/tournees/reglages/distances/nouvelle", data={
        "place_a": f"farm:{farm.id}", "place_b": f"farm:{farm.id}", "distance_km": "4"})
    road = client.post("/tournees/reglages/distances/nouvelle", data={
        "place_a": f"farm:{farm.id}", "place_b": f"canteen:{canteen.id}",
        "distance_km": "7,5", "duration_min": "12"})

    assert (window.status_code, point.status_code, road.status_code) == (303, 303, 303)
    assert itself.status_code == 422
    assert "Lieu d&#39;arrivée : un lieu différent du lieu de départ est attendu." in (
        itself.get_data(as_text=True))
    assert _count(db, RoadDistance) == 1 and _count(db, DeliveryWindow) == 3
    listing = client.get("/tournees/reglages").get_data(as_text=True)
    assert "Portail code 1234" in listing and "Ferme du Pic (relais)" in listing
    assert "7,5" in listing and "Cité scolaire Luchon" in listing
    saved = db.scalars(select(DeliveryWindow).where(DeliveryWindow.starts_min == 690)).one()
    assert client.post(f"/tournees/reglages/creneaux/{saved.id}/supprimer").status_code == 303
    assert _count(db, DeliveryWindow) == 2


def test_a_grower_ticks_monday_off_and_no_longer_drives_monday(
    db: Session, published: Published, login: Any, client: Any
) -> None:
    iso_week = published.scenario.iso_week
    driving = services.day_rounds(iso_week, MONDAY).result.routes[0].vehicle_id
    key = next(key for key, van in published.vans.items() if str(van.id) == driving)
    sheet = f"/semaines/{iso_week}/tournees/{MONDAY.isoformat()}/{driving}"
    login(published.scenario.lead)
    assert client.get(sheet).status_code == 200
    client.post("/deconnexion")
    login(published.scenario.growers[key])

    form = client.get("/ma-camionnette").get_data(as_text=True)
    assert "Jours sans tournée" in form and 'value="05:00"' in form
    saved = client.post("/ma-camionnette", data={
        "capacity_kg": "800", "capacity_crates": "60", "free_from": "5:00",
        "free_until": "14:00", "driver_name": "Chauffeur", "driver_phone": "06 12 34 56 78",
        "days_off": ["1"]}, follow_redirects=True)

    page = saved.get_data(as_text=True)
    assert "Votre camionnette est enregistrée." in page
    assert "Vous ne conduisez pas : lundi." in page
    assert published.vans[key].days_off == "1"
    assert client.get(sheet).status_code == 404
    monday = services.day_rounds(iso_week, MONDAY)
    assert driving not in {route.vehicle_id for route in monday.result.routes}


def test_a_grower_sees_only_their_farm_s_van_and_a_wrong_entry_writes_nothing(
    db: Session, published: Published, login: Any, client: Any
) -> None:
    mine, theirs = published.vans["luchon"], published.vans["stgaudens"]
    login(published.scenario.growers["luchon"])

    assert client.get(f"/ma-camionnette/{theirs.id}").status_code == 404
    assert client.post(f"/ma-camionnette/{theirs.id}", data={
        "capacity_kg": "1", "days_off": ["2"]}).status_code == 404
    refused = client.post(f"/ma-camionnette/{mine.id}", data={
        "capacity_kg": "-5", "capacity_crates": "60", "free_from": "14:00",
        "free_until": "14:00", "days_off": ["2"]})

    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Capacité (kg) : doit être supérieur à 0." in page
    assert "Libre jusqu&#39;à : doit suivre l&#39;heure « 14:00 »." in page
    db.refresh(mine)
    db.refresh(theirs)
    assert (mine.days_off, float(mine.capacity_kg), theirs.days_off) == ("", 800.0, "")


def test_a_form_without_its_csrf_token_is_refused(
    db: Session, app: Flask, published: Published, login: Any, client: Any
) -> None:
    login(published.scenario.growers["luchon"])
    app.config["WTF_CSRF_ENABLED"] = True
    values = {"capacity_kg": "800", "capacity_crates": "60", "free_from": "5:00",
              "free_until": "14:00", "days_off": ["1"]}

    refused = client.post("/ma-camionnette", data=values)
    van = published.vans["luchon"]
    db.refresh(van)
    assert refused.status_code == 400 and van.days_off == ""

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/ma-camionnette").get_data(as_text=True))
    assert token is not None
    saved = client.post("/ma-camionnette", data={**values, "csrf_token": token.group(1)})
    assert saved.status_code == 303
    db.refresh(van)
    assert van.days_off == "1"


def test_the_van_page_and_its_refusals_read_in_english(
    db: Session, published: Published, login: Any, client: Any
) -> None:
    grower = published.scenario.growers["luchon"]
    grower.locale = "en"
    db.commit()
    login(grower)

    page = client.get("/ma-camionnette").get_data(as_text=True)
    refused = client.post("/ma-camionnette", data={
        "capacity_kg": "0", "capacity_crates": "60", "free_from": "5:00",
        "free_until": "14:00"}).get_data(as_text=True)

    assert "My van" in page and "Days without a round" in page and "Monday" in page
    assert "Capacity (kg): must be greater than 0." in refused


def test_a_van_of_a_farm_no_longer_active_keeps_its_farm_on_its_page(
    db: Session, published: Published, login: Any, client: Any
) -> None:
    van, farm = published.vans["luchon"], published.scenario.farms["luchon"]
    farm.is_active = False
    db.commit()
    login(published.scenario.lead)

    page = client.get(f"/tournees/reglages/vehicules/{van.id}").get_data(as_text=True)
    new = client.get("/tournees/reglages/vehicules/nouveau").get_data(as_text=True)

    assert f'<option selected value="{farm.id}">Ferme du Pic</option>' in page
    assert "Ferme du Pic" not in new
    saved = client.post(f"/tournees/reglages/vehicules/{van.id}", data={
        "name": van.name, "farm_id": str(farm.id), "capacity_kg": "900",
        "capacity_crates": "60", "free_from": "5:00", "free_until": "14:00",
        "cost_per_km_eur": "0,4", "cost_per_hour_eur": "15"})
    assert saved.status_code == 303
    db.refresh(van)
    assert (van.farm_id, float(van.capacity_kg)) == (farm.id, 900.0)
