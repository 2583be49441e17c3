"""``pial season forecast / plan / commit`` and the season's API."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pial.models import Contract, PlanProposal, SeasonPlan, TenderLot
from tests.season.conftest import COMING, Demo


def test_the_commands_forecast_plan_and_answer_a_lot(app: Flask, db: Session, demo: Demo,
                                                     tmp_path: Path) -> None:
    runner = app.test_cli_runner()

    forecast = runner.invoke(args=["season", "forecast", "-o", str(tmp_path / "f.xlsx")])
    assert forecast.exit_code == 0, forecast.output
    assert "Saison 2027-2028 : 52 semaines" in forecast.output
    assert "Contrôle sur la saison 2025-2026" in forecast.output
    assert load_workbook(tmp_path / "f.xlsx").sheetnames == ["Prévision", "Contrôle"]

    plan = runner.invoke(args=["season", "plan", str(COMING), "--scenarios", "100",
                               "--service-level", "0.9", "-o", str(tmp_path / "plan.xlsx")])
    assert plan.exit_code == 0, plan.output
    assert "Plan n°1 de la saison 2027-2028" in plan.output
    stored = db.scalars(select(SeasonPlan)).one()
    rows = load_workbook(tmp_path / "plan.xlsx")["Plan"].max_row - 3
    assert rows == len(stored.lines) > 0

    answer = runner.invoke(args=["season", "commit", str(demo.lot.id), "--confidence", "0.99",
                                 "-o", str(tmp_path / "answer.xlsx")])
    assert answer.exit_code == 0, answer.output
    assert "10000 saisons simulées" in answer.output and "engagement à 99,0 %" in answer.output
    prices = load_workbook(tmp_path / "answer.xlsx")["Bordereau de prix"]
    assert prices["A2"].value == "Carotte"

    refused = runner.invoke(args=["season", "commit", "999"])
    assert refused.exit_code != 0 and "Ce lot n'existe pas" in refused.output
    bad_year = runner.invoke(args=["season", "plan", "1999"])
    assert bad_year.exit_code != 0 and "entre 2000 et 2100" in bad_year.output


def token_headers(db: Session, user: Any) -> dict[str, str]:
    from pial.api.tokens import create_token

    return {"Authorization": f"Bearer {create_token(user, 'tests').secret}"}


def test_the_api_plans_and_answers_a_lot(client: FlaskClient, db: Session, demo: Demo) -> None:
    lead = token_headers(db, demo.lead)
    grower_user = demo.user("jb.sabatier")
    grower = token_headers(db, grower_user)

    forecast = client.get(f"/api/v1/season/{COMING}/forecast", headers=lead)
    assert forecast.status_code == 200 and forecast.json["backtest"]["season"] == "2025-2026"
    assert client.get(f"/api/v1/season/{COMING}/forecast", headers=grower).status_code == 403

    solved = client.post(f"/api/v1/season/{COMING}/plans", headers=lead,
                         json={"scenarios": 100, "service_level": 0.9})
    assert solved.status_code == 201, solved.json
    plan_id = solved.json["id"]
    assert client.post(f"/api/v1/season/plans/{plan_id}/publication",
                       headers=lead).status_code == 200
    mine = client.get(f"/api/v1/farms/{grower_user.farm_id}/season/{COMING}/plan",
                      headers=grower)
    assert mine.status_code == 200 and mine.json["plan_id"] == plan_id and mine.json["crops"]
    proposed = client.post(f"/api/v1/farms/{grower_user.farm_id}/season/{COMING}/proposals",
                           headers=grower, json={"product_id": demo.lot.lines[0].product_id,
                                                 "first_day": "2027-09-06",
                                                 "last_day": "2027-09-27",
                                                 "weekly_quantity": 12.5})
    assert proposed.status_code == 201 and proposed.json["state"] == "pending"
    decided = client.post(f"/api/v1/season/proposals/{proposed.json['id']}/decision",
                          headers=lead, json={"accept": True})
    assert decided.json["state"] == "accepted"
    assert db.scalars(select(PlanProposal)).one().weekly_quantity == 12.5

    created = client.post("/api/v1/tender-lots", headers=lead, json={
        "title": "Lot API", "canteen_id": demo.user("cuisine.ehpad").canteen_id,
        "start_date": "2027-08-30", "years": 2, "confidence": 0.9,
        "lines": [{"product_id": demo.lot.lines[0].product_id, "yearly_estimate": 300}]})
    assert created.status_code == 201, created.json
    line = created.json["lines"][0]
    parts = [Decimal(line[k]) for k in ("production_cost_eur", "margin_eur",
                                        "intermediation_fee_eur")]
    assert Decimal(line["price_eur"]) == sum(parts) > 0
    lot_id = created.json["id"]
    assert client.get(f"/api/v1/tender-lots/{lot_id}/answer.xlsx",
                      headers=lead).status_code == 409
    answered = client.post(f"/api/v1/tender-lots/{lot_id}/answer", headers=lead,
                           json={"draws": 2000})
    assert answered.status_code == 200 and answered.json["status"] == "answered"
    assert answered.json["lines"][0]["committed_quantity"] is not None
    workbook = client.get(f"/api/v1/tender-lots/{lot_id}/answer.xlsx", headers=lead)
    assert workbook.status_code == 200 and workbook.data[:2] == b"PK"
    contract = client.post(f"/api/v1/tender-lots/{lot_id}/contract", headers=lead)
    assert contract.status_code == 201
    assert db.get(Contract, contract.json["contract_id"]).title == "Lot API"
    before = db.scalar(select(func.count()).select_from(TenderLot))
    refused = client.post("/api/v1/tender-lots", headers=lead, json={
        "title": "Lot refusé", "canteen_id": demo.user("cuisine.ehpad").canteen_id,
        "start_date": "2027-08-30",
        "lines": [{"product_id": demo.lot.lines[0].product_id, "yearly_estimate": 300},
                  {"product_id": demo.lot.lines[0].product_id, "yearly_estimate": 10}]})
    assert refused.status_code == 422
    assert "Produit n°2" in refused.json["detail"]
    assert db.scalar(select(func.count()).select_from(TenderLot)) == before  # nothing written
    assert client.post("/api/v1/tender-lots", headers=grower,
                       json={"title": "x", "start_date": "2027-08-30"}).status_code == 403
