"""Plain data handed to the spreadsheet writers and returned by the readers.

The writers and readers only see these frozen dataclasses: no database row, no request. The
query service (``services.py``) builds them from the models.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pial.units import french_unit_label


def gettext(message: str, /, **variables: Any) -> str:
    """Translate ``message`` with Flask-Babel when the app has loaded it, else keep the French.

    The spreadsheet readers and writers import neither Flask nor SQLAlchemy (they run in
    tools and tests alone); inside the app, Flask-Babel is loaded and picks the user's language.
    """
    babel = sys.modules.get("flask_babel")
    if babel is None:
        return message % variables if variables else message
    return str(babel.gettext(message, **variables))


@dataclass(frozen=True, slots=True)
class ProductInfo:
    """A catalogue product as the spreadsheets show it."""

    slug: str
    name: str
    unit: str  # a ProductUnit value: "kg", "piece", "bunch"
    unit_kg: Decimal
    lot_size: Decimal | None = None  # units per crate, when sold by crates
    family: str = "fruits_legumes"
    is_organic: bool = True

    @property
    def unit_label(self) -> str:
        """Return the French label of the unit."""
        return french_unit_label(self.unit)

    @property
    def label(self) -> str:
        """Return the name shown in drop-down lists: ``Carotte (kg)``."""
        return f"{self.name} ({self.unit_label})"

    def crates(self, quantity: Decimal) -> Decimal | None:
        """Return ``quantity`` in crates, or None when the product is not sold by crates."""
        if self.lot_size is None or self.lot_size <= 0:
            return None
        return quantity / self.lot_size


@dataclass(frozen=True, slots=True)
class PlannedLine:
    """One line of a published allocation: a farm sends a product to a canteen on a day."""

    day: dt.date
    farm_id: int
    farm_name: str
    canteen_id: int
    canteen_name: str
    product_slug: str
    quantity: Decimal  # in the product's unit
    unit_price_eur: Decimal  # excluding VAT: the contract's price, else the group's
    value_eur: Decimal  # what the canteen pays, excluding VAT, fee included
    fee_eur: Decimal  # the intermediation fee included in value_eur
    distance_km: float
    round_position: int | None = None  # the canteen's place in the farm's round of the day

    def kg_km(self, product: ProductInfo) -> Decimal:
        """Return the transport effort of the line: weight in kg × distance in km."""
        return self.quantity * product.unit_kg * Decimal(str(self.distance_km))


@dataclass(frozen=True, slots=True)
class Party:
    """Who sends or receives a delivery, as a delivery note names them."""

    name: str
    address: str | None = None
    siret: str | None = None
    organic_certificate: str | None = None  # « Ecocert FR-BIO-01 n° 12345 », valid that day


@dataclass(frozen=True, slots=True)
class OrderedQuantity:
    """What a canteen ordered of a product for a day."""

    day: dt.date
    canteen_id: int
    canteen_name: str
    product_slug: str
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class GrowerEquity:
    """A farm's sales of the week against its agreed share, and its fairness ledger."""

    farm_name: str
    value_eur: Decimal
    target_share: Decimal | None
    ledger_eur: Decimal  # balance after the week (+ = ahead of its share)


@dataclass(frozen=True, slots=True)
class ContractRow:
    """A contract line's progress in its contract year, as the contract's page shows it."""

    contract_title: str
    buyer_name: str
    product_slug: str
    start_date: dt.date  # of the contract year
    end_date: dt.date
    committed_quantity: Decimal  # over the contract year
    delivered_quantity: Decimal  # in the year to the week's end (received quantities if known)
    this_week_quantity: Decimal

    @property
    def progress(self) -> Decimal | None:
        """Return delivered / committed, or None when nothing is committed."""
        if self.committed_quantity <= 0:
            return None
        return self.delivered_quantity / self.committed_quantity


@dataclass(frozen=True, slots=True)
class PlanningWorkbookData:
    """Everything the weekly planning workbook shows."""

    iso_week: str
    week_label: str  # "semaine 48 (23–29 nov.)"
    version: int
    published_dt: dt.datetime | None  # aware
    coordinator_name: str | None
    products: dict[str, ProductInfo]
    lines: list[PlannedLine]
    orders: list[OrderedQuantity] = field(default_factory=list)
    equity: list[GrowerEquity] = field(default_factory=list)
    contracts: list[ContractRow] = field(default_factory=list)
    supplier: Party | None = None  # the group, which sells to the canteens
    farms: dict[int, Party] = field(default_factory=dict)
    canteens: dict[int, Party] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SeasonRow:
    """One allocation line of a season, flattened for the tidy table."""

    iso_week: str
    day: dt.date
    farm_name: str
    canteen_name: str
    product_name: str
    unit: str
    quantity: Decimal
    quantity_kg: Decimal
    value_eur: Decimal
    distance_km: float


@dataclass(frozen=True, slots=True)
class EntryTemplateData:
    """What an availability or order template is made for, and its pre-filled lines."""

    kind: str  # "availability" or "orders"
    iso_week: str
    week_label: str
    owner_id: int  # the farm (availability) or the canteen (orders)
    owner_name: str
    products: list[ProductInfo]
    days: list[dt.date]
    lines: list[EntryLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class EntryLine:
    """One line of availability or order: product, day (None = any day), quantity, note."""

    product_slug: str
    day: dt.date | None
    quantity: Decimal
    note: str | None = None
    row: int | None = None  # the sheet row it was read from


@dataclass(frozen=True, slots=True)
class SheetProblem:
    """One problem found in an uploaded file, located by sheet, row and column."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def describe(self) -> str:
        """Return the problem in French, place first."""
        place = []
        if self.sheet:
            place.append(gettext("feuille « %(sheet)s »", sheet=self.sheet))
        if self.row:
            place.append(gettext("ligne %(row)s", row=self.row))
        if self.column:
            place.append(gettext("colonne %(column)s", column=self.column))
        prefix = ", ".join(place)
        if not prefix:
            return self.message
        return str(
            gettext(
                "%(place)s : %(message)s",
                place=prefix[:1].upper() + prefix[1:],
                message=self.message,
            )
        )


@dataclass(frozen=True, slots=True)
class ParsedEntryFile:
    """A validated availability or order file."""

    kind: str
    iso_week: str
    owner_id: int
    lines: list[EntryLine]
