"""The product catalogue, the seasons and the group's price of each product per season."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pial.db import Base
from pial.models.common import Money, Quantity, Timestamped, Versioned, enum_check, enum_type

ALL_YEAR = "1" * 12
"""Season mask of a product available every month."""


class ProductUnit(enum.StrEnum):
    """The unit in which a product is offered, ordered and priced."""

    KG = "kg"
    PIECE = "piece"
    BUNCH = "bunch"


class Product(Timestamped, Versioned, Base):
    """A product of the catalogue; ``slug`` is its id in exports (solver ``products[].id``).

    ``season_mask`` is 12 characters, ``"1"`` or ``"0"``, January first: ``"111000000111"``
    means in season from October to March.
    """

    __tablename__ = "products"
    __table_args__ = (
        enum_check("unit", ProductUnit),
        CheckConstraint("unit_kg > 0", name="unit_kg"),
        CheckConstraint("lot_size IS NULL OR lot_size > 0", name="lot_size"),
        CheckConstraint(
            "length(season_mask) = 12 AND replace(replace(season_mask, '0', ''), '1', '') = ''",
            name="season_mask",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)  # e.g. "carotte"
    name_fr: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    family: Mapped[str] = mapped_column(String(64), default="fruits_legumes")  # ma-cantine family
    unit: Mapped[ProductUnit] = mapped_column(enum_type(ProductUnit), default=ProductUnit.KG)
    unit_kg: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("1"))  # weight of one unit
    lot_size: Mapped[Decimal | None] = mapped_column(Quantity)  # units per crate, if sold by lots
    season_mask: Mapped[str] = mapped_column(String(12), default=ALL_YEAR)
    is_organic: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)

    def is_in_season(self, month: int) -> bool:
        """Tell whether the product is in season in ``month`` (1 = January)."""
        return self.season_mask[month - 1] == "1"


class Season(Base):
    """A commercial season (e.g. ``2026-2027``) over which prices hold."""

    __tablename__ = "seasons"
    __table_args__ = (CheckConstraint("end_date > start_date", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)  # inclusive

    prices: Mapped[list[Price]] = relationship(
        back_populates="season", cascade="all, delete-orphan", passive_deletes=True
    )


class Price(Timestamped, Versioned, Base):
    """The group's price per unit of a product for a season, and how it breaks down."""

    __tablename__ = "prices"
    __table_args__ = (
        UniqueConstraint("season_id", "product_id"),
        CheckConstraint(
            "production_cost_eur >= 0 AND margin_eur >= 0 AND intermediation_fee_eur >= 0",
            name="non_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    production_cost_eur: Mapped[Decimal] = mapped_column(Money)
    margin_eur: Mapped[Decimal] = mapped_column(Money)
    intermediation_fee_eur: Mapped[Decimal] = mapped_column(Money)

    season: Mapped[Season] = relationship(back_populates="prices")
    product: Mapped[Product] = relationship()

    @hybrid_property
    def price_eur(self) -> Decimal:
        """Return the price per unit paid by canteens: cost + margin + intermediation fee."""
        return self.production_cost_eur + self.margin_eur + self.intermediation_fee_eur
