"""Templates with drop-downs, and imports: all lines saved in one go, or nothing and the list."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.errors import Conflict, Forbidden, InvalidInput
from pial.models import AvailabilityLine, OrderLine, OrderPriority
from pial.spreadsheets import services
from pial.spreadsheets.entry import (
    ANY_DAY_LABEL,
    AVAILABILITY,
    HEADER_ROW,
    LISTS_SHEET,
    META_SHEET,
    ORDERS,
)
from pial.weeks.offers import AvailabilityInput, save_availability
from pial.weeks.opening import open_week
from tests.spreadsheets.conftest import World

OPEN_WEEK = "2026-W49"
MONDAY_49 = dt.date(2026, 11, 30)
THURSDAY_49 = dt.date(2026, 12, 3)


@pytest.fixture
def open_world(world: World) -> World:
    """The test territory with week 49 open to offers and orders."""
    open_week(OPEN_WEEK)
    return world


def template(world: World, kind: str, owner_id: int, actor: Any) -> Any:
    """Return the template of ``kind`` as an editable openpyxl workbook."""
    stream = io.BytesIO()
    services.export_entry_template(kind, OPEN_WEEK, owner_id, stream, actor)
    return load_workbook(io.BytesIO(stream.getvalue()))


def to_bytes(workbook: Any) -> bytes:
    """Save an edited workbook the way a spreadsheet application would."""
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def offer(db: Session, world: World, farm_key: str = "pradet") -> set[tuple[str, Any, Decimal]]:
    """Return the farm's saved offer of week 49 as (slug, day, quantity)."""
    lines = db.scalars(
        select(AvailabilityLine).where(AvailabilityLine.farm_id == world.farms[farm_key].id)
    ).all()
    return {(line.product.slug, line.day, line.quantity) for line in lines}


def fill(sheet: Any, rows: list[tuple[Any, Any, Any, Any]], first_row: int | None = None) -> None:
    """Write entry rows from ``first_row`` (default: just under the titles)."""
    start = first_row or HEADER_ROW + 1
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=start + offset, column=column, value=value)


def test_template_has_hidden_lists_validation_and_purpose(open_world: World) -> None:
    world = open_world
    workbook = template(world, AVAILABILITY, world.farms["pradet"].id, world.coordinator)
    assert workbook.sheetnames == ["Disponibilités", LISTS_SHEET, META_SHEET]
    assert workbook[LISTS_SHEET].sheet_state == "hidden"
    assert workbook[META_SHEET].sheet_state == "veryHidden"
    lists = workbook[LISTS_SHEET]
    products = [row[0] for row in lists.iter_rows(values_only=True) if row[0]]
    days = [row[1] for row in lists.iter_rows(values_only=True) if row[1]]
    assert "Carotte (kg)" in products and "Salade batavia (pièce)" in products
    assert days == [ANY_DAY_LABEL, "lundi 30/11/2026", "jeudi 03/12/2026"]
    validations = workbook["Disponibilités"].data_validations.dataValidation
    by_column = {str(v.sqref).split(":")[0][0]: v for v in validations}
    assert by_column["A"].type == "list" and by_column["A"].formula1.startswith("=Listes!$A$1")
    assert by_column["B"].type == "list" and by_column["B"].formula1 == "=Listes!$B$1:$B$3"
    assert by_column["C"].type == "decimal" and by_column["C"].operator == "greaterThanOrEqual"
    assert all(v.showErrorMessage and v.errorStyle in (None, "stop") for v in validations)
    meta = dict(workbook[META_SHEET].iter_rows(values_only=True))
    assert meta["type"] == AVAILABILITY and meta["semaine"] == OPEN_WEEK
    assert meta["id"] == world.farms["pradet"].id


def test_availability_round_trip(db: Session, open_world: World) -> None:
    world = open_world
    farm_id = world.farms["pradet"].id
    save_availability(
        world.coordinator,
        farm_id,
        OPEN_WEEK,
        [
            AvailabilityInput(world.products["carotte"].id, Decimal("40")),
            AvailabilityInput(world.products["poireau"].id, Decimal("12.5"), MONDAY_49),
        ],
    )
    workbook = template(world, AVAILABILITY, farm_id, world.coordinator)
    sheet = workbook["Disponibilités"]
    exported = [
        row[:3] for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if row[0]
    ]
    assert exported == [
        ("Carotte (kg)", ANY_DAY_LABEL, 40),
        ("Poireau (kg)", "lundi 30/11/2026", 12.5),
    ]
    # Edit as a person would: decimal comma typed as text, a line dropped to 0, a blank row,
    # a new line further down with a date typed in.
    sheet.cell(row=HEADER_ROW + 1, column=3, value="55,5")
    sheet.cell(row=HEADER_ROW + 2, column=3, value=0)
    fill(sheet, [("salade batavia (pièce)", "03/12/2026", 30, "sous abri")], HEADER_ROW + 5)
    report = services.import_entry_file(to_bytes(workbook), world.coordinator)
    assert report.kind == AVAILABILITY and report.saved == 2
    assert offer(db, world) == {
        ("carotte", None, Decimal("55.500")),
        ("salade", THURSDAY_49, Decimal("30.000")),
    }
    again = template(world, AVAILABILITY, farm_id, world.coordinator)["Disponibilités"]
    assert [row[:4] for row in again.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
            if row[0]] == [
        ("Carotte (kg)", ANY_DAY_LABEL, 55.5, None),
        ("Salade batavia (pièce)", "jeudi 03/12/2026", 30, "sous abri"),
    ]  # fmt: skip


