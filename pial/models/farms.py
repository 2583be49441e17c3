"""The group's farms (growers' holdings), placed on the map, and their quality certificates."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pial.db import Base
from pial.models.common import Share, Timestamped, Versioned, enum_check, enum_type

if TYPE_CHECKING:
    from pial.models.users import User


class Farm(Timestamped, Versioned, Base):
    """A farm of the group, placed on the map, with its agreed share of the group's sales."""

    __tablename__ = "farms"
    __table_args__ = (
        CheckConstraint(
            "target_share IS NULL OR target_share BETWEEN 0 AND 1", name="target_share"
        ),
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    commune: Mapped[str] = mapped_column(String(200))
    insee_code: Mapped[str | None] = mapped_column(String(5))
    address: Mapped[str | None] = mapped_column(Text)
    siret: Mapped[str | None] = mapped_column(String(14))  # 14 digits, Luhn-checked on save
    lat: Mapped[float]
    lon: Mapped[float]
    target_share: Mapped[Decimal | None] = mapped_column(Share)  # agreed share of sales, 0..1
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    is_active: Mapped[bool] = mapped_column(default=True)

    users: Mapped[list[User]] = relationship(back_populates="farm")
    certificates: Mapped[list[FarmCertificate]] = relationship(
        back_populates="farm",
        cascade="all, delete-orphan",
        order_by="(FarmCertificate.label, FarmCertificate.valid_from)",
    )

    def labels_on(self, day: date) -> set[CertificationLabel]:
        """Return the labels this farm may claim for what it delivers on ``day``."""
        return {certificate.label for certificate in self.certificates if certificate.covers(day)}


class FarmProduct(Base):
    """A product of a farm's « mes produits »: shown first on its offer form.

    Edited by the grower, and learnt from the farm's offers (``learnt`` true when added so).
    """

    __tablename__ = "farm_products"

    farm_id: Mapped[int] = mapped_column(
        ForeignKey("farms.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    learnt: Mapped[bool] = mapped_column(default=False)


class CertificationLabel(enum.StrEnum):
    """A quality label a farm is certified for, named as ma-cantine's EGalim categories."""

    BIO = "BIO"
    HVE = "HVE"
    LABEL_ROUGE = "LABEL_ROUGE"
    AOCAOP = "AOCAOP"
    IGP = "IGP"
    STG = "STG"


class FarmCertificate(Timestamped, Base):
    """A farm's certificate for a label, from a certifying body, valid over a period.

    A certificate « en conversion » (the farm's years of conversion to organic farming) is kept
    for the record but grants no label: products of a farm in conversion are not organic.
    """

    __tablename__ = "farm_certificates"
    __table_args__ = (
        enum_check("label", CertificationLabel),
        CheckConstraint(
            "valid_until IS NULL OR valid_until >= valid_from", name="valid_period"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id", ondelete="CASCADE"), index=True)
    label: Mapped[CertificationLabel] = mapped_column(enum_type(CertificationLabel))
    body: Mapped[str] = mapped_column(String(100))  # the certifying body, e.g. Ecocert France
    number: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)  # None: no end date entered yet
    in_conversion: Mapped[bool] = mapped_column(default=False)

    farm: Mapped[Farm] = relationship(back_populates="certificates")

    def covers(self, day: date) -> bool:
        """Tell whether this certificate grants its label to deliveries made on ``day``."""
        if self.in_conversion or day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until
