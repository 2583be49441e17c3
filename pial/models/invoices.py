"""Invoices and credit notes: numbered per issuer in an unbroken sequence, never deleted.

An invoice bills a buyer (a canteen, or the group of canteens invoiced together) for the
lines delivered in a month by one seller (the group, or a grower when the contract says so).
Its number, lines and amounts never change once issued; only its payment status, payment date
and reminder time do. A wrong invoice is corrected by a credit note (``kind`` credit_note,
negative amounts, ``corrects_id`` the invoice) and, if need be, a new invoice.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pial.db import Base
from pial.models.common import Money, Quantity, Rate, UTCDateTime, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from pial.models.allocation import AllocationLine
    from pial.models.canteens import Canteen, CanteenGroup
    from pial.models.farms import Farm

GROUP_ISSUER = "group"
"""The ``issuer_key`` of the group's own invoices; a grower's is ``farm:<id>``."""


class InvoiceKind(enum.StrEnum):
    """An invoice, or the credit note that cancels one."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class PaymentStatus(enum.StrEnum):
    """Where the payment of an invoice stands."""

    ISSUED = "issued"
    PAID = "paid"
    OVERDUE = "overdue"
    CREDITED = "credited"  # cancelled by a credit note


class InvoiceSeller(enum.StrEnum):
    """Who invoices the lines of a contract: the group, or each grower for its own lines."""

    GROUP = "group"
    GROWER = "grower"


MUTABLE_INVOICE_FIELDS = frozenset({"status", "paid_date", "reminded_dt"})
"""The only columns of an ``Invoice`` that may change after it is issued."""


class ImmutableInvoiceError(RuntimeError):
    """Raised when a flush would change an issued invoice's figures or delete an invoice."""


class Invoice(Base):
    """An invoice (or credit note) of one issuer to one buyer for one month."""

    __tablename__ = "invoices"
    __table_args__ = (
        enum_check("kind", InvoiceKind),
        enum_check("status", PaymentStatus),
        UniqueConstraint("issuer_key", "sequence"),
        UniqueConstraint("number"),
        CheckConstraint("sequence >= 1", name="sequence"),
        CheckConstraint("(buyer_canteen_id IS NULL) != (buyer_group_id IS NULL)",
                        name="one_buyer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_key: Mapped[str] = mapped_column(String(20))  # "group" or "farm:<id>"
    issuer_farm_id: Mapped[int | None] = mapped_column(ForeignKey("farms.id"), index=True)
    sequence: Mapped[int]  # 1, 2, … per issuer, without gaps
    number: Mapped[str] = mapped_column(String(40))
    kind: Mapped[InvoiceKind] = mapped_column(enum_type(InvoiceKind))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    buyer_canteen_id: Mapped[int | None] = mapped_column(ForeignKey("canteens.id"), index=True)
    buyer_group_id: Mapped[int | None] = mapped_column(ForeignKey("canteen_groups.id"),
                                                       index=True)
    month: Mapped[date] = mapped_column(Date)  # first day of the month billed
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    total_excl_vat_eur: Mapped[Decimal] = mapped_column(Money)
    vat_eur: Mapped[Decimal] = mapped_column(Money)
    total_incl_vat_eur: Mapped[Decimal] = mapped_column(Money)
    # The parties as printed on the day of issue: an invoice does not change with their records.
    seller_name: Mapped[str] = mapped_column(String(200))
    seller_siret: Mapped[str | None] = mapped_column(String(14))
    seller_address: Mapped[str | None] = mapped_column(Text)
    seller_vat_number: Mapped[str | None] = mapped_column(String(20))
    seller_organic: Mapped[str | None] = mapped_column(String(200))  # body and number
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_siret: Mapped[str | None] = mapped_column(String(14))
    buyer_address: Mapped[str | None] = mapped_column(Text)
    vat_mention: Mapped[str | None] = mapped_column(Text)
    status: Mapped[PaymentStatus] = mapped_column(enum_type(PaymentStatus))
    paid_date: Mapped[date | None] = mapped_column(Date)
    reminded_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    issuer_farm: Mapped[Farm | None] = relationship()
    buyer_canteen: Mapped[Canteen | None] = relationship()
    buyer_group: Mapped[CanteenGroup | None] = relationship()
    corrects: Mapped[Invoice | None] = relationship(remote_side=[id])
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", passive_deletes="all"
    )


class InvoiceLine(Base):
    """One delivered line on an invoice: quantity received × the unit price stored with it."""

    __tablename__ = "invoice_lines"
    __table_args__ = (UniqueConstraint("invoice_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int]
    # RESTRICT: an invoiced line's run cannot be deleted.
    allocation_line_id: Mapped[int] = mapped_column(ForeignKey("allocation_lines.id"),
                                                    index=True)
    canteen_id: Mapped[int] = mapped_column(ForeignKey("canteens.id"), index=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    product_name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price_eur: Mapped[Decimal] = mapped_column(Money)
    value_eur: Mapped[Decimal] = mapped_column(Money)  # excluding VAT; negative on a credit note
    vat_rate: Mapped[Decimal] = mapped_column(Rate)
    under_contract: Mapped[bool] = mapped_column(default=False)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")
    allocation_line: Mapped[AllocationLine] = relationship()


@event.listens_for(Invoice, "before_update")
def _refuse_invoice_changes(_mapper: Any, _connection: Any, invoice: Invoice) -> None:
    """Refuse to flush changes to an invoice other than its payment fields."""
    state = inspect(invoice)
    changed = {
        attr.key for attr in state.attrs
        if attr.key in state.mapper.columns and attr.history.has_changes()
    }
    if changed - MUTABLE_INVOICE_FIELDS:
        fields = ", ".join(sorted(changed - MUTABLE_INVOICE_FIELDS))
        raise ImmutableInvoiceError(f"invoice {invoice.number} is issued; tried to change {fields}")


@event.listens_for(Invoice, "before_delete")
@event.listens_for(InvoiceLine, "before_delete")
def _refuse_invoice_deletion(_mapper: Any, _connection: Any, row: Invoice | InvoiceLine) -> None:
    """Refuse to delete an invoice or its lines: a credit note corrects an invoice."""
    raise ImmutableInvoiceError("an invoice is never deleted: issue a credit note")
