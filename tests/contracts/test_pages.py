"""The contract pages: the lead's upkeep through forms, progress with charts, who sees what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.models import CanteenGroup, Contract, ContractLinePeriod, FeeKind, FeeRate
from tests.allocation.scenario import Scenario
from tests.contracts.conftest import make_group_contract
from tests.money.conftest import deliver


def test_lead_creates_a_contract_its_lines_and_periods(
    db: Session, scenario: Scenario, login: Any
) -> None:
    group = CanteenGroup(name="Groupement test", canteens=list(scenario.canteens.values()))
    db.add(group)
    db.commit()
    client = login(scenario.lead)
    assert client.get("/contrats/nouveau").status_code == 200
    response = client.post("/contrats/nouveau", data={
        "title": "Lot 7 – pommes de terre", "tender_reference": "AO-7", "lot_label": "Lot 7",
        "buyer": f"group:{group.id}", "start_date": "2026-09-01", "end_date": "2028-08-31",
        "renewal_of_id": "", "delivery_frequency": "lundi", "is_active": "y",
        "growers": [str(scenario.farms["luchon"].id), str(scenario.farms["montrejeau"].id)]})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    contract = db.scalar(select(Contract).where(Contract.title == "Lot 7 – pommes de terre"))
    assert contract is not None and contract.canteen_group_id == group.id
    assert {f.id for f in contract.growers} == {scenario.farms["luchon"].id,
                                                scenario.farms["montrejeau"].id}
    response = client.post(f"/contrats/{contract.id}/lignes/nouvelle", data={
        "product_id": scenario.products["poireau"].id, "committed_min_quantity_per_year": "800",
        "production_cost_eur": "1,90", "margin_eur": "0,30", "intermediation_fee_eur": "0,15"})
    assert response.status_code == 302
    (line,) = contract.lines
    assert line.price_eur == Decimal("2.35")
    response = client.post(f"/contrats/{contract.id}/lignes/{line.id}/periodes", data={
        "start_date": "2026-09-01", "end_date": "2026-09-30", "min_quantity": "70"})
    assert response.status_code == 302
    period = db.scalar(select(ContractLinePeriod))
    assert period is not None and period.min_quantity == Decimal(70)
    page = client.get(f"/contrats/{contract.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Lot 7" in text and "Poireau" in text
    assert "2,35" in text
    client.post(f"/contrats/{contract.id}/periodes/{period.id}/supprimer",
                data={"line_id": line.id})
    assert db.scalar(select(ContractLinePeriod)) is None


def test_lead_chooses_who_invoices_a_contract(db: Session, scenario: Scenario, login: Any) -> None:
    client = login(scenario.lead)
    base = {"title": "Lot 9", "buyer": f"canteen:{scenario.canteens['luchon'].id}",
            "start_date": "2026-09-01", "end_date": "2027-08-31", "renewal_of_id": "",
            "is_active": "y"}
    refused = client.post("/contrats/nouveau", data=base | {"invoiced_by": "cantine"})
    assert refused.status_code == 200
    assert db.scalar(select(Contract).where(Contract.title == "Lot 9")) is None
    response = client.post("/contrats/nouveau", data=base | {"invoiced_by": "grower"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    contract = db.scalar(select(Contract).where(Contract.title == "Lot 9"))
    assert contract is not None and contract.invoiced_by == "grower"
    shown = client.get(f"/contrats/{contract.id}").get_data(as_text=True)
    assert "chaque ferme, pour ses propres lignes" in shown
    form = client.get(f"/contrats/{contract.id}/modifier").get_data(as_text=True)
    assert 'selected value="grower"' in form


def test_bad_dates_are_shown_next_to_the_field(scenario: Scenario, login: Any) -> None:
    client = login(scenario.lead)
    response = client.post("/contrats/nouveau", data={
        "title": "Lot", "buyer": f"canteen:{scenario.canteens['luchon'].id}",
        "start_date": "2027-09-01", "end_date": "2026-08-31", "renewal_of_id": "",
        "is_active": "y"})
    assert response.status_code == 200
    assert "La fin doit suivre le début." in response.get_data(as_text=True)


def test_progress_page_has_accessible_charts_and_alerts(
    db: Session, scenario: Scenario, login: Any
) -> None:
    contract = make_group_contract(db, scenario)
    db.add(FeeRate(kind=FeeKind.FEE, rate=Decimal("0.0300"), valid_from=dt.date(2026, 9, 1),
                   contract_id=contract.id))
    db.commit()
    deliver(scenario)
    client = login(scenario.managers["luchon"])
    page = client.get(f"/contrats/{contract.id}?annee=1")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert text.count('role="img"') == 2
    assert 'aria-labelledby="contract-progress-title contract-progress-desc"' in text
    assert "<caption>" in text  # the table fallback
    assert "Alertes" in text and "en retard de" in text
    assert "charts.css" in text
    assert "Taux propres à ce contrat" in text and "3 %" in text
    assert client.get(f"/contrats/{contract.id}?annee=9").status_code == 404
    assert client.get(f"/contrats/{contract.id}/modifier").status_code == 403


def test_who_sees_which_contract(db: Session, scenario: Scenario, login: Any) -> None:
    contract = make_group_contract(db, scenario)
    client = login(scenario.managers["stgaudens"])
    assert contract.title not in client.get("/contrats/").get_data(as_text=True)
    assert client.get(f"/contrats/{contract.id}").status_code == 403
    client.post("/deconnexion")
    client = login(scenario.growers["luchon"])
    assert client.get("/contrats/").status_code == 403
    assert client.get(f"/contrats/{contract.id}").status_code == 403


def test_menu_entries_per_role(db: Session, scenario: Scenario, login: Any) -> None:
    client = login(scenario.lead)
    home = client.get("/").get_data(as_text=True)
    for label in ("Contrats", "Relevés", "Équité", "Fonds et avances", "Régulation"):
        assert label in home
    client.post("/deconnexion")
    client = login(scenario.growers["luchon"])
    home = client.get("/").get_data(as_text=True)
    assert "Mon relevé" in home and "Mon équité" in home and "Régulation" not in home
    client.post("/deconnexion")
    client = login(scenario.managers["luchon"])
    home = client.get("/").get_data(as_text=True)
    assert "Mon relevé" in home and "Contrats" in home and "Mon équité" not in home
