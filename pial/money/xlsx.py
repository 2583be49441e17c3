"""Spreadsheet versions of the statements and of the regulation report (openpyxl).

Amounts are written as numbers with a euro format (never as text), so that the sheet's own
sums can be checked against the totals written by PIAL; user text never becomes a formula.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from pial.money.regulation import RegulationReport
from pial.money.statements import Statement, month_label
from pial.sheet_layout import (
    DATE_FORMAT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    QUANTITY_FORMAT,
    WHOLE_FORMAT,
    finish_workbook,
)
from pial.units import french_unit_label

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill(fill_type="solid", fgColor="D9D9D9")


def _text(value: Any) -> Any:
    """Return user text that a spreadsheet will never read as a formula."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value
    return value


def _row(sheet: Worksheet, values: Sequence[Any], formats: Sequence[str | None] = (),
         *, bold: bool = False, header: bool = False) -> int:
    """Append a row, converting Decimals to numbers and applying formats; return its index."""
    sheet.append([float(v) if isinstance(v, Decimal) else _text(v) for v in values])
    index: int = sheet.max_row
    for column, cell in enumerate(sheet[index]):
        fmt = formats[column] if column < len(formats) else None
        if fmt:
            cell.number_format = fmt
        if bold or header:
            cell.font = BOLD
        if header:
            cell.fill = HEADER_FILL
    return index


def _title(sheet: Worksheet, text: str) -> None:
    sheet.append([text])
    sheet.cell(sheet.max_row, 1).font = TITLE
    sheet.append([])


def statement_workbook(statement: Statement) -> io.BytesIO:
    """Return a statement as an .xlsx file: its lines, the totals, and the advances."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Relevé"
    owner = "Ferme" if statement.kind == "farm" else "Cantine"
    month = month_label(statement.month, "fr")  # the workbook is French for everyone
    _title(sheet, f"Relevé {month} — {owner} : {statement.owner_name}")
    headings = ["Date", "Semaine", "Ferme", "Cantine", "Produit", "Unité", "Quantité",
                "Prix unitaire", "Valeur", "Frais", "Fonds", "Avance retenue", "Net dû ferme",
                "Contrat", "Réception saisie"]
    _row(sheet, headings, header=True)
    formats = [DATE_FORMAT, None, None, None, None, None, QUANTITY_FORMAT, MONEY_FORMAT,
               MONEY_FORMAT, MONEY_FORMAT, MONEY_FORMAT, MONEY_FORMAT, MONEY_FORMAT]
    for line in statement.lines:
        _row(sheet, [line.day, line.iso_week, line.farm_name, line.canteen_name,
                     line.product_name, french_unit_label(line.unit), line.quantity,
                     line.unit_price_eur,
                     line.value_eur, line.fee_eur, line.fund_eur, line.recovered_eur,
                     line.net_eur, "oui" if line.under_contract else "non",
                     "oui" if line.received else "non (quantité prévue)"], formats)
    _row(sheet, ["Total", "", "", "", "", "", None, None,
                 statement.total("value_eur"), statement.total("fee_eur"),
                 statement.total("fund_eur"), statement.total("recovered_eur"),
                 statement.total("net_eur")], formats, bold=True)
    sheet.append([])
    if statement.kind == "canteen":
        _row(sheet, ["Montant dû par la cantine", statement.total("value_eur")],
             [None, MONEY_FORMAT], bold=True)
    else:
        _row(sheet, ["Net dû à la ferme", statement.total("net_eur")], [None, MONEY_FORMAT],
             bold=True)
    if statement.pending_sales:
        sheet.append([f"{statement.pending_sales} livraison(s) du mois pas encore "
                      "comptabilisée(s) : relevé provisoire."])
    sheet.append(["Arrondi : chaque ligne au centime (demi supérieur), totaux = sommes des "
                  "lignes arrondies."])
    sheet.freeze_panes = "A4"
    if statement.advances:
        advances = book.create_sheet("Avances")
        _title(advances, f"Avances de trésorerie — {statement.owner_name}")
        _row(advances, ["Accordée le", "Montant", "Taux de retenue", "Récupéré (total)",
                        "Récupéré ce mois", "Reste dû", "Close le"], header=True)
        for status in statement.advances:
            _row(advances, [status.advance.granted_date, status.advance.amount_eur,
                            status.advance.recovery_rate, status.recovered_eur,
                            status.recovered_this_month_eur, status.remaining_eur,
                            status.advance.closed_date],
                 [DATE_FORMAT, MONEY_FORMAT, PERCENT_FORMAT, MONEY_FORMAT, MONEY_FORMAT,
                  MONEY_FORMAT, DATE_FORMAT])
    if statement.transport:
        _transport_sheet(book, statement)
    finish_workbook(book, f"Relevé {month} — {statement.owner_name}")
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def _transport_sheet(book: Workbook, statement: Statement) -> None:
    """Add a farm's shared rounds of the month: owed, credited and the balance per day."""
    sheet = book.create_sheet("Tournées partagées")
    _title(sheet, f"Tournées partagées — {statement.owner_name}")
    _row(sheet, ["Jour", "Vos caisses transportées (kg·km)",
                 "Dû pour vos caisses transportées par d'autres",
                 "Crédit pour les tournées conduites", "Solde (+ à recevoir, − à payer)"],
         header=True)
    formats = [DATE_FORMAT, WHOLE_FORMAT, MONEY_FORMAT, MONEY_FORMAT, MONEY_FORMAT]
    for day in statement.transport:
        _row(sheet, [day.day, round(day.kg_km), day.owed_eur, day.credit_eur, day.balance_eur],
             formats)
    _row(sheet, ["Total", None, statement.transport_total("owed_eur"),
                 statement.transport_total("credit_eur"),
                 statement.transport_total("balance_eur")], formats, bold=True)
    sheet.append([])
    sheet.append(["Réglé entre producteurs : ni dans le net dû du relevé, ni sur les factures."])


