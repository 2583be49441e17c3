"""Canteens' purchases in the CSV format that the national ma-cantine service imports.

Columns and codes follow ma-cantine's purchase import schema (``import-achats``, by SIRET:
``data/schemas/imports/achats_siret.json`` in github.com/betagouv/ma-cantine); the mapping is
documented in ``docs/ma-cantine.md``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import IO

from pial.spreadsheets.data import Purchase
from pial.spreadsheets.styles import csv_safe, french_number

COLUMNS = (
    "siret", "description", "fournisseur", "date", "prix_ht", "famille_produits",
    "caracteristiques", "definition_local",
)  # fmt: skip

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

LOCAL_MAX_KM = 100.0
"""Road distance under which a purchase is declared LOCAL (definition ``KM``)."""


def characteristics(purchase: Purchase, local_max_km: float = LOCAL_MAX_KM) -> list[str]:
    """Return the ma-cantine characteristics of a purchase (BIO, CIRCUIT_COURT, LOCAL)."""
    codes = []
    if purchase.product.is_organic:
        codes.append("BIO")
    # Sold by the grower through the platform alone: at most one intermediary, a short circuit.
    codes.append("CIRCUIT_COURT")
    if purchase.distance_km <= local_max_km:
        codes.append("LOCAL")
    return codes


def purchase_row(purchase: Purchase, local_max_km: float = LOCAL_MAX_KM) -> dict[str, str]:
    """Return the CSV row of one purchase."""
    codes = characteristics(purchase, local_max_km)
    product = purchase.product
    description = (
        f"{product.name} — {french_number(purchase.quantity, 3).rstrip('0').rstrip(',')} "
        f"{product.unit_label} — {french_number(purchase.distance_km, 1)} km"
    )
    price = purchase.price_excl_vat_eur.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {
        "siret": purchase.canteen_siret,
        "description": csv_safe(description),
        "fournisseur": csv_safe(purchase.supplier_name),
        "date": purchase.day.isoformat(),
        "prix_ht": f"{price:.2f}",  # the schema asks for a decimal point
        "famille_produits": FAMILIES.get(product.family.lower(), "AUTRES"),
        "caracteristiques": ",".join(codes),
        "definition_local": "KM" if "LOCAL" in codes else "",
    }


def write_macantine_csv(
    purchases: Iterable[Purchase], stream: IO[str], local_max_km: float = LOCAL_MAX_KM
) -> int:
    """Write purchases as a ma-cantine import CSV (UTF-8, comma, header); return the row count."""
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for purchase in purchases:
        writer.writerow(purchase_row(purchase, local_max_km))
        count += 1
    return count