def test_orders_import_goes_through_the_weekly_service(db: Session, open_world: World) -> None:
    world = open_world
    canteen_id = world.canteens["ecole"].id
    workbook = template(world, ORDERS, canteen_id, world.manager)
    assert [row[1] for row in workbook[LISTS_SHEET].iter_rows(values_only=True) if row[1]] == [
        "lundi 30/11/2026", "jeudi 03/12/2026",
    ]  # fmt: skip
    fill(
        workbook["Commandes"],
        [("Carotte", "lundi 30/11/2026", 25, None), ("poireau", THURSDAY_49, "7,25", None)],
    )
    report = services.import_entry_file(to_bytes(workbook), world.manager, expected_kind=ORDERS)
    assert report.saved == 2
    lines = {
        line.product.slug: line
        for line in db.scalars(select(OrderLine).where(
            OrderLine.canteen_id == canteen_id, OrderLine.day >= MONDAY_49
        ))
    }  # fmt: skip
    assert lines["carotte"].quantity == Decimal("25") and lines["carotte"].day == MONDAY_49
    assert lines["poireau"].quantity == Decimal("7.25")
    # The school buys carrots under the group's contract: the service marked the line.
    assert lines["carotte"].priority == OrderPriority.CONTRACT
    assert lines["carotte"].contract_line_id == world.contract.lines[0].id
    assert lines["poireau"].priority == OrderPriority.REGULAR


def test_every_problem_is_listed_and_nothing_is_written(db: Session, open_world: World) -> None:
    world = open_world
    farm_id = world.farms["pradet"].id
    save_availability(
        world.coordinator, farm_id, OPEN_WEEK,
        [AvailabilityInput(world.products["carotte"].id, Decimal("40"))],
    )  # fmt: skip
    before = offer(db, world)
    workbook = template(world, AVAILABILITY, farm_id, world.coordinator)
    fill(
        workbook["Disponibilités"],
        [
            ("Carotte (kg)", None, 10, None),  # row 6, already there: replaced, fine
            ("Carote", "lundi 30/11/2026", 5, None),  # row 7: unknown product
            ("Poireau (kg)", "mardi 01/12/2026", 5, None),  # row 8: not a delivery day
            ("Poireau (kg)", "lundi 30/11/2026", "douze", None),  # row 9: not a number
            ("Poireau (kg)", "jeudi 03/12/2026", "-3", None),  # row 10: negative
            ("Carotte (kg)", ANY_DAY_LABEL, 4, None),  # row 11: duplicate of row 6
            (None, None, None, None),  # row 12: empty, ignored
            ("Poireau (kg)", "jeudi 03/12/2026", None, None),  # row 13: no quantity
        ],
    )
    with pytest.raises(InvalidInput) as caught:
        services.import_entry_file(to_bytes(workbook), world.coordinator)
    messages = [message for items in caught.value.field_errors.values() for message in items]
    assert "rien n'a été enregistré" in str(caught.value)
    expected = [
        ("ligne 7", "colonne A (Produit)", "produit inconnu « Carote »", "« Carotte (kg) »"),
        ("ligne 8", "colonne B (Jour)", "n'est pas un jour de livraison", "01/12/2026"),
        ("ligne 9", "colonne C (Quantité)", "« douze » n'est pas un nombre", ""),
        ("ligne 10", "colonne C (Quantité)", "négatif", ""),
        ("ligne 11", "colonne A (Produit)", "qu'à la ligne 6", ""),
        ("ligne 13", "colonne C (Quantité)", "quantité manquante", ""),
    ]
    assert len(messages) == len(expected)
    for message, (row, column, text, detail) in zip(messages, expected, strict=True):
        assert message.startswith("Feuille « Disponibilités »"), message
        assert row in message and column in message and text in message and detail in message
    assert offer(db, world) == before


