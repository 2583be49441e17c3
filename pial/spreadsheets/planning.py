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
from openpyxl.worksheet.pagebreak import Break

from pial.spreadsheets.data import Party, PlannedLine, PlanningWorkbookData, ProductInfo
from pial.spreadsheets.styles import (
    BLOCK_FONT,
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
    crates_format,
    finish_sheet,
    french_day,
    local_time,
    set_text,
    style_header_row,
)
from pial.units import unit_names

PLANNING_SHEET = "Planning"
GROWERS_SHEET = "Par producteur"
CANTEENS_SHEET = "Par cantine"
EQUITY_SHEET = "Équité"
CONTRACTS_SHEET = "Contrats"

PLANNING_HEADER_ROW = 4
"""Row of the column titles of the Planning sheet; rows above it hold the week's header."""

PLANNING_FIXED_COLUMNS = ("Produit", "Unité")
PLANNING_TRAILING_COLUMNS = ("Total", "Cagettes", "Commandé", "Manque")
HARVEST_TITLE = "À récolter"
HARVEST_COLUMNS = ("Jour", "Produit", "Quantité", "Unité", "Cagettes")
ROUNDS_TITLE = "Livraisons, dans l'ordre des tournées"
GROWER_COLUMNS = (
    "Jour", "Arrêt", "Cantine", "Produit", "Quantité", "Unité", "Cagettes", "Valeur HT",
    "Distance (km)", "kg·km",
)  # fmt: skip
NOTE_COLUMNS = (
    "Produit", "Producteur", "Quantité", "Unité", "Cagettes", "Prix unitaire HT",
    "Montant HT", "dont frais d'intermédiation",
)  # fmt: skip
NOTE_AMOUNT_COLUMN = 7
SIGNATURES = ("Signature du livreur", "Reçu le ……/……/………… — signature et cachet du destinataire")
EQUITY_COLUMNS = (
    "Producteur", "Valeur de la semaine HT", "Part de la semaine", "Part cible",
    "Écart à la cible", "Registre d'équité",
)  # fmt: skip
CONTRACT_COLUMNS = (
    "Contrat", "Acheteur", "Produit", "Unité", "Du", "Au", "Engagement annuel",
    "Livré à ce jour", "dont cette semaine", "Avancement",
)  # fmt: skip

UNITS_ORDER = ("kg", "bunch", "piece")


def total_label(unit: str) -> str:
    """Return the label of a block's total of one unit: « Total kg », « Total bottes »."""
    return f"Total {unit_names(unit)[1]}"


def week_total_label(unit: str) -> str:
    """Return the label of the week's total of one unit: « Total de la semaine (bottes) »."""
    return f"Total de la semaine ({unit_names(unit)[1]})"


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

    week_totals: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    row = PLANNING_HEADER_ROW + 1
    blocks = sorted(quantities, key=lambda key: (key[0], canteen_names[key[1]], key[1]))
    for day, canteen_id in blocks:
        canteen_name = canteen_names[canteen_id]
        title = sheet.cell(row=row, column=1)
        set_text(title, f"{french_day(day)} — {canteen_name}")
        title.font = BLOCK_FONT
        row += 1
        # Quantities add up only within a unit: kg with kg, bunches with bunches.
        block_totals: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
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
                block_totals[product.unit][farm_id] += quantity
            sheet.cell(row=row, column=total_column, value=total).number_format = QUANTITY_FORMAT
            crates = product.crates(total)
            if crates is not None:
                sheet.cell(
                    row=row, column=crates_column, value=crates
                ).number_format = crates_format(crates)
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
        for unit in _units(block_totals):
            _write_unit_totals(
                sheet, row, total_label(unit), block_totals[unit], grower_column, total_column
            )
            for farm_id, quantity in block_totals[unit].items():
                week_totals[unit][farm_id] += quantity
            row += 1
        row += 1
    for unit in _units(week_totals):
        _write_unit_totals(
            sheet, row, week_total_label(unit), week_totals[unit], grower_column, total_column
        )
        row += 1

    sheet.freeze_panes = sheet.cell(row=PLANNING_HEADER_ROW + 1, column=3)
    finish_sheet(sheet, f"Planning des livraisons — {data.week_label}", f"1:{PLANNING_HEADER_ROW}")


def _units(totals: dict[str, Any]) -> list[str]:
    """Return the units of ``totals`` in a fixed order: kg, bunches, pieces, then any other."""
    return sorted(totals, key=lambda unit: (
        UNITS_ORDER.index(unit) if unit in UNITS_ORDER else len(UNITS_ORDER), unit))


