"""A canteen's purchases as the CSV file that ma-cantine imports (« import-achats-siret »).

The columns, their order and the rules of each cell are read from ma-cantine's own table
schema (:func:`pial.egalim.tableschema.purchase_schema`); every row is checked against it
before a single byte is written. The mapping from PIAL's deliveries to the cells is documented
in ``docs/ma-cantine.md``. Pure: no Flask, no database.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from pial.egalim.tableschema import TableSchema, purchase_schema
from pial.spreadsheets.data import gettext
from pial.spreadsheets.styles import csv_safe, french_number
from pial.units import french_unit_label

FAMILIES = {
    "fruits_legumes": "FRUITS_ET_LEGUMES",
    "fruits_et_legumes": "FRUITS_ET_LEGUMES",
    "viandes_volailles": "VIANDES_VOLAILLES",
    "charcuterie": "CHARCUTERIE",
    "produits_de_la_mer": "PRODUITS_DE_LA_MER",
    "produits_laitiers": "PRODUITS_LAITIERS",
    "boulangerie": "BOULANGERIE",
    "boissons": "BOISSONS",
}
"""PIAL product family → ma-cantine ``famille_produits``; anything else is ``AUTRES``."""

YES, NO = "OUI", "NON"  # among the schema's trueValues / falseValues of the boolean columns
LOCAL_BY_DISTANCE = "KM"  # ma-cantine's ``definition_local``: within a radius in km
FRANCE = "FRANCE"


@dataclass(frozen=True, slots=True)
class PurchaseLine:
    """One delivered line as ma-cantine counts it: who bought what, when, for how much."""

    canteen_siret: str
    product_name: str
    family: str  # the PIAL product family (``fruits_legumes``…)
    quantity: Decimal
    unit: str  # a ProductUnit value
    supplier: str
    day: dt.date
    price_excl_vat_eur: Decimal  # what the canteen is charged for the line, to the cent
    labels: frozenset[str]  # the delivering farm's EGalim labels valid on ``day``
    distance_km: float  # road distance from the delivering farm to the canteen
    local_radius_km: int  # a purchase is local within this distance

    @property
    def organic(self) -> bool:
        """Tell whether the delivering farm was certified organic on the day."""
        return "BIO" in self.labels

    @property
    def egalim(self) -> bool:
        """Tell whether the line counts towards EGalim's 50 % (any label of the farm's)."""
        return bool(self.labels)

    @property
    def local(self) -> bool:
        """Tell whether the delivering farm lies within the local radius."""
        return self.distance_km <= self.local_radius_km


def purchase_cells(line: PurchaseLine, schema: TableSchema) -> dict[str, str]:
    """Return the cells of one purchase, keyed by the schema's field names."""
    categories = schema.field("categories_egalim").enum
    quantity = french_number(line.quantity, 3).rstrip("0").rstrip(",")
    description = (
        f"{line.product_name} — {quantity} {french_unit_label(line.unit)} — "
        f"{french_number(line.distance_km, 1)} km"
    )
    return {
        "siret": line.canteen_siret,
        "description": csv_safe(description),
        "fournisseur": csv_safe(line.supplier),
        "date": line.day.isoformat(),
        "prix_ht": f"{line.price_excl_vat_eur:.2f}",  # the schema asks for a decimal point
        "famille_produits": FAMILIES.get(line.family.lower(), "AUTRES"),
        # In the schema's own order, so that the same labels always write the same bytes.
        "categories_egalim": ",".join(code for code in categories if code in line.labels),
        # Every farm of the group grows in France.
        "origine": FRANCE,
        # Sold by the grower through the group alone: at most one intermediary.
        "est_circuit_court": YES,
        "est_local": YES if line.local else NO,
        "definition_local": LOCAL_BY_DISTANCE if line.local else "",
        "definition_local_km": str(line.local_radius_km) if line.local else "",
    }


class PurchaseRowsRefused(ValueError):
    """Rows that break ma-cantine's schema: (row number, field, French message) each."""

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems

    def describe(self) -> list[str]:
        """Return one French sentence per problem, row and column first."""
        return [
            gettext("Ligne %(row)s, colonne %(column)s : %(message)s.",
                    row=row, column=column, message=message)
            for row, column, message in self.problems
        ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class PurchaseFile:
    """A written ma-cantine file: its bytes, row count, total and fingerprint."""

    content: bytes
    rows: int
    total_eur: Decimal

    @property
    def sha256(self) -> str:
        """Return the SHA-256 of the bytes (ma-cantine refuses a file it has already seen)."""
        return hashlib.sha256(self.content).hexdigest()


def write_purchase_csv(
    lines: Iterable[PurchaseLine], schema: TableSchema | None = None
) -> PurchaseFile:
    """Check every row against the schema, then return the CSV (UTF-8, comma, header line)."""
    schema = schema or purchase_schema()
    rows: list[dict[str, str]] = []
    problems: list[tuple[int, str, str]] = []
    total = Decimal(0)
    for line in lines:
        cells = purchase_cells(line, schema)
        # Row 1 is the header, as a spreadsheet numbers them.
        problems += [(len(rows) + 2, name, message)
                     for name, message in schema.row_problems(cells)]  # fmt: skip
        rows.append(cells)
        total += line.price_excl_vat_eur
    if problems:
        raise PurchaseRowsRefused(problems)
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=schema.field_names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return PurchaseFile(stream.getvalue().encode(schema.encoding), len(rows), total)