def test_formulas_in_cells_are_refused(db: Session, open_world: World) -> None:
    world = open_world
    workbook = template(world, AVAILABILITY, world.farms["pradet"].id, world.coordinator)
    fill(workbook["Disponibilités"], [("Carotte (kg)", None, "=6*7", None)])
    with pytest.raises(InvalidInput) as caught:
        services.import_entry_file(to_bytes(workbook), world.coordinator)
    assert "ligne 6, colonne C (Quantité) : cette cellule contient une formule" in str(caught.value)
    assert offer(db, world) == set()


def test_a_grower_imports_only_their_own_farm(db: Session, open_world: World) -> None:
    world = open_world
    workbook = template(world, AVAILABILITY, world.farms["pradet"].id, world.coordinator)
    fill(workbook["Disponibilités"], [("Carotte (kg)", None, 10, None)])
    with pytest.raises(Forbidden):
        services.import_entry_file(to_bytes(workbook), world.grower)
    with pytest.raises(Forbidden):
        template(world, AVAILABILITY, world.farms["pradet"].id, world.grower)
    with pytest.raises(Forbidden):
        template(world, ORDERS, world.canteens["ecole"].id, world.other_manager)
    assert offer(db, world) == set()


def test_the_deadline_of_the_weekly_service_applies(
    app: Any, db: Session, open_world: World
) -> None:
    world = open_world
    workbook = template(world, AVAILABILITY, world.farms["pradet"].id, world.coordinator)
    fill(workbook["Disponibilités"], [("Carotte (kg)", None, 10, None)])
    app.config["PIAL_CLOCK"] = lambda: dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)
    with pytest.raises(Conflict, match="date limite"):
        services.import_entry_file(to_bytes(workbook), world.coordinator)
    assert offer(db, world) == set()


def test_a_template_of_the_wrong_kind_is_refused(open_world: World) -> None:
    world = open_world
    workbook = template(world, AVAILABILITY, world.farms["pradet"].id, world.coordinator)
    with pytest.raises(InvalidInput, match="modèle de disponibilités, pas de commandes"):
        services.import_entry_file(to_bytes(workbook), world.lead, expected_kind=ORDERS)


def test_upload_form(client: Any, login: Any, db: Session, open_world: World) -> None:
    world = open_world
    login(world.coordinator)
    response = client.get(f"/tableurs/modele/disponibilites/{OPEN_WEEK}.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    fill(workbook["Disponibilités"], [("Carotte (kg)", None, "12,5", None)])
    good = to_bytes(workbook)
    fill(workbook["Disponibilités"], [("Navet", None, "12,5", None)], HEADER_ROW + 2)
    bad = to_bytes(workbook)

    response = client.post(
        "/tableurs/import", data={"file": (io.BytesIO(bad), "offre.xlsx")},
        content_type="multipart/form-data",
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Problèmes à corriger dans le fichier" in page and "produit inconnu « Navet »" in page
    assert offer(db, world) == set()

    response = client.post(
        "/tableurs/import", data={"file": (io.BytesIO(good), "offre.xlsx")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 303
    response = client.get(response.headers["Location"])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "1 produit enregistré" in response.get_data(as_text=True)
    assert offer(db, world) == {("carotte", None, Decimal("12.500"))}


def test_cli_import(app: Any, db: Session, open_world: World, tmp_path: Any) -> None:
    world = open_world
    canteen_id = world.canteens["ecole"].id
    workbook = template(world, ORDERS, canteen_id, world.manager)
    fill(workbook["Commandes"], [("Salade batavia (pièce)", "jeudi 03/12/2026", 24, None)])
    path = tmp_path / "commandes.xlsx"
    path.write_bytes(to_bytes(workbook))
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["import", "availability", str(path)])
    assert refused.exit_code == 1
    assert "pas de disponibilités" in refused.output
    result = runner.invoke(
        args=["import", "orders", str(path), "--utilisateur", world.manager.email]
    )
    assert result.exit_code == 0, result.output
    assert "1 ligne de commande enregistrée" in result.output
    saved = db.scalars(select(OrderLine).where(OrderLine.day == THURSDAY_49)).all()
    assert [(line.canteen_id, line.quantity) for line in saved] == [(canteen_id, Decimal("24"))]


def test_refusals_of_the_weekly_service_name_the_sheet_row(db: Session, open_world: World) -> None:
    world = open_world
    world.products["pomme"].season_mask = "111111111000"  # not in season in December
    db.flush()
    workbook = template(world, AVAILABILITY, world.farms["pradet"].id, world.coordinator)
    fill(
        workbook["Disponibilités"],
        [("Carotte (kg)", None, 10, None), ("Pomme", "jeudi 03/12/2026", 5, None)],
    )
    with pytest.raises(InvalidInput) as caught:
        services.import_entry_file(to_bytes(workbook), world.coordinator)
    assert list(caught.value.field_errors) == ["Disponibilités, ligne 7"]
    assert "rien n'a été enregistré" in str(caught.value)
    assert offer(db, world) == set()  # the carrots of row 6 were not saved either
