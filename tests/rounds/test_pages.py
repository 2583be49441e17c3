"""The rounds pages through HTTP: the week's rounds with map and savings, a route sheet, xlsx."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from pial.rounds import services
from tests.rounds.conftest import Published


def test_the_week_page_shows_savings_the_map_and_the_sheets(
    db: Session, published: Published, login: Any, client: Any
) -> None:
    iso_week = published.scenario.iso_week
    login(published.scenario.lead)

    page = client.get(f"/semaines/{iso_week}/tournees").get_data(as_text=True)

    assert "Tournées mutualisées" in page and "Chacun livre ses lignes" in page
    assert "<svg" in page and "<polyline" in page
    assert "Sur la semaine" in page and "Partage des coûts" in page
    rounds = services.week_rounds(iso_week)[0]
    route = rounds.routes[0]
    sheet = client.get(f"/semaines/{iso_week}/tournees/{rounds.day.isoformat()}/"
                       f"{route.vehicle_id}").get_data(as_text=True)
    assert "Feuille de route" in sheet and "Charger" in sheet and "Déposer" in sheet
    assert "Sonner à la cuisine" in sheet


def test_the_workbook_has_one_sheet_per_driver(
    db: Session, published: Published, login: Any, client: Any
) -> None:
    iso_week = published.scenario.iso_week
    login(published.scenario.lead)

    response = client.get(f"/semaines/{iso_week}/tournees.xlsx")

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    routes = sum(len(rounds.routes) for rounds in services.week_rounds(iso_week))
    assert len(book.sheetnames) == routes
    sheet = book[book.sheetnames[0]]
    assert str(sheet["A1"].value).startswith("Tournée du ")
    assert [cell.value for cell in sheet[4]][:4] == ["Heure", "Arrêt", "Charger", "Déposer"]


def test_an_unknown_vehicle_or_an_unpublished_week_is_a_404(
    db: Session, published: Published, login: Any, client: Any
) -> None:
    login(published.scenario.lead)
    iso_week = published.scenario.iso_week
    day = services.round_days(iso_week)[0]

    assert client.get(f"/semaines/{iso_week}/tournees/{day}/nope").status_code == 404
    assert client.get("/semaines/2026-W30/tournees").status_code == 404


def test_the_api_returns_each_day_s_rounds_document(
    db: Session, published: Published, login: Any, client: Any
) -> None:
    iso_week = published.scenario.iso_week
    login(published.scenario.lead)

    response = client.get(f"/api/v1/weeks/{iso_week}/rounds")

    assert response.status_code == 200
    body = response.get_json()
    assert body["iso_week"] == iso_week
    assert [day["day"] for day in body["days"]] == [
        day.isoformat() for day in services.round_days(iso_week)]
    document = body["days"][0]["rounds"]
    assert document["format"] == "pial-rounds-result/1"
    assert services.check_rounds_document(document) == []


def test_the_coordinator_moves_a_line_onto_another_van(
    db: Session, published: Published, login: Any, client: Any
) -> None:
    iso_week = published.scenario.iso_week
    login(published.scenario.lead)
    rounds = services.week_rounds(iso_week)[0]
    line_id, loader = next(
        (line, route.vehicle_id) for route in rounds.result.routes for stop in route.stops
        for line in stop.load if stop.place.startswith("farm:")
    )
    target = next(van for van in published.vans.values() if str(van.id) != loader)
    page = client.get(f"/semaines/{iso_week}/tournees").get_data(as_text=True)
    assert "Déplacer une ligne sur un véhicule" in page
    prefix = f"d{rounds.day:%Y%m%d}-"

    response = client.post(f"/semaines/{iso_week}/tournees/{rounds.day}/deplacer", data={
        prefix + "line_id": line_id, prefix + "vehicle_id": str(target.id)})

    assert response.status_code == 303
    moved = services.day_rounds(iso_week, rounds.day)
    loaders = {line: route.vehicle_id for route in moved.result.routes
               for stop in route.stops for line in stop.load if stop.place.startswith("farm:")}
    assert loaders[line_id] == str(target.id)
    assert services.check_rounds_document(moved.document()) == []
    client.post("/deconnexion")

    grower = next(iter(published.scenario.growers.values()))
    login(grower)  # a grower who does not coordinate the week may not move lines
    refused = client.post(f"/semaines/{iso_week}/tournees/{rounds.day}/deplacer", data={
        prefix + "line_id": line_id, prefix + "vehicle_id": loader})
    assert refused.status_code == 303
    assert services.day_rounds(iso_week, rounds.day).result == moved.result
