"""Availability and order templates: a data-entry sheet with drop-down lists and validation.

The lists (products, days) live on a hidden sheet; the file's purpose (kind, week, farm or
canteen) on a very hidden one, so that an upload knows what it is for. Existing lines are
pre-filled, so a template is also an export that can be edited and imported back.
"""

from __future__ import annotations

import datetime as dt
from typing import IO

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from pial.spreadsheets.data import EntryTemplateData
from pial.spreadsheets.styles import (
    QUANTITY_FORMAT,
    TITLE_FONT,
    WRAP,
    french_day,
    set_print_layout,
    set_text,
    style_header_row,
)

FORMAT_NAME = "pial-saisie/1"
AVAILABILITY = "availability"
ORDERS = "orders"
ENTRY_SHEETS = {AVAILABILITY: "Disponibilités", ORDERS: "Commandes"}
LISTS_SHEET = "Listes"
META_SHEET = "_pial"
OWNER_LABELS = {AVAILABILITY: "Ferme", ORDERS: "Cantine"}
ENTRY_COLUMNS = ("Produit", "Jour", "Quantité", "Note")
HEADER_ROW = 5
ANY_DAY_LABEL = "Toute la semaine"
EMPTY_ROWS = 150
"""Blank rows with drop-downs offered below the pre-filled lines."""


def day_label(day: dt.date | None) -> str:
    """Return the label of a day in the templates' drop-down list."""
    return ANY_DAY_LABEL if day is None else french_day(day)


def write_entry_template(data: EntryTemplateData, stream: IO[bytes]) -> None:
    """Write an availability or order template to ``stream``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ENTRY_SHEETS[data.kind]
    what = "Disponibilités" if data.kind == AVAILABILITY else "Commandes"
    set_text(sheet["A1"], f"{what} — {data.owner_name} — {data.week_label}")
    sheet["A1"].font = TITLE_FONT
    sheet["A2"] = "Semaine"
    sheet["B2"] = data.iso_week
    sheet["C2"] = OWNER_LABELS[data.kind]
    set_text(sheet["D2"], data.owner_name)
    sheet["A3"] = (
        "Choisissez le produit et le jour dans les listes ; quantité dans l'unité du produit "
        "(virgule décimale acceptée). Les lignes vides sont ignorées ; une quantité 0 retire "
        "la ligne. Pas de formule."
    )
    sheet["A3"].alignment = WRAP
    sheet.merge_cells("A3:D3")
    sheet.row_dimensions[3].height = 45
    for column, title in enumerate(ENTRY_COLUMNS, start=1):
        sheet.cell(row=HEADER_ROW, column=column, value=title)
    style_header_row(sheet, HEADER_ROW, 1, len(ENTRY_COLUMNS))

    products = {product.slug: product for product in data.products}
    row = HEADER_ROW + 1
    for line in data.lines:
        set_text(sheet.cell(row=row, column=1), products[line.product_slug].label)
        sheet.cell(row=row, column=2, value=day_label(line.day))
        sheet.cell(row=row, column=3, value=line.quantity).number_format = QUANTITY_FORMAT
        if line.note:
            set_text(sheet.cell(row=row, column=4), line.note)
        row += 1
    last_row = row + EMPTY_ROWS - 1
    for empty_row in range(row, last_row + 1):
        sheet.cell(row=empty_row, column=3).number_format = QUANTITY_FORMAT

    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    for index, product in enumerate(sorted(data.products, key=lambda p: p.label), start=1):
        set_text(lists.cell(row=index, column=1), product.label)
    day_labels = [day_label(day) for day in data.days]
    if data.kind == AVAILABILITY:
        day_labels.insert(0, ANY_DAY_LABEL)
    for index, label in enumerate(day_labels, start=1):
        lists.cell(row=index, column=2, value=label)
    _add_validations(sheet, len(data.products), len(day_labels), last_row)

    meta = workbook.create_sheet(META_SHEET)
    meta.sheet_state = "veryHidden"
    for index, (key, value) in enumerate(
        (("format", FORMAT_NAME), ("type", data.kind), ("semaine", data.iso_week),
         ("id", data.owner_id)),
        start=1,
    ):  # fmt: skip
        meta.cell(row=index, column=1, value=key)
        meta.cell(row=index, column=2, value=value)

    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    for letter, width in zip("ABCD", (34, 22, 12, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    set_print_layout(sheet, f"1:{HEADER_ROW}")
    workbook.save(stream)


def _add_validations(sheet: object, product_count: int, day_count: int, last_row: int) -> None:
    """Restrict products and days to the lists, quantities to numbers ≥ 0."""
    first = HEADER_ROW + 1
    products = DataValidation(
        type="list",
        formula1=f"={LISTS_SHEET}!$A$1:$A${max(product_count, 1)}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Produit inconnu",
        error="Choisissez un produit de la liste.",
    )
    days = DataValidation(
        type="list",
        formula1=f"={LISTS_SHEET}!$B$1:$B${max(day_count, 1)}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Jour invalide",
        error="Choisissez un jour de livraison de la liste.",
    )
    quantities = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Quantité invalide",
        error="Saisissez un nombre positif ou nul.",
    )
    for validation, column in ((products, "A"), (days, "B"), (quantities, "C")):
        validation.add(f"{column}{first}:{column}{last_row}")
        sheet.add_data_validation(validation)  # type: ignore[attr-defined]
