"""The weekly planning workbook: grid, pick lists, delivery notes, fairness, contracts.

A pure writer: it takes a ``PlanningWorkbookData`` and writes an ``.xlsx`` to a binary stream.
Every figure is written as a value (no formula), so that any reader sees the same numbers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from pial.spreadsheets.data import PlannedLine, PlanningWorkbookData, ProductInfo
from pial.spreadsheets.styles import (
    BLOCK_FONT,
    CRATES_FORMAT,
    DATE_FORMAT,
    DATETIME_FORMAT,
    KG_KM_FORMAT,
    KM_FORMAT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    QUANTITY_FORMAT,
    SHORTFALL_FILL,
    SHORTFALL_FONT,
    TITLE_FONT,
    TOTAL_BORDER,
    TOTAL_FONT,
    french_day,
    local_time,
    set_print_layout,
    set_text,
    style_header_row,
)

PLANNING_SHEET = "Planning"
GROWERS_SHEET = "Par producteur"
CANTEENS_SHEET = "Par cantine"
EQUITY_SHEET = "Équité"
CONTRACTS_SHEET = "Contrats"

PLANNING_HEADER_ROW = 4
"""Row of the column titles of the Planning sheet; rows above it hold the week's header."""

PLANNING_FIXED_COLUMNS = ("Produit", "Unité")
PLANNING_TRAILING_COLUMNS = ("Total", "Cagettes", "Commandé", "Manque")
GROWER_COLUMNS = (
    "Jour", "Cantine", "Produit", "Quantité", "Unité", "Cagettes", "Valeur HT",
    "Distance (km)", "kg·km",
)  # fmt: skip
NOTE_COLUMNS = (
    "Produit", "Producteur", "Quantité", "Unité", "Cagettes", "Prix unitaire HT",
    "Montant HT", "dont frais d'intermédiation",
)  # fmt: skip
EQUITY_COLUMNS = (
    "Producteur", "Valeur de la semaine HT", "Part de la semaine", "Part cible",
    "Écart à la cible", "Registre d'équité",
)  # fmt: skip
CONTRACT_COLUMNS = (
    "Contrat", "Acheteur", "Produit", "Unité", "Du", "Au", "Engagement annuel",
    "Livré à ce jour", "dont cette semaine", "Avancement",
)  # fmt: skip

TOTAL_KG_LABEL = "Total (kg)"
WEEK_TOTAL_KG_LABEL = "Total de la semaine (kg)"


def write_planning_workbook(data: PlanningWorkbookData, stream: IO[bytes]) -> None:
    """Write the planning workbook of a published week to ``stream``."""
    workbook = Workbook()
    _write_planning_sheet(workbook.active, data)
    _write_growers_sheet(workbook.create_sheet(GROWERS_SHEET), data)
    _write_canteens_sheet(workbook.create_sheet(CANTEENS_SHEET), data)
    _write_equity_sheet(workbook.create_sheet(EQUITY_SHEET), data)
    _write_contracts_sheet(workbook.create_sheet(CONTRACTS_SHEET), data)
    workbook.save(stream)


def _write_week_header(sheet: Any, data: PlanningWorkbookData, title: str) -> None:
    """Write the title and the week, version, coordinator and publication time (rows 1–2)."""
    sheet["A1"] = f"{title} — {data.week_label}"
    sheet["A1"].font = TITLE_FONT
    sheet["A2"] = "Semaine"
    sheet["B2"] = data.iso_week
    sheet["C2"] = "Version"
    sheet["D2"] = data.version
    sheet["E2"] = "Coordination"
    set_text(sheet["F2"], data.coordinator_name or "—")
    sheet["G2"] = "Publié le"
    if data.published_dt is not None:
        sheet["H2"] = local_time(data.published_dt)
        sheet["H2"].number_format = DATETIME_FORMAT
    else:
        sheet["H2"] = "non publié"
    for column in "ACEG":
        sheet[f"{column}2"].font = TOTAL_FONT


def _product(data: PlanningWorkbookData, slug: str) -> ProductInfo:
    return data.products[slug]