def regulation_workbook(report: RegulationReport) -> io.BytesIO:
    """Return the regulation report as an .xlsx file, one sheet per topic."""
    book = Workbook()
    period = f"du {report.first_day:%d/%m/%Y} au {report.last_day:%d/%m/%Y}"
    summary = book.active
    assert summary is not None
    summary.title = "Synthèse"
    _title(summary, f"Rapport de régulation {period}")
    rows: list[tuple[str, Any, str | None]] = [
        ("Valeur commandée", report.ordered_eur, MONEY_FORMAT),
        ("Valeur servie (planning)", report.served_eur, MONEY_FORMAT),
        ("Taux de service", report.fill_rate, PERCENT_FORMAT),
        ("kg·km", report.kg_km, WHOLE_FORMAT),
        ("Valeur livrée comptabilisée", report.fees.value_eur if report.fees else 0,
         MONEY_FORMAT),
        ("Frais d'intermédiation", report.fees.fee_eur if report.fees else 0, MONEY_FORMAT),
        ("Contributions au fonds", report.fees.fund_eur if report.fees else 0, MONEY_FORMAT),
        ("Fonds : solde d'ouverture", report.fund_opening_eur, MONEY_FORMAT),
        ("Fonds : solde de clôture", report.fund_closing_eur, MONEY_FORMAT),
    ]
    for label, value, fmt in rows:
        _row(summary, [label, value], [None, fmt])

    weeks = book.create_sheet("Semaines")
    _row(weeks, ["Semaine", "Commandé", "Servi", "Taux de service", "Taux contrats", "kg·km",
                 "Livraisons"], header=True)
    for w in report.weeks:
        _row(weeks, [w.week.iso_week, w.run.ordered_eur, w.run.served_eur, w.run.fill_rate,
                     w.run.contract_fill_rate, w.run.kg_km, w.run.deliveries],
             [None, MONEY_FORMAT, MONEY_FORMAT, PERCENT_FORMAT, PERCENT_FORMAT, WHOLE_FORMAT])

    shortfalls = book.create_sheet("Manques")
    _row(shortfalls, ["Semaine", "Produit", "Quantité manquante", "Unité", "Cantines", "Cause"],
         header=True)
    for s in report.shortfalls:
        _row(shortfalls, [s.iso_week, s.product.name_fr, s.quantity,
                          french_unit_label(s.product.unit),
                          ", ".join(s.canteens), s.cause], [None, None, QUANTITY_FORMAT])

    failures = book.create_sheet("Pertes de récolte")
    _row(failures, ["Semaine", "Ferme", "Produit", "Quantité perdue", "Reprise par",
                    "Non couvert", "Note"], header=True)
    for f in report.failures:
        covered = ", ".join(f"{name} ({qty})" for name, qty in f.covered_by) or "personne"
        _row(failures, [f.failure.week.iso_week, f.failure.farm.name, f.failure.product.name_fr,
                        f.failure.quantity_lost, covered, f.uncovered, f.failure.note or ""],
             [None, None, None, QUANTITY_FORMAT, None, QUANTITY_FORMAT])

    ledger = book.create_sheet("Équité")
    _row(ledger, ["Ferme", "Part cible", "Part réalisée (saison)", "Valeur attribuée (saison)",
                  "Corrections (réceptions)", "Solde d'équité"], header=True)
    for summary_row in report.ledger:
        _row(ledger, [summary_row.farm.name, summary_row.farm.target_share, summary_row.share,
                      summary_row.ledger.total("allocated_eur"),
                      summary_row.ledger.total("corrections_eur"),
                      summary_row.ledger.balance_eur],
             [None, PERCENT_FORMAT, PERCENT_FORMAT, MONEY_FORMAT, MONEY_FORMAT, MONEY_FORMAT])

    contracts = book.create_sheet("Contrats")
    _row(contracts, ["Contrat", "Année", "Produit", "Engagement", "Livré", "Dû à date",
                     "Prévision", "Retard", "Apport des fermes"], header=True)
    for progress in report.contracts:
        for line in progress.lines:
            _row(contracts, [progress.contract.title, progress.year.index,
                             line.line.product.name_fr, line.commitment, line.delivered,
                             line.expected, line.forecast,
                             line.alert.behind_by if line.alert else 0,
                             "; ".join(f"{c.farm.name} {c.quantity}" for c in line.contributions)],
                 [None, None, None] + [QUANTITY_FORMAT] * 5)

    fund = book.create_sheet("Fonds")
    _row(fund, ["Semaine du", "Mouvements", "Solde"], header=True)
    for monday, movement, balance in report.fund_points:
        _row(fund, [monday, movement, balance], [DATE_FORMAT, MONEY_FORMAT, MONEY_FORMAT])

    finish_workbook(book, f"Rapport de régulation {period}")
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream
