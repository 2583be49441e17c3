"""Read an uploaded availability or order workbook, treating it as hostile until proven fine.

Order of defence: the byte size; the zip container (entry count, total uncompressed size and
compression ratio, read from the zip directory before anything is inflated); then openpyxl,
which parses the XML through defusedxml (no entity expansion, no external entities) and never
evaluates formulas — a cell holding one is reported as an error. Rows are capped. Every problem
is collected with its sheet, row and column, so the whole file is judged before anything is
written.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pial.spreadsheets.data import (
    EntryLine,
    ParsedEntryFile,
    ProductInfo,
    SheetProblem,
    gettext,
)
from pial.spreadsheets.entry import (
    ANY_DAY_LABEL,
    AVAILABILITY,
    ENTRY_COLUMNS,
    ENTRY_SHEETS,
    FORMAT_NAME,
    META_SHEET,
    ORDERS,
    day_label,
)

NOTE_MAX_LENGTH = 500
QUANTITY_MAX = Decimal("1000000")


@dataclass(frozen=True, slots=True)
class UploadLimits:
    """What an uploaded workbook may weigh, inflate to and contain."""

    max_bytes: int = 2 * 1024 * 1024
    max_zip_entries: int = 100
    max_uncompressed_bytes: int = 40 * 1024 * 1024
    max_compression_ratio: int = 100
    ratio_checked_above_bytes: int = 1024 * 1024  # small parts compress well and are harmless
    max_rows: int = 2000  # filled rows
    max_sheet_row: int = 20000  # last row number looked at


class UploadRefused(Exception):
    """The file was refused; ``problems`` say why, in French, by sheet, row and column."""

    def __init__(self, problems: Sequence[SheetProblem]) -> None:
        super().__init__("; ".join(problem.describe() for problem in problems))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class RawEntryFile:
    """The cells of an entry workbook that passed the safety checks, not yet validated."""

    kind: str
    iso_week: str
    owner_id: int
    sheet_name: str
    rows: list[tuple[int, tuple[Any, ...]]]  # (row number, cells of the entry columns)


def check_container(content: bytes, limits: UploadLimits) -> None:
    """Refuse a file that is too big, not a zip, or a zip that would inflate dangerously."""
    if len(content) > limits.max_bytes:
        raise UploadRefused([SheetProblem(
            gettext(
                "le fichier pèse %(value)s Ko, au-delà de la limite de %(value_2)s Ko.",
                value=len(content) // 1024,
                value_2=limits.max_bytes // 1024,
            )
        )])  # fmt: skip
    not_xlsx = SheetProblem(
        gettext(
            "ce fichier n'est pas un classeur Excel (.xlsx) lisible : enregistrez-le au format « "
            "Classeur Excel (.xlsx) » et réessayez."
        )
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadRefused([not_xlsx]) from None
    with archive:
        entries = archive.infolist()
        names = {entry.filename for entry in entries}
        if len(entries) > limits.max_zip_entries:
            raise UploadRefused([SheetProblem(
                gettext(
                    "le classeur contient %(num)s parties, au-delà de la limite de "
                    "%(max_zip_entries)s : fichier refusé.",
                    num=len(entries),
                    max_zip_entries=limits.max_zip_entries,
                )
            )])  # fmt: skip
        total = sum(entry.file_size for entry in entries)
        if total > limits.max_uncompressed_bytes:
            raise UploadRefused([SheetProblem(
                gettext(
                    "le classeur se décompresse en %(value)s Mo, au-delà de la limite de "
                    "%(value_2)s Mo : fichier refusé.",
                    value=total // (1024 * 1024),
                    value_2=limits.max_uncompressed_bytes // (1024 * 1024),
                )
            )])  # fmt: skip
        for entry in entries:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size > limits.ratio_checked_above_bytes and (
                ratio > limits.max_compression_ratio
            ):
                raise UploadRefused([SheetProblem(
                    gettext(
                        "la partie « %(filename)s » est compressée %(ratio)s fois, signe d'une « "
                        "bombe zip » : fichier refusé.",
                        filename=entry.filename,
                        ratio=int(ratio),
                    )
                )])  # fmt: skip
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise UploadRefused([not_xlsx])


def load_entry_workbook(content: bytes, limits: UploadLimits | None = None) -> RawEntryFile:
    """Check an uploaded template and return its kind, week, owner and raw rows."""
    from openpyxl import load_workbook

    limits = limits or UploadLimits()
    check_container(content, limits)
    try:
        # data_only=False: formulas come back as formulas, never as values computed by someone.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # openpyxl and defusedxml raise many unrelated types
        if _is_forbidden_xml(error):
            raise UploadRefused([SheetProblem(
                gettext(
                    "le classeur contient des constructions XML interdites (entités, DTD) : "
                    "fichier refusé."
                )
            )]) from None  # fmt: skip
        raise UploadRefused([SheetProblem(
            gettext(
                "le classeur est illisible ou endommagé : enregistrez-le à nouveau au format "
                ".xlsx depuis votre tableur."
            )
        )]) from None  # fmt: skip
    try:
        return _read_entry_workbook(workbook, limits)
    except UploadRefused:
        raise
    except Exception:
        raise UploadRefused([SheetProblem(
            gettext(
                "le classeur est illisible ou endommagé : enregistrez-le à nouveau au format "
                ".xlsx depuis votre tableur."
            )
        )]) from None  # fmt: skip
    finally:
        workbook.close()


def _is_forbidden_xml(error: BaseException) -> bool:
    """Tell whether defusedxml refused the XML (openpyxl wraps its errors in ValueError)."""
    from defusedxml import DefusedXmlException

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _read_entry_workbook(workbook: Any, limits: UploadLimits) -> RawEntryFile:
    """Read the metadata sheet and the entry rows of an opened workbook."""
    if META_SHEET not in workbook.sheetnames:
        raise UploadRefused([SheetProblem(
            gettext(
                "ce classeur ne vient pas d'un modèle PIAL : téléchargez le modèle de la semaine "
                "depuis PIAL et saisissez-y vos lignes."
            )
        )])  # fmt: skip
    meta: dict[str, Any] = {}
    for key, value, *_ in workbook[META_SHEET].iter_rows(max_row=10, max_col=2, values_only=True):
        if isinstance(key, str):
            meta[key] = value
    kind = meta.get("type")
    iso_week = meta.get("semaine")
    owner = meta.get("id")
    if (
        meta.get("format") != FORMAT_NAME
        or kind not in ENTRY_SHEETS
        or not isinstance(iso_week, str)
        or not re.fullmatch(r"\d{4}-W\d{2}", iso_week)
        or not isinstance(owner, int)
    ):
        raise UploadRefused([SheetProblem(
            gettext(
                "les informations cachées du modèle (semaine, ferme ou cantine) sont absentes ou "
                "modifiées : téléchargez un nouveau modèle."
            )
        )])  # fmt: skip
    sheet_name = ENTRY_SHEETS[kind]
    if sheet_name not in workbook.sheetnames:
        raise UploadRefused(
            [
                SheetProblem(
                    gettext("la feuille « %(sheet_name)s » est absente.", sheet_name=sheet_name)
                )
            ]
        )
    sheet = workbook[sheet_name]
    rows = _read_rows(sheet, sheet_name, limits)
    return RawEntryFile(kind, iso_week, owner, sheet_name, rows)


def _read_rows(
    sheet: Any, sheet_name: str, limits: UploadLimits
) -> list[tuple[int, tuple[Any, ...]]]:
    """Find the column titles, then collect the non-empty rows below them (capped)."""
    header_row = None
    rows: list[tuple[int, tuple[Any, ...]]] = []
    width = len(ENTRY_COLUMNS)
    formula_problems: list[SheetProblem] = []
    # Read-only rows come in order, gaps filled with empty cells, so the index is the row.
    for row_number, cells in enumerate(sheet.iter_rows(max_col=width), start=1):
        if row_number > limits.max_sheet_row:
            raise UploadRefused([SheetProblem(
                gettext(
                    "données au-delà de la ligne %(max_sheet_row)s : fichier refusé.",
                    max_sheet_row=limits.max_sheet_row,
                ),
                sheet_name, row_number,
            )])  # fmt: skip
        values = tuple(getattr(cell, "value", None) for cell in cells)
        values = values + (None,) * (width - len(values))
        if header_row is None:
            titles = tuple(_normalise(value) if isinstance(value, str) else "" for value in values)
            if titles[0] == _normalise(ENTRY_COLUMNS[0]):
                if titles != tuple(_normalise(title) for title in ENTRY_COLUMNS):
                    expected = ", ".join(ENTRY_COLUMNS)
                    raise UploadRefused([SheetProblem(
                        gettext(
                            "colonnes inattendues ; attendues, dans l'ordre : %(expected)s.",
                            expected=expected,
                        ),
                        sheet_name, row_number,
                    )])  # fmt: skip
                header_row = row_number
            elif row_number > 20:
                break
            continue
        for index, cell in enumerate(cells):
            if getattr(cell, "data_type", None) == "f":
                formula_problems.append(SheetProblem(
                    gettext("cette cellule contient une formule ; saisissez une valeur."),
                    sheet_name, row_number, _column_title(index),
                ))  # fmt: skip
        if all(_is_blank(value) for value in values):
            continue
        if len(rows) >= limits.max_rows:
            raise UploadRefused([SheetProblem(
                gettext(
                    "plus de %(max_rows)s lignes remplies : découpez le fichier.",
                    max_rows=limits.max_rows,
                ),
                sheet_name, row_number,
            )])  # fmt: skip
        rows.append((row_number, values))
    if header_row is None:
        expected = ", ".join(ENTRY_COLUMNS)
        raise UploadRefused([SheetProblem(
            gettext(
                "ligne de titres introuvable ; colonnes attendues : %(expected)s.",
                expected=expected,
            ), sheet_name
        )])  # fmt: skip
    if formula_problems:
        raise UploadRefused(formula_problems)
    return rows


def _column_title(index: int) -> str:
    """Return ``C (Quantité)`` for the third entry column."""
    return f"{'ABCD'[index]} ({ENTRY_COLUMNS[index]})"


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _normalise(text: str) -> str:
    """Fold case, accents and spaces, so that « carotte » matches « Carotte »."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(folded.split())


