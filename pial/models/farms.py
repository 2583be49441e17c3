"""The group's farms (growers' holdings), placed on the map."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pial.db import Base
from pial.models.common import Share, Timestamped, Versioned

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
    lat: Mapped[float]
    lon: Mapped[float]
    organic_body: Mapped[str | None] = mapped_column(String(100))  # certification body
    organic_number: Mapped[str | None] = mapped_column(String(64))
    target_share: Mapped[Decimal | None] = mapped_column(Share)  # agreed share of sales, 0..1
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    is_active: Mapped[bool] = mapped_column(default=True)

    users: Mapped[list[User]] = relationship(back_populates="farm")
