"""The season pages: the lead's season, plan and lots; « mon plan de culture »; who sees what."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.demo import DEMO_PASSWORD
from pial.models import Contract, PlanProposal, SeasonPlan
from pial.season import services
from tests.season.conftest import COMING, Demo


def sign_in(client: FlaskClient, local_part: str) -> FlaskClient:
    response = client.post("/connexion", data={"email": f"{local_part}@demo.pial.example",
                                               "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def flashes(response: Any) -> list[str]:
    return re.findall(r'class="flash[^"]*">([^<]*)<', response.get_data(as_text=True))


def test_the_lead_solves_publishes_and_downloads_the_plan(client: FlaskClient, db: Session,
                                                          demo: Demo) -> None:
    sign_in(client, "coordination")
    page = client.get("/saison/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Saison 2027-2028" in text
    assert "Contrôle sur la saison 2025-2026" in text

    solved = client.post(f"/saison/{COMING}/plan", data={
        "service_level": "0.90", "max_share_percent": "60", "advance_percent": "20",
        "scenarios": "100"}, follow_redirects=True)
    assert solved.status_code == 200, flashes(solved)
    plan = db.scalars(select(SeasonPlan)).one()
    assert "Plan n°1" in solved.get_data(as_text=True) and plan.service_level == Decimal("0.90")
    published = client.post(f"/saison/plans/{plan.id}/publier", follow_redirects=True)
    assert "Plan publié" in " ".join(flashes(published))
    workbook = client.get(f"/saison/plans/{plan.id}.xlsx")
    book = load_workbook(io.BytesIO(workbook.data))
    assert book.sheetnames == ["Plan", "Par ferme", "Couverture"]
    assert book["Plan"].max_row - 3 == len(plan.lines)


def test_a_grower_reads_its_plan_and_proposes_a_change(client: FlaskClient, db: Session,
                                                       demo: Demo) -> None:
    plan = services.solve_season_plan(demo.lead, COMING, services.PlanChoices(scenarios=100))
    services.publish_plan(demo.lead, plan.id)
    grower = demo.user("jb.sabatier")
    sign_in(client, "jb.sabatier")

    page = client.get("/saison/mon-plan", follow_redirects=True)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Mon plan de culture" in text and "Laitue" in text
    lettuce = demo.lot.lines[-1].product
    sent = client.post(f"/saison/{COMING}/fermes/{grower.farm_id}/proposition", data={
        "product_id": lettuce.id, "first_day": "2027-09-06", "last_day": "2027-10-04",
        "weekly_quantity": "150", "note": "La serre est prête en septembre"},
        follow_redirects=True)
    assert "Proposition envoyée" in " ".join(flashes(sent))
    proposal = db.scalars(select(PlanProposal)).one()
    assert (proposal.farm_id, proposal.weekly_quantity) == (grower.farm_id, 150)
    other = demo.farm("Ferme de Valentine")
    assert client.get(f"/saison/{COMING}/fermes/{other.id}").status_code == 403
    for lead_only in ("/saison/", f"/saison/plans/{plan.id}", "/saison/lots"):
        assert client.get(lead_only).status_code == 403


def test_a_grower_declares_a_crop_and_weeks_off(client: FlaskClient, demo: Demo) -> None:
    grower = demo.user("elodie.fourcade")
    sign_in(client, "elodie.fourcade")
    carrot = demo.lot.lines[0].product
    url = f"/saison/{COMING}/fermes/{grower.farm_id}/cultures"

    saved = client.post(url, data={"product_id": carrot.id, "max_weekly": "80",
                                   "area_m2": "1 200", "yield_per_m2": "3,5"},
                        follow_redirects=True)
    assert "Culture enregistrée." in flashes(saved)
    assert "1\u202f200 m² × 3,5 = 4\u202f200" in saved.get_data(as_text=True) or \
        "1 200 m² × 3,5 = 4 200" in saved.get_data(as_text=True)
    refused = client.post(url, data={"product_id": carrot.id, "area_m2": "50"},
                          follow_redirects=True)
    assert any("surface et le rendement" in message for message in flashes(refused))
    weeks = client.post(f"/saison/{COMING}/fermes/{grower.farm_id}/semaines-sans-livraison",
                        data={"off-weeks": "31, 32"}, follow_redirects=True)
    assert "Semaines sans livraison enregistrées (2)." in flashes(weeks)


def test_the_lead_answers_the_lot_and_wins_it(client: FlaskClient, db: Session,
                                              demo: Demo) -> None:
    sign_in(client, "coordination")
    lot_url = f"/saison/lots/{demo.lot.id}"
    assert "Peut-on s'engager" in client.get(lot_url).get_data(as_text=True)

    answered = client.post(f"{lot_url}/repondre", data={"confidence": "0.90"},
                           follow_redirects=True)
    text = answered.get_data(as_text=True)
    assert "Réponse calculée sur 10000 saisons simulées" in " ".join(flashes(answered))
    assert "Qui porte le risque" in text and "Mandataire" in text
    assert client.get(f"{lot_url}/reponse.xlsx").status_code == 200
    won = client.post(f"{lot_url}/gagne", follow_redirects=True)
    contract = db.scalars(select(Contract).where(Contract.title == demo.lot.title)).one()
    assert won.status_code == 200 and contract.lines
    assert f"/contrats/{contract.id}" in won.request.path


def test_the_lead_enters_a_lot_by_hand(client: FlaskClient, db: Session, demo: Demo) -> None:
    sign_in(client, "coordination")
    buyer = demo.user("cuisine.ehpad").canteen_id
    created = client.post("/saison/lots/nouveau", data={
        "title": "Lot 2 – EHPAD", "buyer": f"canteen:{buyer}", "delivery_weekdays": "1,4",
        "years": "1", "start_date": "2027-08-30", "confidence": "0.99", "lead_farm_id": ""},
        follow_redirects=True)
    assert "Lot enregistré." in flashes(created)
    lot_id = int(created.request.path.rsplit("/", 1)[1])
    carrot = demo.lot.lines[0].product
    added = client.post(f"/saison/lots/{lot_id}/lignes", data={
        "product_id": carrot.id, "yearly_estimate": "250"}, follow_redirects=True)
    assert "Produit enregistré" in " ".join(flashes(added))
    bad = client.post("/saison/lots/nouveau", data={
        "title": "Lot 3", "buyer": f"canteen:{buyer}", "delivery_weekdays": "1,9",
        "years": "1", "start_date": "2027-08-30", "confidence": "0.95", "lead_farm_id": ""})
    assert bad.status_code == 200 and any("Jours de livraison" in m for m in flashes(bad))


def test_the_template_downloads_with_the_catalogue(client: FlaskClient, demo: Demo) -> None:
    sign_in(client, "coordination")
    response = client.get("/saison/lots/modele.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Lot", "Produits", "Catalogue"]
    names = [row[0] for row in book["Catalogue"].iter_rows(min_row=2, values_only=True)]
    assert "Carotte" in names and len(names) >= 38