def parse_decimal_text(text: str) -> Decimal | None:
    """Parse ``12,5`` or ``1 234.5`` (decimal comma or point); None if it is not a number."""
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def validate_entry_rows(
    raw: RawEntryFile,
    products: Sequence[ProductInfo],
    days: Sequence[dt.date],
    parse_quantity: Callable[[str], Decimal | None] = parse_decimal_text,
) -> ParsedEntryFile:
    """Validate every row against the catalogue and the week's days; raise all problems at once."""
    by_key: dict[str, ProductInfo] = {}
    for candidate in products:
        for name in (candidate.label, candidate.name, candidate.slug):
            by_key.setdefault(_normalise(name), candidate)
    labels = [product.label for product in products]
    day_by_label = {_normalise(day_label(day)): day for day in days}
    allow_any_day = raw.kind == AVAILABILITY
    problems: list[SheetProblem] = []
    lines: list[EntryLine] = []
    seen: dict[tuple[str, dt.date | None], int] = {}
    for row_number, (product_cell, day_cell, quantity_cell, note_cell) in raw.rows:

        def problem(message: str, index: int, row_number: int = row_number) -> None:
            """Record a problem of this row, in the entry column ``index``."""
            problems.append(SheetProblem(message, raw.sheet_name, row_number, _column_title(index)))

        product = _match_product(product_cell, by_key, labels, problem)
        day, day_ok = _match_day(day_cell, day_by_label, days, allow_any_day, problem)
        quantity = _match_quantity(quantity_cell, parse_quantity, problem)
        note = None
        if not _is_blank(note_cell):
            note = str(note_cell).strip()
            if len(note) > NOTE_MAX_LENGTH:
                problem(
                    gettext(
                        "note trop longue (%(num)s caractères, %(note_max_length)s au plus).",
                        num=len(note),
                        note_max_length=NOTE_MAX_LENGTH,
                    ),
                    3,
                )
        if product is None or not day_ok or quantity is None:
            continue
        line_key = (product.slug, day)
        if line_key in seen:
            problem(
                gettext("même produit et même jour qu'à la ligne %(seen)s.", seen=seen[line_key]), 0
            )
            continue
        seen[line_key] = row_number
        lines.append(EntryLine(product.slug, day, quantity, note, row_number))
    if problems:
        raise UploadRefused(problems)
    return ParsedEntryFile(raw.kind, raw.iso_week, raw.owner_id, lines)


