"""Every exported workbook, printed through LibreOffice from the demo, reads whole on A4.

The workbooks are exported from the seeded demo, converted to PDF by LibreOffice headless (as a
person printing them would), and the PDF's text is read back with pdftotext: no cell shows
``###``, every page is numbered « Page n / N » and titled, farm and canteen names are whole,
amounts read the French way (``1 234,50 €``), and the season's table keeps all its columns on
each page. The workbooks: planning, season, a canteen's and a farm's statements, regulation,
season forecast and plan, a tender lot's answer, an order template.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.demo import DEMO_PASSWORD, seed_demo
from pial.models import (
    Canteen,
    Delivery,
    DeliveryWeek,
    Farm,
    Role,
    Season,
    TenderLot,
    User,
    WeekState,
    find_platform,
)
from pial.money.regulation import regulation_report
from pial.money.statements import canteen_statement, farm_statement
from pial.money.xlsx import regulation_workbook, statement_workbook
from pial.season.services import (
    coming_season_year,
    forecast_season,
    plan_lines,
    plan_view,
    solve_season_plan,
)
from pial.season.tenders import answer_lot, buyer_name, delivery_days_text, member_values
from pial.season.xlsx import answer_workbook, forecast_workbook, plan_workbook
from pial.spreadsheets import services
from pial.spreadsheets.planning import GROWERS_SHEET, PLANNING_HEADER_ROW, PLANNING_SHEET
from pial.spreadsheets.season import DATA_COLUMNS
from tests.documents.libreoffice import pdf_pages, print_to_pdf

PARIS = dt.timezone(dt.timedelta(hours=1))
SEEDED_AT = dt.datetime(2026, 11, 27, 15, 0, tzinfo=PARIS)  # a Friday afternoon
MONTH = dt.date(2026, 11, 1)
PAGE_NUMBER = re.compile(r"Page (\d+) / (\d+)")
FRENCH_AMOUNT = re.compile(r"\d{1,3}(?:[\u00a0\u202f ]\d{3})*,\d{2} €")
ENGLISH_AMOUNT = re.compile(r"\d,\d{3}\.\d{2} €|\d\.\d{2} €")

pytestmark = pytest.mark.slow


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Seed and read the demo on a clock stopped on Friday 27 November 2026."""
    return {"PIAL_CLOCK": lambda: SEEDED_AT}


def _save(path: Path, stream: io.BytesIO) -> Path:
    path.write_bytes(stream.getvalue())
    return path


def _export_all(db: Session, folder: Path) -> dict[str, Path]:
    """Export every kind of workbook PIAL offers, from the demo, into ``folder``."""
    week = db.scalars(
        select(DeliveryWeek)
        .where(DeliveryWeek.state.in_([WeekState.PUBLISHED, WeekState.DELIVERED]))
        .order_by(DeliveryWeek.monday_date.desc())
    ).first()
    assert week is not None
    season = db.scalar(select(Season).where(Season.start_date <= SEEDED_AT.date(),
                                            Season.end_date >= SEEDED_AT.date()))
    assert season is not None
    books: dict[str, Path] = {}
    stream = io.BytesIO()
    services.export_planning(week.iso_week, stream)
    books["planning"] = _save(folder / "planning.xlsx", stream)
    stream = io.BytesIO()
    services.export_season(season.code, stream)
    books["season"] = _save(folder / "saison.xlsx", stream)
    canteen = db.scalars(select(Canteen).order_by(Canteen.name)).first()
    farm = db.scalars(select(Farm).order_by(Farm.name)).first()
    assert canteen is not None and farm is not None
    books["canteen_statement"] = _save(
        folder / "releve-cantine.xlsx", statement_workbook(canteen_statement(canteen.id, MONTH))
    )
    books["farm_statement"] = _save(
        folder / "releve-ferme.xlsx", statement_workbook(farm_statement(farm.id, MONTH))
    )
    books["regulation"] = _save(
        folder / "regulation.xlsx",
        regulation_workbook(regulation_report(season.start_date, SEEDED_AT.date())),
    )
    stream = io.BytesIO()
    forecast_workbook(forecast_season(coming_season_year(), with_backtest=False), stream)
    books["forecast"] = _save(folder / "prevision.xlsx", stream)
    plan = solve_season_plan(None, coming_season_year())
    stream = io.BytesIO()
    plan_workbook(plan, plan_view(plan), plan_lines(plan), stream)
    books["plan"] = _save(folder / "plan.xlsx", stream)
    lot = answer_lot(None, db.scalars(select(TenderLot)).one().id)
    stream = io.BytesIO()
    answer_workbook(lot, buyer_name(lot), delivery_days_text(lot), member_values(lot), stream)
    books["answer"] = _save(folder / "reponse-lot.xlsx", stream)
    stream = io.BytesIO()
    services.export_entry_template("orders", week.iso_week, canteen.id, stream)
    books["order_template"] = _save(folder / "modele-commandes.xlsx", stream)
    return books


