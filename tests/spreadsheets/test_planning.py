"""The weekly planning workbook, read back with openpyxl and checked against the database."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pial.contracts.services import contract_progress
from pial.errors import Conflict, Forbidden
from pial.models import AllocationLine, Canteen, Farm, Product
from pial.spreadsheets import services
from pial.spreadsheets.planning import (
    CANTEENS_SHEET,
    CONTRACTS_SHEET,
    EQUITY_SHEET,
    GROWERS_SHEET,
    NOTE_AMOUNT_COLUMN,
    PLANNING_HEADER_ROW,
    PLANNING_SHEET,
    week_total_label,
)
from tests.spreadsheets.conftest import ISO_WEEK, MONDAY, THURSDAY, World


def _export(actor: Any = None) -> Any:
    stream = io.BytesIO()
    services.export_planning(ISO_WEEK, stream, actor)
    return load_workbook(io.BytesIO(stream.getvalue()))


def _num(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.001"))


def _db_quantities(db: Session, run_id: int) -> dict[tuple[str, str, str, str], Decimal]:
    """Return {(day label, canteen, product, farm): quantity} of a run, from the database."""
    rows = db.execute(
        select(
            AllocationLine.day, Canteen.name, Product.name_fr, Farm.name, AllocationLine.quantity
        )
        .join(Canteen, AllocationLine.canteen_id == Canteen.id)
        .join(Product, AllocationLine.product_id == Product.id)
        .join(Farm, AllocationLine.farm_id == Farm.id)
        .where(AllocationLine.run_id == run_id)
    ).tuples()
    return {
        (f"{day:%d/%m/%Y}", canteen, product, farm): _num(quantity)
        for day, canteen, product, farm, quantity in rows
    }


def _grid(sheet: Any) -> tuple[dict[tuple[str, str, str, str], Decimal], dict[str, int], list[Any]]:
    """Read the planning grid back: quantities by (day, canteen, product, farm), columns, rows."""
    titles = [cell.value for cell in sheet[PLANNING_HEADER_ROW]]
    columns = {title: index for index, title in enumerate(titles)}
    growers = titles[2 : columns["Total"]]
    found: dict[tuple[str, str, str, str], Decimal] = {}
    block = ("", "")
    rows = list(sheet.iter_rows(min_row=PLANNING_HEADER_ROW + 1))
    for row in rows:
        first = row[0].value
        if isinstance(first, str) and " — " in first:
            day_text, canteen = first.split(" — ", 1)
            block = (day_text.split()[-1], canteen)
            continue
        if first is None or str(first).startswith("Total"):
            continue
        for offset, farm in enumerate(growers, start=2):
            if row[offset].value is not None:
                found[(*block, first, farm)] = _num(row[offset].value)
    return found, columns, rows


def test_grid_matches_the_current_published_run(db: Session, world: World) -> None:
    workbook = _export()
    assert workbook.sheetnames == [
        PLANNING_SHEET, GROWERS_SHEET, CANTEENS_SHEET, EQUITY_SHEET, CONTRACTS_SHEET,
    ]  # fmt: skip
    found, columns, rows = _grid(workbook[PLANNING_SHEET])
    assert found == _db_quantities(db, world.run.id)
    assert found != _db_quantities(db, world.old_run.id)
    # Row totals, crates (carrots come by 10) and the ordered column.
    carrot = next(
        row for row in rows if row[0].value == "Carotte" and row[columns["Total"]].value == 30
    )
    assert _num(carrot[columns["Cagettes"]].value) == Decimal("3.000")
    assert _num(carrot[columns["Commandé"]].value) == Decimal("30.000")
    assert carrot[columns["Manque"]].value is None
    # The week's totals per grower stay per unit: kg with kg, salads counted as pieces (never
    # converted to kg under a column of pieces).
    week_kg = next(row for row in rows if row[0].value == week_total_label("kg"))
    week_pieces = next(row for row in rows if row[0].value == week_total_label("piece"))
    assert week_kg[0].value == "Total de la semaine (kg)"
    assert week_pieces[0].value == "Total de la semaine (pièces)"
    assert _num(week_kg[columns["Ferme du Pradet"]].value) == Decimal("35.000")
    assert _num(week_kg[columns['=HYPERLINK("http://x")']].value) == Decimal("10.000")
    assert _num(week_pieces[columns['=HYPERLINK("http://x")']].value) == Decimal("36.000")
    assert week_pieces[columns["Ferme du Pradet"]].value is None
    for unit, row in (("kg", week_kg), ("piece", week_pieces)):
        total = db.scalar(
            select(func.sum(AllocationLine.quantity))
            .join(Product, AllocationLine.product_id == Product.id)
            .where(AllocationLine.run_id == world.run.id, Product.unit == unit)
        )
        assert _num(row[columns["Total"]].value) == _num(total)
    # Each block has its own totals per unit, never « Total (kg) ».
    labels = {row[0].value for row in rows if str(row[0].value).startswith("Total")}
    assert labels == {"Total kg", "Total pièces", "Total de la semaine (kg)",
                      "Total de la semaine (pièces)"}
    # Whole crates print as integers (3, not 3.0); the publication time is never « ### ».
    assert carrot[columns["Cagettes"]].number_format == "[$-40C]#,##0"


def test_shortfalls_are_highlighted_without_colour(world: World) -> None:
    sheet = _export()[PLANNING_SHEET]
    _, columns, rows = _grid(sheet)
    shortfalls = {
        (row[0].value, _num(row[columns["Manque"]].value))
        for row in rows
        if row[columns["Manque"]].value is not None
    }
    assert shortfalls == {("Poireau", Decimal("5.000")), ("Carotte", Decimal("6.000"))}
    for row in rows:
        if row[columns["Manque"]].value is not None:
            assert row[0].font.bold and row[0].font.italic
            assert row[0].fill.fill_type == "lightGray"  # a pattern, visible in black and white
        elif row[0].value in {"Salade batavia"}:
            assert row[0].fill.fill_type is None


def test_header_print_setup_and_panes(world: World) -> None:
    sheet = _export()[PLANNING_SHEET]
    assert sheet["B2"].value == ISO_WEEK
    assert sheet["D2"].value == 2  # the current version, not version 1
    assert sheet["F2"].value == "Ferme du Pradet"
    assert sheet["H2"].value == dt.datetime(2026, 11, 21, 14, 5)  # Paris wall-clock time
    assert sheet["H2"].number_format == "dd/mm/yyyy hh:mm"
    assert sheet.freeze_panes == f"C{PLANNING_HEADER_ROW + 1}"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == f"$1:${PLANNING_HEADER_ROW}"


def test_user_text_is_written_as_text_never_as_a_formula(world: World) -> None:
    workbook = _export()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
    titles = [cell.value for cell in workbook[PLANNING_SHEET][PLANNING_HEADER_ROW]]
    assert '=HYPERLINK("http://x")' in titles


def test_pick_lists_per_grower(db: Session, world: World) -> None:
    sheet = _export()[GROWERS_SHEET]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    headers = [row for row in rows if row[1] == "Valeur HT"]
    by_farm = {row[0]: (_num(row[2]), _num(row[4])) for row in headers}
    for farm in world.farms.values():
        lines = db.scalars(
            select(AllocationLine).where(
                AllocationLine.run_id == world.run.id, AllocationLine.farm_id == farm.id
            )
        ).all()
        value = sum(world.sold_value(line) for line in lines)
        kg_km = sum(
            line.quantity * line.product.unit_kg * Decimal(str(line.distance_km)) for line in lines
        )
        assert by_farm[farm.name] == (_num(value), _num(kg_km))
    harvest: dict[str, list[Any]] = defaultdict(list)
    deliveries: dict[str, list[Any]] = defaultdict(list)
    farm_name, section = "", ""
    for row in rows:
        if row[1] == "Valeur HT":
            farm_name = row[0]
        elif row[0] in ("À récolter", "Livraisons, dans l'ordre des tournées"):
            section = row[0]
        elif isinstance(row[0], dt.datetime):
            (harvest if section == "À récolter" else deliveries)[farm_name].append(row)
    # What to harvest comes first, per day and product; then the stops in round order.
    assert [(row[0].date(), row[1], _num(row[2])) for row in harvest["Ferme du Pradet"]] == [
        (MONDAY, "Carotte", Decimal("20.000")),
        (THURSDAY, "Poireau", Decimal("15.000")),
    ]
    assert [(row[0].date(), row[1], row[2], row[3], _num(row[4]))
            for row in deliveries["Ferme du Pradet"]] == [
        (MONDAY, 1, "École de Luchon", "Carotte", Decimal("20.000")),
        (THURSDAY, 1, "EHPAD de Saint-Mamet", "Poireau", Decimal("15.000")),
    ]
    for farm in world.farms.values():
        lines = deliveries[farm.name]
        for day in {row[0] for row in lines}:
            positions = [row[1] for row in lines if row[0] == day]
            assert positions == sorted(positions)
        harvested = defaultdict(Decimal)
        for row in harvest[farm.name]:
            harvested[(row[0], row[1])] += _num(row[2])
        delivered = defaultdict(Decimal)
        for row in lines:
            delivered[(row[0], row[3])] += _num(row[4])
        assert harvested == delivered


def test_delivery_notes_with_totals_before_and_after_fee(db: Session, world: World) -> None:
    sheet = _export()[CANTEENS_SHEET]
    notes: dict[str, dict[str, Decimal]] = defaultdict(dict)
    current = ""
    for row in sheet.iter_rows(min_row=4, values_only=True):
        if isinstance(row[0], str) and row[0].startswith("Bon de livraison"):
            current = row[0]
        elif isinstance(row[0], str) and row[0].startswith(("Total", "Frais")):
            notes[current][row[0]] = _num(row[NOTE_AMOUNT_COLUMN - 1])
    title = "Bon de livraison — École de Luchon — lundi 23/11/2026"
    lines = db.scalars(
        select(AllocationLine).where(
            AllocationLine.run_id == world.run.id,
            AllocationLine.canteen_id == world.canteens["ecole"].id,
            AllocationLine.day == MONDAY,
        )
    ).all()
    total = sum(world.sold_value(line) for line in lines)
    fee = sum(line.quantity * Decimal("0.10") for line in lines)  # the season's fee per unit,
    # and the contract's: the same 0.10 here
    assert notes[title] == {
        "Total avant frais d'intermédiation": _num(total - fee),
        "Frais d'intermédiation": _num(fee),
        "Total HT": _num(total),
    }
    assert len(notes) == 3  # école Monday and Thursday, EHPAD Thursday
    assert sheet.row_breaks.count == 3


def test_equity_and_contract_progress(db: Session, world: World) -> None:
    workbook = _export()
    equity = {row[0]: row for row in workbook[EQUITY_SHEET].iter_rows(min_row=5, values_only=True)}
    pradet = equity["Ferme du Pradet"]
    assert _num(pradet[1]) == _num(  # the school's carrots at the contract's price
        Decimal("20") * Decimal("1.60") + Decimal("15") * Decimal("2.50")
    )
    total = _num(equity["Total"][1])
    assert _num(pradet[2]) == _num(Decimal(str(pradet[1])) / total)
    assert _num(pradet[3]) == Decimal("0.600")
    assert _num(pradet[5]) == Decimal("12.250")
    contracts = list(workbook[CONTRACTS_SHEET].iter_rows(min_row=5, values_only=True))
    assert len(contracts) == 1
    title, buyer, product, _unit, start, end, committed, delivered, this_week, progress = (
        contracts[0]
    )
    assert (title, buyer, product) == ("Lot 3 — légumes racines", "Cuisines de Luchon", "Carotte")
    # The contract page's figures: its one, short year (334 days) commits 600 × 334 / 365.
    assert (start.date(), end.date()) == (dt.date(2026, 9, 1), dt.date(2027, 7, 31))
    assert _num(committed) == _num(Decimal(600) * 334 / 365) == Decimal("549.041")
    page = contract_progress(world.contract.id, None, as_of=MONDAY + dt.timedelta(days=6))
    assert _num(committed) == _num(page.lines[0].commitment)
    assert _num(delivered) == Decimal("30.000") == _num(this_week)  # version 2 only, école only
    assert _num(delivered) == _num(page.lines[0].delivered)
    assert _num(progress) == _num(Decimal(30) / Decimal("549.041"))


def test_only_lead_and_coordinator_may_download(world: World) -> None:
    _export(world.lead)
    _export(world.coordinator)
    for actor in (world.grower, world.manager):
        with pytest.raises(Forbidden):
            _export(actor)


def test_no_published_plan_is_a_clear_conflict(db: Session, world: World) -> None:
    from pial.models import WeekState
    from tests.spreadsheets.conftest import make_week

    make_week(db, "2026-W49", dt.date(2026, 11, 30), WeekState.OPEN)
    with pytest.raises(Conflict, match="Aucun planning n'est encore publié"):
        services.export_planning("2026-W49", io.BytesIO())


def test_download_route(client: Any, login: Any, world: World) -> None:
    login(world.coordinator)
    response = client.get(f"/tableurs/planning/{ISO_WEEK}.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "planning-2026-W48.xlsx" in response.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.data))[PLANNING_SHEET]["B2"].value == ISO_WEEK


def test_download_route_refuses_another_grower(client: Any, login: Any, world: World) -> None:
    login(world.grower)
    response = client.get(f"/tableurs/planning/{ISO_WEEK}.xlsx")
    assert response.status_code == 403
    assert "coordinateur de la semaine" in response.get_data(as_text=True)


def test_cli_export_planning(app: Any, db: Session, world: World, tmp_path: Any) -> None:
    output = tmp_path / "planning.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "planning", ISO_WEEK, "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "version 2" in result.output
    assert load_workbook(output)[PLANNING_SHEET]["D2"].value == 2