def _match_product(
    cell: Any,
    by_key: dict[str, ProductInfo],
    labels: list[str],
    problem: Callable[[str, int], None],
) -> ProductInfo | None:
    """Find the product named in a cell, suggesting close names when it is unknown."""
    if _is_blank(cell):
        problem("produit manquant.", 0)
        return None
    text = str(cell).strip()
    product = by_key.get(_normalise(text))
    if product is not None:
        return product
    suggestions = difflib.get_close_matches(text, labels, n=3, cutoff=0.5)
    if not suggestions:
        normalised = {_normalise(label): label for label in labels}
        suggestions = [
            normalised[match]
            for match in difflib.get_close_matches(_normalise(text), list(normalised), 3, 0.5)
        ]
    hint = (
        gettext(" Vouliez-vous dire : ")
        + ", ".join(gettext("« %(name)s »", name=name) for name in suggestions)
        + " ?"
        if suggestions
        else gettext(" Choisissez un produit de la liste.")
    )
    problem(gettext("produit inconnu « %(text)s ».%(hint)s", text=text, hint=hint), 0)
    return None


def _match_day(
    cell: Any,
    day_by_label: dict[str, dt.date],
    days: Sequence[dt.date],
    allow_any_day: bool,
    problem: Callable[[str, int], None],
) -> tuple[dt.date | None, bool]:
    """Return the delivery day of a cell (None = any day) and whether it is acceptable."""
    choices = ", ".join(day_label(day) for day in days)
    if _is_blank(cell) or (isinstance(cell, str) and _normalise(cell) == _normalise(ANY_DAY_LABEL)):
        if allow_any_day:
            return None, True
        problem(f"jour manquant ; jours de livraison : {choices}.", 1)
        return None, False
    day: dt.date | None = None
    if isinstance(cell, dt.datetime):
        day = cell.date()
    elif isinstance(cell, dt.date):
        day = cell
    elif isinstance(cell, str):
        day = day_by_label.get(_normalise(cell))
        if day is None:
            match = re.search(r"(\d{1,2})/(\d{1,2})/(\d{4})", cell)
            if match:
                try:
                    day = dt.date(int(match[3]), int(match[2]), int(match[1]))
                except ValueError:
                    day = None
    if day is None or day not in days:
        shown = day.strftime("%d/%m/%Y") if day else str(cell).strip()
        problem(
            gettext(
                "« %(shown)s » n'est pas un jour de livraison de la semaine (%(choices)s).",
                shown=shown,
                choices=choices,
            ),
            1,
        )
        return None, False
    return day, True