def test_every_workbook_prints_legibly_on_a4(db: Session, tmp_path: Path) -> None:
    seed_demo(weeks_back=3)
    books = _export_all(db, tmp_path)
    pdfs = print_to_pdf(list(books.values()), tmp_path)
    texts: dict[str, list[str]] = {name: pdf_pages(pdfs[path]) for name, path in books.items()}

    for name, pages in texts.items():
        assert pages, f"{name}: empty PDF"
        for number, page in enumerate(pages, start=1):
            assert "###" not in page, f"{name}, page {number}: a cell too narrow shows ###"
            found = PAGE_NUMBER.search(page)
            assert found is not None, f"{name}, page {number}: no page number"
        assert not any(ENGLISH_AMOUNT.search(page) for page in pages), name

    planning = " ".join(" ".join(page.split()) for page in texts["planning"])
    grid = load_workbook(books["planning"])[PLANNING_SHEET]
    titles = [cell.value for cell in grid[PLANNING_HEADER_ROW]]
    farm_names = titles[2:titles.index("Total")]
    assert len(farm_names) >= 5
    for farm_name in farm_names:
        assert farm_name in planning, f"planning: the farm name « {farm_name} » is cut"
    for canteen_name in db.scalars(select(Canteen.name)):
        assert canteen_name in planning or canteen_name not in _all_cells(grid), canteen_name
    assert "Planning des livraisons" in texts["planning"][0]
    assert FRENCH_AMOUNT.search(planning), "planning: no amount in the French format"
    assert "À récolter" in planning and "Signature du livreur" in planning
    # The delivery notes name both parties with their SIRET, and the farms' certificates.
    platform = find_platform(db)
    assert platform is not None and platform.siret and platform.legal_name
    assert f"Fournisseur {platform.legal_name}" in planning
    assert f"SIRET {platform.siret}" in planning
    canteen_sirets = [siret for siret in db.scalars(select(Canteen.siret)) if siret]
    assert any(f"SIRET {siret}" in planning for siret in canteen_sirets)
    assert "Certification bio :" in planning

    # The season's table keeps its ten columns on each page, its header repeated.
    data_pages = [page for page in texts["season"] if "livraisons" in page.split("\n", 3)[0]
                  or ("Producteur" in page and "Distance (km)" in page)]
    assert data_pages
    for page in data_pages:
        flat = " ".join(page.split())
        assert all(title in flat for title in DATA_COLUMNS), page[:400]
    assert len(texts["season"]) < 66

    statement = " ".join(" ".join(page.split()) for page in texts["canteen_statement"])
    assert FRENCH_AMOUNT.search(statement)


def _all_cells(sheet: Any) -> str:
    return " ".join(str(value) for row in sheet.iter_rows(values_only=True) for value in row)


def test_every_sheet_carries_its_print_settings_and_french_formats(
    db: Session, tmp_path: Path
) -> None:
    seed_demo(weeks_back=2)
    books = _export_all(db, tmp_path)
    money_cells = 0
    for name, path in books.items():
        workbook = load_workbook(path)
        for sheet in workbook.worksheets:
            if sheet.sheet_state != "visible":
                continue  # the lists behind a template's drop-downs: never printed
            where = f"{name}!{sheet.title}"
            assert int(sheet.page_setup.paperSize) == 9, where  # A4
            assert sheet.sheet_properties.pageSetUpPr.fitToPage, where
            assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0), where
            assert not sheet.print_options.gridLines, where
            assert sheet.oddFooter.right.text == "Page &P / &N", where
            assert sheet.oddHeader.center.text, where
            widths = [float(d.width or 0) for d in sheet.column_dimensions.values()]
            if sum(widths) > 100:
                assert sheet.page_setup.orientation == "landscape", where
            if sheet.max_row > 3:
                assert sheet.print_title_rows, f"{where}: no header rows repeated"
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, int | float) and "€" in cell.number_format:
                        assert cell.number_format == '[$-40C]#,##0.00\\ "€"', where
                        money_cells += 1
                    if isinstance(cell.value, float) and not cell.is_date:
                        assert cell.number_format.startswith("[$-40C]"), (
                            f"{where}!{cell.coordinate}: {cell.number_format}")
    assert money_cells > 100
    # Whole crates are integers, never « 4.0 ».
    planning = load_workbook(books["planning"])
    crates_cells = 0
    for sheet in planning.worksheets:
        crates_column = None
        for row in sheet.iter_rows():
            titles = [cell.value for cell in row]
            if "Cagettes" in titles:
                crates_column = titles.index("Cagettes")
                continue
            cell = row[crates_column] if crates_column is not None else None
            if cell is not None and isinstance(cell.value, int | float):
                crates_cells += 1
                whole = cell.value == int(cell.value)
                assert cell.number_format.endswith("#,##0" if whole else "#,##0.0"), (
                    f"{sheet.title}!{cell.coordinate}: {cell.value} as {cell.number_format}")
    assert crates_cells > 20
    # The pick lists follow each farm's round: stop numbers as the delivery trips record them.
    trips = {(trip.farm_id, trip.day, trip.canteen_id): trip.route_order
             for trip in db.scalars(select(Delivery))}
    farm_ids = {farm.name: farm.id for farm in db.scalars(select(Farm))}
    canteen_ids = {canteen.name: canteen.id for canteen in db.scalars(select(Canteen))}
    stops = 0
    farm_id, in_rounds, previous = 0, False, (dt.date.min, 0)
    for row in planning[GROWERS_SHEET].iter_rows(min_row=4, values_only=True):
        if row[1] == "Valeur HT":
            farm_id, in_rounds, previous = farm_ids[row[0]], False, (dt.date.min, 0)
        elif row[0] == "Livraisons, dans l'ordre des tournées":
            in_rounds = True
        elif in_rounds and isinstance(row[0], dt.datetime):
            day = row[0].date()
            assert row[1] == trips[(farm_id, day, canteen_ids[row[2]])]
            assert (day, row[1]) >= previous
            previous = (day, row[1])
            stops += 1
    assert stops > 20 and any(order > 1 for order in trips.values())


def test_demo_pick_list_page_and_mail_follow_the_rounds(
    db: Session, login: Any, client: Any
) -> None:
    seed_demo(weeks_back=1)
    # A farm whose round of a day has several stops, in a published week.
    trip = db.scalars(select(Delivery).where(Delivery.route_order >= 3)
                      .order_by(Delivery.day.desc())).first()
    assert trip is not None, "the demo has rounds of three stops or more"
    week = db.get(DeliveryWeek, trip.week_id)
    assert week is not None and week.state in (WeekState.PUBLISHED, WeekState.DELIVERED)
    grower = db.scalars(select(User).where(User.farm_id == trip.farm_id,
                                           User.role == Role.GROWER)).first()
    assert grower is not None
    stops = [
        name for name, in db.execute(
            select(Canteen.name).join(Delivery, Delivery.canteen_id == Canteen.id)
            .where(Delivery.farm_id == trip.farm_id, Delivery.day == trip.day)
            .order_by(Delivery.route_order))
    ]  # fmt: skip
    assert len(stops) >= 3
    login(grower, DEMO_PASSWORD)
    html = client.get(f"/semaines/{week.iso_week}/mes-livraisons").get_data(as_text=True)
    page = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    sections = [part for part in page.split("À récolter")[1:] if all(n in part for n in stops)]
    assert sections, "the day's section lists every stop"
    harvest, _, rounds = sections[0].partition("Tournée")
    assert rounds and harvest.strip(), "what to harvest comes before the round"
    positions = [rounds.index(name) for name in stops]
    assert positions == sorted(positions), f"stops out of round order: {stops}"
