"""The shared sheet layout: widths from content, spills, wraps, orientation, crate formats."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from pial.sheet_layout import (
    DATETIME_FORMAT,
    MAX_WIDTH,
    MONEY_FORMAT,
    crates_format,
    finish_sheet,
)


def test_widths_fit_the_formatted_values_and_titles_spill() -> None:
    sheet = Workbook().active
    sheet["A1"] = "Un long titre qui déborde sur les colonnes vides à sa droite"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A3"], sheet["B3"], sheet["C3"], sheet["D3"] = "Publié le", None, "Ferme", "Valeur HT"
    sheet["B3"] = dt.datetime(2026, 11, 21, 0, 0)  # midnight, shown with its time all the same
    sheet["B3"].number_format = DATETIME_FORMAT
    sheet["C4"], sheet["D4"] = "GAEC de la Garonne", 1234.5
    sheet["D4"].number_format = MONEY_FORMAT
    finish_sheet(sheet, "Essai")

    width = {letter: sheet.column_dimensions[letter].width for letter in "ABCD"}
    assert width["B"] >= len("21/11/2026 00:00")
    assert width["C"] >= len("GAEC de la Garonne")
    assert width["D"] >= len("1 234,50 €")
    assert width["A"] < 20  # the title spills over B to D instead of widening A
    assert sheet.page_setup.orientation == "portrait"
    assert sheet.oddHeader.center.text == "Essai"


def test_a_text_too_long_wraps_and_its_row_grows() -> None:
    sheet = Workbook().active
    sheet["A1"], sheet["B1"] = "Sites de livraison", "école, " * 30
    sheet["A2"], sheet["B2"] = "Jours", "lundi"
    finish_sheet(sheet, "Réponse")
    assert sheet.column_dimensions["B"].width == MAX_WIDTH
    assert sheet["B1"].alignment.wrap_text
    assert sheet.row_dimensions[1].height >= 45
    assert sheet["A1"].alignment.vertical == "top"


def test_wide_sheets_print_in_landscape() -> None:
    sheet = Workbook().active
    for column in range(1, 12):
        sheet.cell(row=1, column=column, value=f"Colonne numéro {column}")
    finish_sheet(sheet, "Large", "1:1")
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$1:$1"


def test_whole_crates_are_integers() -> None:
    assert crates_format(Decimal("4.0")).endswith("#,##0")
    assert crates_format(4).endswith("#,##0")
    assert crates_format(Decimal("4.5")).endswith("#,##0.0")