def _match_quantity(
    cell: Any,
    parse_quantity: Callable[[str], Decimal | None],
    problem: Callable[[str, int], None],
) -> Decimal | None:
    """Return the quantity of a cell (number, or text with a decimal comma)."""
    if _is_blank(cell):
        problem(gettext("quantité manquante."), 2)
        return None
    quantity: Decimal | None
    if isinstance(cell, bool):
        quantity = None
    elif isinstance(cell, float):
        # Spreadsheets keep 15 significant digits; drop binary noise such as 0.30000000000000004.
        quantity = Decimal(str(round(cell, 9))).normalize() if cell == cell else None
    elif isinstance(cell, int | Decimal):
        quantity = Decimal(cell)
    else:
        try:
            quantity = parse_quantity(str(cell))
        except (ValueError, ArithmeticError) as error:
            # A parser may explain what is wrong (negative, too many decimals…): keep its words.
            problem(
                str(error)
                or gettext("« %(cell)s » n'est pas une quantité (exemple : 12,5).", cell=cell),
                2,
            )
            return None
    if quantity is None or not quantity.is_finite():
        problem(gettext("« %(cell)s » n'est pas une quantité (exemple : 12,5).", cell=cell), 2)
        return None
    if quantity < 0:
        problem(gettext("la quantité ne peut pas être négative."), 2)
        return None
    if quantity > QUANTITY_MAX:
        problem(gettext("quantité démesurée (%(cell)s).", cell=cell), 2)
        return None
    if quantity != quantity.quantize(Decimal("0.001")):
        problem(gettext("au plus trois décimales."), 2)
        return None
    return quantity


__all__ = [
    "ANY_DAY_LABEL",
    "AVAILABILITY",
    "ORDERS",
    "RawEntryFile",
    "UploadLimits",
    "UploadRefused",
    "check_container",
    "load_entry_workbook",
    "parse_decimal_text",
    "validate_entry_rows",
]
