"""Read a file of monthly purchase totals made outside PIAL (CSV, as a spreadsheet saves it).

One line per month: ``mois`` (``2026-09`` or ``09/2026``), ``total_ht``, ``egalim_ht`` (organic
included), ``bio_ht`` and ``local_ht``, in euros excluding VAT. Semicolon, comma or tab
separated; decimal comma or point; UTF-8 (with or without BOM) or Windows-1252. Pure: returns
plain values or raises :class:`TotalsRefused` listing every problem by line and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pial.spreadsheets.data import gettext

COLUMNS = ("mois", "total_ht", "egalim_ht", "bio_ht", "local_ht")
MAX_LINES = 240
_MONTH_ISO = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_FR = re.compile(r"^(\d{1,2})/(\d{4})$")


@dataclass(frozen=True, slots=True)
class MonthTotals:
    """One line of the file: a month and its totals, with the line number it came from."""

    line: int
    month: dt.date
    total_eur: Decimal
    egalim_eur: Decimal
    organic_eur: Decimal
    local_eur: Decimal


class TotalsRefused(ValueError):
    """The file cannot be read: one French message per problem, place first."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def parse_month(text: str) -> dt.date | None:
    """Return the first day of a ``2026-09`` or ``09/2026`` month, or None."""
    text = text.strip()
    match = _MONTH_ISO.match(text)
    year, month = (match.group(1), match.group(2)) if match else (None, None)
    if match is None and (match_fr := _MONTH_FR.match(text)):
        year, month = match_fr.group(2), match_fr.group(1)
    if year is None or month is None or not 1 <= int(month) <= 12:
        return None
    return dt.date(int(year), int(month), 1)


def parse_amount(text: str) -> Decimal | None:
    """Return an amount written ``1 234,56``, ``1234.56`` or ``1234,56 €``, or None."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text).replace(",", ".")
    if not cleaned:
        return Decimal(0)
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    return amount.quantize(Decimal("0.01")) if amount.is_finite() else None


def read_totals(content: bytes) -> list[MonthTotals]:
    """Read every line of a totals file, or raise TotalsRefused with all the problems."""
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise TotalsRefused([gettext("Le fichier est vide.")])
    header = [cell.strip().lower() for cell in rows[0]]
    if header[: len(COLUMNS)] != list(COLUMNS):
        raise TotalsRefused([gettext(
            "Ligne 1 : l'en-tête doit être « %(expected)s » (trouvé « %(found)s »).",
            expected=delimiter.join(COLUMNS), found=delimiter.join(rows[0]))])  # fmt: skip
    body = [(number, row) for number, row in enumerate(rows[1:], start=2)
            if any(cell.strip() for cell in row)]  # fmt: skip
    if len(body) > MAX_LINES:
        raise TotalsRefused([gettext("Trop de lignes (%(max)s au plus).", max=MAX_LINES)])
    problems: list[str] = []
    totals = []
    for number, row in body:
        cells = [*row, *[""] * len(COLUMNS)][: len(COLUMNS)]
        month = parse_month(cells[0])
        if month is None:
            problems.append(gettext(
                "Ligne %(line)s, colonne mois : « %(cell)s » n'est pas un mois (2026-09).",
                line=number, cell=cells[0]))  # fmt: skip
        amounts = []
        for name, cell in zip(COLUMNS[1:], cells[1:], strict=True):
            amount = parse_amount(cell)
            if amount is None:
                problems.append(gettext(
                    "Ligne %(line)s, colonne %(column)s : « %(cell)s » n'est pas un montant.",
                    line=number, column=name, cell=cell))  # fmt: skip
            amounts.append(amount or Decimal(0))
        if month is not None:
            totals.append(MonthTotals(number, month, *amounts))
    if problems:
        raise TotalsRefused(problems)
    if not totals:
        raise TotalsRefused([gettext("Aucune ligne de totaux dans le fichier.")])
    return totals