def _write_unit_totals(
    sheet: Any,
    row: int,
    label: str,
    totals_by_farm: dict[int, Decimal],
    grower_column: dict[int, int],
    total_column: int,
) -> None:
    """Write a totals row of one unit under each grower column and in the Total column."""
    sheet.cell(row=row, column=1, value=label)
    for farm_id, quantity in totals_by_farm.items():
        cell = sheet.cell(row=row, column=grower_column[farm_id], value=quantity)
        cell.number_format = QUANTITY_FORMAT
    sheet.cell(row=row, column=total_column, value=sum(totals_by_farm.values(), Decimal(0)))
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
    """Write one pick list per grower: what to harvest, then the deliveries in round order."""
    _write_week_header(sheet, data, "Listes de préparation par producteur")
    by_farm: dict[tuple[str, int], list[PlannedLine]] = defaultdict(list)
    for line in data.lines:
        by_farm[(line.farm_name, line.farm_id)].append(line)
    row = 4
    for farm_name, _farm_id in sorted(by_farm):
        lines = sorted(
            by_farm[(farm_name, _farm_id)],
            key=lambda line: (
                line.day,
                line.round_position if line.round_position is not None else 10**6,
                line.canteen_name,
                _product(data, line.product_slug).name,
            ),
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
        row = _write_harvest(sheet, row, data, lines)
        sheet.cell(row=row, column=1, value=ROUNDS_TITLE).font = TOTAL_FONT
        row += 1
        _write_row(sheet, row, [(title, None) for title in GROWER_COLUMNS])
        style_header_row(sheet, row, 1, len(GROWER_COLUMNS))
        row += 1
        for line in lines:
            product = _product(data, line.product_slug)
            crates = product.crates(line.quantity)
            _write_row(
                sheet, row,
                [(line.day, DATE_FORMAT), (line.round_position, None), (line.canteen_name, None),
                 (product.name, None), (line.quantity, QUANTITY_FORMAT),
                 (product.unit_label, None), (crates, crates_format(crates)),
                 (line.value_eur, MONEY_FORMAT), (line.distance_km, KM_FORMAT),
                 (line.kg_km(product), KG_KM_FORMAT)],
            )  # fmt: skip
            row += 1
        _write_row(
            sheet, row,
            [("Total", None), *[(None, None)] * 6, (value, MONEY_FORMAT), (None, None),
             (kg_km, KG_KM_FORMAT)],
        )  # fmt: skip
        for column in range(1, len(GROWER_COLUMNS) + 1):
            sheet.cell(row=row, column=column).font = TOTAL_FONT
            sheet.cell(row=row, column=column).border = TOTAL_BORDER
        row += 1
        sheet.row_breaks.append(Break(id=row))
        row += 1
    finish_sheet(sheet, f"Listes de préparation — {data.week_label}", "1:2")


def _write_harvest(sheet: Any, row: int, data: PlanningWorkbookData,
                   lines: list[PlannedLine]) -> int:
    """Write what a grower harvests each day, product by product; return the next free row."""
    sheet.cell(row=row, column=1, value=HARVEST_TITLE).font = TOTAL_FONT
    row += 1
    _write_row(sheet, row, [(title, None) for title in HARVEST_COLUMNS])
    style_header_row(sheet, row, 1, len(HARVEST_COLUMNS))
    row += 1
    harvest: dict[tuple[dt.date, str], Decimal] = defaultdict(Decimal)
    for line in lines:
        harvest[(line.day, line.product_slug)] += line.quantity
    for day, slug in sorted(harvest, key=lambda key: (key[0], _product(data, key[1]).name)):
        product = _product(data, slug)
        quantity = harvest[(day, slug)]
        crates = product.crates(quantity)
        _write_row(
            sheet, row,
            [(day, DATE_FORMAT), (product.name, None), (quantity, QUANTITY_FORMAT),
             (product.unit_label, None), (crates, crates_format(crates))],
        )  # fmt: skip
        row += 1
    return row + 1


def _party_rows(role: str | None, party: Party | None) -> list[list[tuple[Any, str | None]]]:
    """Return the rows naming a party of a delivery note: name, address, SIRET, certificate."""
    if party is None:
        return []
    details = [
        f"SIRET {party.siret}" if party.siret else "SIRET non renseigné",
        f"Certification bio : {party.organic_certificate}" if party.organic_certificate
        else "",
    ]
    return [
        [(role, None), (party.name, None)],
        [(None, None), (party.address or "Adresse non renseignée", None)],
        [(None, None), (" — ".join(text for text in details if text), None)],
    ]


def _write_canteens_sheet(sheet: Any, data: PlanningWorkbookData) -> None:
    """Write one delivery note per canteen and day: parties, lines, totals, signatures."""
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
        recipient = data.canteens.get(canteen_id, Party(canteen_name))
        for values in (*_party_rows("Fournisseur", data.supplier),
                       *_party_rows("Destinataire", recipient)):
            _write_row(sheet, row, values)
            sheet.cell(row=row, column=1).font = TOTAL_FONT
            row += 1
        _write_row(sheet, row, [(title_text, None) for title_text in NOTE_COLUMNS])
        style_header_row(sheet, row, 1, len(NOTE_COLUMNS))
        row += 1
        for line in lines:
            product = _product(data, line.product_slug)
            crates = product.crates(line.quantity)
            _write_row(
                sheet, row,
                [(product.name, None), (line.farm_name, None), (line.quantity, QUANTITY_FORMAT),
                 (product.unit_label, None), (crates, crates_format(crates)),
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
            cell = sheet.cell(row=row, column=NOTE_AMOUNT_COLUMN, value=amount)
            cell.number_format = MONEY_FORMAT
            cell.font = TOTAL_FONT
            cell.border = TOTAL_BORDER
            row += 1
        row += 1
        sheet.cell(row=row, column=1, value="Producteurs").font = TOTAL_FONT
        row += 1
        farm_ids = sorted({(line.farm_name, line.farm_id) for line in lines})
        for farm_name, farm_id in farm_ids:
            for values in _party_rows(None, data.farms.get(farm_id, Party(farm_name))):
                _write_row(sheet, row, values)
                row += 1
        row += 2
        for column, label in zip((1, 5), SIGNATURES, strict=True):
            cell = sheet.cell(row=row, column=column, value=label)
            cell.border = TOTAL_BORDER
        row += 3
        sheet.row_breaks.append(Break(id=row))
        row += 1
    finish_sheet(sheet, f"Bons de livraison — {data.week_label}", "1:2")


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
    finish_sheet(sheet, f"Équité entre producteurs — {data.week_label}", "1:4")


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
    finish_sheet(sheet, f"Avancement des contrats — {data.week_label}", "1:4")