def _write_planning_sheet(sheet: Any, data: PlanningWorkbookData) -> None:
    """Write one products × growers grid per delivery day and canteen, with totals."""
    sheet.title = PLANNING_SHEET
    _write_week_header(sheet, data, "Planning des livraisons")
    growers = sorted({(line.farm_name, line.farm_id) for line in data.lines})
    grower_column = {farm_id: 3 + index for index, (_, farm_id) in enumerate(growers)}
    total_column = 3 + len(growers)
    crates_column, ordered_column, shortfall_column = (
        total_column + 1, total_column + 2, total_column + 3,
    )  # fmt: skip

    titles = [*PLANNING_FIXED_COLUMNS, *(name for name, _ in growers), *PLANNING_TRAILING_COLUMNS]
    for column, title in enumerate(titles, start=1):
        set_text(sheet.cell(row=PLANNING_HEADER_ROW, column=column), title)
    style_header_row(sheet, PLANNING_HEADER_ROW, 1, len(titles))

    quantities: dict[tuple[dt.date, int], dict[str, dict[int, Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(Decimal))
    )
    canteen_names: dict[int, str] = {}
    for line in data.lines:
        quantities[(line.day, line.canteen_id)][line.product_slug][line.farm_id] += line.quantity
        canteen_names[line.canteen_id] = line.canteen_name
    ordered: dict[tuple[dt.date, int], dict[str, Decimal]] = defaultdict(
        lambda: defaultdict(Decimal)
    )
    for order in data.orders:
        ordered[(order.day, order.canteen_id)][order.product_slug] += order.quantity
        canteen_names[order.canteen_id] = order.canteen_name
        # A canteen that ordered but received nothing still gets its block (all shortfall).
        quantities[(order.day, order.canteen_id)].setdefault(
            order.product_slug, defaultdict(Decimal)
        )

    week_kg: dict[int, Decimal] = defaultdict(Decimal)
    row = PLANNING_HEADER_ROW + 1
    blocks = sorted(quantities, key=lambda key: (key[0], canteen_names[key[1]], key[1]))
    for day, canteen_id in blocks:
        canteen_name = canteen_names[canteen_id]
        title = sheet.cell(row=row, column=1)
        set_text(title, f"{french_day(day)} — {canteen_name}")
        title.font = BLOCK_FONT
        row += 1
        block_kg: dict[int, Decimal] = defaultdict(Decimal)
        by_product = quantities[(day, canteen_id)]
        for slug in sorted(by_product, key=lambda slug: _product(data, slug).name):
            product = _product(data, slug)
            set_text(sheet.cell(row=row, column=1), product.name)
            sheet.cell(row=row, column=2, value=product.unit_label)
            total = Decimal(0)
            for farm_id, quantity in by_product[slug].items():
                cell = sheet.cell(row=row, column=grower_column[farm_id], value=quantity)
                cell.number_format = QUANTITY_FORMAT
                total += quantity
                block_kg[farm_id] += quantity * product.unit_kg
            sheet.cell(row=row, column=total_column, value=total).number_format = QUANTITY_FORMAT
            crates = product.crates(total)
            if crates is not None:
                sheet.cell(
                    row=row, column=crates_column, value=crates
                ).number_format = CRATES_FORMAT
            ordered_quantity = ordered[(day, canteen_id)].get(slug)
            if ordered_quantity is not None:
                cell = sheet.cell(row=row, column=ordered_column, value=ordered_quantity)
                cell.number_format = QUANTITY_FORMAT
                if ordered_quantity > total:
                    shortfall = sheet.cell(
                        row=row, column=shortfall_column, value=ordered_quantity - total
                    )
                    shortfall.number_format = QUANTITY_FORMAT
                    for column in range(1, shortfall_column + 1):
                        sheet.cell(row=row, column=column).fill = SHORTFALL_FILL
                        sheet.cell(row=row, column=column).font = SHORTFALL_FONT
            row += 1
        _write_kg_totals(sheet, row, TOTAL_KG_LABEL, block_kg, grower_column, total_column)
        for farm_id, kg in block_kg.items():
            week_kg[farm_id] += kg
        row += 2
    _write_kg_totals(sheet, row, WEEK_TOTAL_KG_LABEL, week_kg, grower_column, total_column)

    sheet.freeze_panes = sheet.cell(row=PLANNING_HEADER_ROW + 1, column=3)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 8
    for column in range(3, shortfall_column + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 13
    set_print_layout(sheet, f"1:{PLANNING_HEADER_ROW}")


def _write_kg_totals(
    sheet: Any,
    row: int,
    label: str,
    kg_by_farm: dict[int, Decimal],
    grower_column: dict[int, int],
    total_column: int,
) -> None:
    """Write a totals row in kg under each grower column and in the Total column."""
    sheet.cell(row=row, column=1, value=label)
    for farm_id, kg in kg_by_farm.items():
        sheet.cell(row=row, column=grower_column[farm_id], value=kg).number_format = QUANTITY_FORMAT
    sheet.cell(row=row, column=total_column, value=sum(kg_by_farm.values(), Decimal(0)))
    sheet.cell(row=row, column=total_column).number_format = QUANTITY_FORMAT
    for column in range(1, total_column + 1):
        sheet.cell(row=row, column=column).font = TOTAL_FONT
        sheet.cell(row=row, column=column).border = TOTAL_BORDER


def _write_row(sheet: Any, row: int, values: list[tuple[Any, str | None]]) -> None:
    """Write ``(value, number_format)`` pairs from column A; strings are written as text."""
    for column, (value, number_format) in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            set_text(cell, value)
        else:
            cell.value = value
        if number_format:
            cell.number_format = number_format


def _write_growers_sheet(sheet: Any, data: PlanningWorkbookData) -> None:
    """Write one pick list per grower: by day and canteen, with value and kg·km."""
    _write_week_header(sheet, data, "Listes de préparation par producteur")
    by_farm: dict[tuple[str, int], list[PlannedLine]] = defaultdict(list)
    for line in data.lines:
        by_farm[(line.farm_name, line.farm_id)].append(line)
    row = 4
    for farm_name, _farm_id in sorted(by_farm):
        lines = sorted(
            by_farm[(farm_name, _farm_id)],
            key=lambda line: (line.day, line.canteen_name, _product(data, line.product_slug).name),
        )
        value = sum((line.value_eur for line in lines), Decimal(0))
        kg_km = sum((line.kg_km(_product(data, line.product_slug)) for line in lines), Decimal(0))
        _write_row(
            sheet, row,
            [(farm_name, None), ("Valeur HT", None), (value, MONEY_FORMAT),
             ("kg·km", None), (kg_km, KG_KM_FORMAT)],
        )  # fmt: skip
        sheet.cell(row=row, column=1).font = BLOCK_FONT
        row += 1
        _write_row(sheet, row, [(title, None) for title in GROWER_COLUMNS])
        style_header_row(sheet, row, 1, len(GROWER_COLUMNS))
        row += 1
        for line in lines:
            product = _product(data, line.product_slug)
            _write_row(
                sheet, row,
                [(line.day, DATE_FORMAT), (line.canteen_name, None), (product.name, None),
                 (line.quantity, QUANTITY_FORMAT), (product.unit_label, None),
                 (product.crates(line.quantity), CRATES_FORMAT), (line.value_eur, MONEY_FORMAT),
                 (line.distance_km, KM_FORMAT), (line.kg_km(product), KG_KM_FORMAT)],
            )  # fmt: skip
            row += 1
        _write_row(
            sheet, row,
            [("Total", None), *[(None, None)] * 5, (value, MONEY_FORMAT), (None, None),
             (kg_km, KG_KM_FORMAT)],
        )  # fmt: skip
        for column in range(1, len(GROWER_COLUMNS) + 1):
            sheet.cell(row=row, column=column).font = TOTAL_FONT
            sheet.cell(row=row, column=column).border = TOTAL_BORDER
        row += 1
        sheet.row_breaks.append(Break(id=row))
        row += 1
    _set_widths(sheet, (12, 28, 26, 11, 8, 10, 13, 12, 10))
    set_print_layout(sheet, "1:2")


def _write_canteens_sheet(sheet: Any, data: PlanningWorkbookData) -> None:
    """Write one delivery note per canteen and day, with totals before and after the fee."""
    _write_week_header(sheet, data, "Bons de livraison par cantine")
    by_note: dict[tuple[str, int, dt.date], list[PlannedLine]] = defaultdict(list)
    for line in data.lines:
        by_note[(line.canteen_name, line.canteen_id, line.day)].append(line)
    row = 4
    for canteen_name, canteen_id, day in sorted(by_note):
        lines = sorted(
            by_note[(canteen_name, canteen_id, day)],
            key=lambda line: (_product(data, line.product_slug).name, line.farm_name),
        )
        title = sheet.cell(row=row, column=1)
        set_text(title, f"Bon de livraison — {canteen_name} — {french_day(day)}")
        title.font = BLOCK_FONT
        row += 1
        _write_row(sheet, row, [(title_text, None) for title_text in NOTE_COLUMNS])
        style_header_row(sheet, row, 1, len(NOTE_COLUMNS))
        row += 1
        for line in lines:
            product = _product(data, line.product_slug)
            _write_row(
                sheet, row,
                [(product.name, None), (line.farm_name, None), (line.quantity, QUANTITY_FORMAT),
                 (product.unit_label, None), (product.crates(line.quantity), CRATES_FORMAT),
                 (line.unit_price_eur, MONEY_FORMAT), (line.value_eur, MONEY_FORMAT),
                 (line.fee_eur, MONEY_FORMAT)],
            )  # fmt: skip
            row += 1
        total = sum((line.value_eur for line in lines), Decimal(0))
        fee = sum((line.fee_eur for line in lines), Decimal(0))
        for label, amount in (
            ("Total avant frais d'intermédiation", total - fee),
            ("Frais d'intermédiation", fee),
            ("Total HT", total),
        ):
            sheet.cell(row=row, column=1, value=label).font = TOTAL_FONT
            cell = sheet.cell(row=row, column=7, value=amount)
            cell.number_format = MONEY_FORMAT
            cell.font = TOTAL_FONT
            cell.border = TOTAL_BORDER
            row += 1
        sheet.row_breaks.append(Break(id=row))
        row += 1
    _set_widths(sheet, (28, 26, 11, 8, 10, 14, 14, 16))
    set_print_layout(sheet, "1:2")


def _write_equity_sheet(sheet: Any, data: PlanningWorkbookData) -> None:
    """Write each grower's share of the week against its target, and its ledger balance."""
    _write_week_header(sheet, data, "Équité entre producteurs")
    _write_row(sheet, 4, [(title, None) for title in EQUITY_COLUMNS])
    style_header_row(sheet, 4, 1, len(EQUITY_COLUMNS))
    total = sum((grower.value_eur for grower in data.equity), Decimal(0))
    row = 5
    for grower in sorted(data.equity, key=lambda grower: grower.farm_name):
        share = grower.value_eur / total if total else None
        gap = (
            grower.value_eur - (grower.target_share * total).quantize(Decimal("0.01"))
            if grower.target_share is not None
            else None
        )
        _write_row(
            sheet, row,
            [(grower.farm_name, None), (grower.value_eur, MONEY_FORMAT),
             (share, PERCENT_FORMAT), (grower.target_share, PERCENT_FORMAT),
             (gap, MONEY_FORMAT), (grower.ledger_eur, MONEY_FORMAT)],
        )  # fmt: skip
        row += 1
    _write_row(sheet, row, [("Total", None), (total, MONEY_FORMAT)])
    for column in range(1, len(EQUITY_COLUMNS) + 1):
        sheet.cell(row=row, column=column).font = TOTAL_FONT
        sheet.cell(row=row, column=column).border = TOTAL_BORDER
    sheet.freeze_panes = "B5"
    _set_widths(sheet, (28, 18, 14, 12, 16, 18))
    set_print_layout(sheet, "1:4")


def _write_contracts_sheet(sheet: Any, data: PlanningWorkbookData) -> None:
    """Write the progress of every contract line against its commitment of the year."""
    _write_week_header(sheet, data, "Avancement des contrats")
    _write_row(sheet, 4, [(title, None) for title in CONTRACT_COLUMNS])
    style_header_row(sheet, 4, 1, len(CONTRACT_COLUMNS))
    row = 5
    for progress in sorted(
        data.contracts,
        key=lambda item: (item.contract_title, _product(data, item.product_slug).name),
    ):
        product = _product(data, progress.product_slug)
        _write_row(
            sheet, row,
            [(progress.contract_title, None), (progress.buyer_name, None), (product.name, None),
             (product.unit_label, None), (progress.start_date, DATE_FORMAT),
             (progress.end_date, DATE_FORMAT), (progress.committed_quantity, QUANTITY_FORMAT),
             (progress.delivered_quantity, QUANTITY_FORMAT),
             (progress.this_week_quantity, QUANTITY_FORMAT), (progress.progress, PERCENT_FORMAT)],
        )  # fmt: skip
        row += 1
    if not data.contracts:
        sheet.cell(row=row, column=1, value="Aucun contrat en cours cette semaine.")
    sheet.freeze_panes = "B5"
    _set_widths(sheet, (30, 24, 22, 8, 11, 11, 16, 15, 15, 12))
    set_print_layout(sheet, "1:4")


def _set_widths(sheet: Any, widths: tuple[int, ...]) -> None:
    """Set the widths of the first columns, in characters."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
