"""Issuing the monthly invoices, correcting them by credit notes, following their payment.

``issue_month_invoices`` bills, for a month that has ended, every line delivered in a delivered
week that no standing invoice covers yet: one invoice per seller (the group, or the grower when
the line's contract says so) and buyer (the canteen, or the group of canteens it is invoiced
with). A line is billed at the quantity received (the planned one when no receipt was
recorded; nothing when nothing was received) times the unit price stored with the published
plan. When a receipt or a re-plan changes a billed line afterwards, the invoice is cancelled
by a credit note and its lines billed again on a new invoice: numbers are never reused.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from pial.actors import Actor
from pial.allocation.runs import current_published_runs
from pial.clock import now, today_in_paris
from pial.db import get_session
from pial.errors import Conflict, Forbidden, InvalidInput, NotFound
from pial.models import (
    GROUP_ISSUER,
    Canteen,
    CanteenGroup,
    CertificationLabel,
    DeliveryWeek,
    Farm,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceSeller,
    PaymentStatus,
    Role,
    User,
    WeekState,
    find_platform,
)
from pial.notifications.messages import N_, queue_for_user
from pial.published.sales import Sale, sales_of_runs
from pial.rounding import ZERO, to_cent

FOOD_VAT_RATE = Decimal("0.0550")
"""Fresh fruit and vegetables: the reduced rate of article 278-0 bis of the CGI."""

PAYMENT_DAYS = 30
"""Public buyers pay within 30 days (article R2192-10 of the Code de la commande publique)."""

VAT_MENTION = "TVA au taux réduit de 5,5 % (produits alimentaires, art. 278-0 bis du CGI)."
NO_VAT_MENTION = "TVA non applicable, art. 293 B du CGI."
LATE_MENTION = (
    "Paiement à {days} jours. En cas de retard : pénalités au taux d'intérêt légal majoré de "
    "8 points et indemnité forfaitaire pour frais de recouvrement de 40 € (art. L441-10 du "
    "Code de commerce). Pas d'escompte pour paiement anticipé."
)


@dataclass(frozen=True, slots=True)
class IssueReport:
    """What one run of :func:`issue_month_invoices` did."""

    issued: list[Invoice]
    credit_notes: list[Invoice]

    def describe(self) -> str:
        """Return a French one-line summary."""
        return str(_("%(issued)s facture(s) émise(s), %(credited)s avoir(s).",
                     issued=len(self.issued), credited=len(self.credit_notes)))


# --- Month and sales -----------------------------------------------------------------------------


def parse_month(text: str) -> dt.date:
    """Return the first day of a ``2026-11`` month, or refuse it in French."""
    try:
        if len(text) == 7 and text[4] == "-":
            return dt.date(int(text[:4]), int(text[5:7]), 1)
    except ValueError:
        pass
    raise InvalidInput(_("Mois : écrivez-le sous la forme 2026-11."),
                       {"mois": [_("Format attendu : AAAA-MM.")]})


def month_end(first: dt.date) -> dt.date:
    """Return the last day of the month starting on ``first``."""
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def billable_sales(session: Session, month: dt.date) -> list[Sale]:
    """Return the sales of delivered weeks delivered in the month, in day and line order."""
    last = month_end(month)
    week_ids = session.scalars(
        select(DeliveryWeek.id).where(
            DeliveryWeek.monday_date >= month - dt.timedelta(days=6),
            DeliveryWeek.monday_date <= last,
            DeliveryWeek.state == WeekState.DELIVERED,
        )
    ).all()
    runs = session.scalars(current_published_runs(week_ids)).all()
    return sorted((sale for sale in sales_of_runs(session, runs) if month <= sale.day <= last),
                  key=lambda sale: (sale.day, sale.line.id))


def issuer_of(sale: Sale) -> str:
    """Return the issuer key of a sale's invoice: the group's, or its grower's (contract)."""
    contract_line = sale.contract_line
    if contract_line is not None and contract_line.contract.invoiced_by == InvoiceSeller.GROWER:
        return f"farm:{sale.line.farm_id}"
    return GROUP_ISSUER


def buyer_of(canteen: Canteen) -> tuple[int | None, int | None]:
    """Return (canteen id, group id) of who is invoiced for a canteen: one of them is None."""
    if canteen.invoiced_group_id is not None:
        return None, canteen.invoiced_group_id
    return canteen.id, None


# --- Issuing -------------------------------------------------------------------------------------


def issue_month_invoices(month: dt.date, actor: Actor = None) -> IssueReport:
    """Invoice the month's delivered lines not yet invoiced; credit invoices they contradict."""
    session = get_session()
    try:
        if actor is not None and actor.role != Role.LEAD:
            raise Forbidden(_("Seule la coordination émet les factures."))
        if month_end(month) >= today_in_paris():
            raise Conflict(_("Le mois n'est pas terminé : ses factures s'émettent à partir du "
                             "premier jour du mois suivant."))
        report = _issue(session, month)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report


def _issue(session: Session, month: dt.date) -> IssueReport:
    """Bring the month's invoices in line with its sales (see :func:`issue_month_invoices`)."""
    sales = {sale.line.id: sale for sale in billable_sales(session, month)}
    standing = session.scalars(
        select(Invoice).where(Invoice.month == month, Invoice.kind == InvoiceKind.INVOICE,
                              Invoice.status != PaymentStatus.CREDITED)
        .options(joinedload(Invoice.lines)).order_by(Invoice.id)
    ).unique().all()
    credit_notes = []
    billed: set[int] = set()
    for invoice in standing:
        if all(_still_true(line, sales.get(line.allocation_line_id)) for line in invoice.lines):
            billed.update(line.allocation_line_id for line in invoice.lines)
        else:
            credit_notes.append(_credit(session, invoice))
    groups: dict[tuple[str, int | None, int | None], list[Sale]] = defaultdict(list)
    for line_id, sale in sales.items():
        if line_id in billed or sale.quantity <= 0:
            continue
        groups[(issuer_of(sale), *buyer_of(sale.line.canteen))].append(sale)
    issued = [
        _new_invoice(session, month, issuer, canteen_id, group_id, group_sales)
        for (issuer, canteen_id, group_id), group_sales in sorted(
            groups.items(), key=lambda item: (item[0][0], item[0][1] or 0, item[0][2] or 0))
    ]
    return IssueReport(issued, credit_notes)


def _still_true(line: InvoiceLine, sale: Sale | None) -> bool:
    """Tell whether an invoiced line still says what was delivered, at the price stored."""
    return (sale is not None and sale.quantity == line.quantity
            and sale.unit_price_eur == line.unit_price_eur)


def _next_sequence(session: Session, issuer: str) -> int:
    """Return the next number of an issuer's sequence (invoices and credit notes together)."""
    last = session.scalar(select(func.max(Invoice.sequence)).where(Invoice.issuer_key == issuer))
    return (last or 0) + 1


def invoice_number(issuer: str, sequence: int) -> str:
    """Return the printed number: ``PIAL-000012`` for the group, ``F3-000004`` for farm 3."""
    prefix = "PIAL" if issuer == GROUP_ISSUER else f"F{issuer.removeprefix('farm:')}"
    return f"{prefix}-{sequence:06d}"


def _seller_fields(session: Session, issuer: str, on_day: dt.date) -> dict[str, object]:
    """Return the seller's name, SIRET, address, VAT number and organic certificate."""
    if issuer == GROUP_ISSUER:
        platform = find_platform(session)
        if platform is None:
            raise Conflict(_("Renseignez d'abord les réglages du groupement."))
        organic = (f"{platform.organic_body} {platform.organic_number}"
                   if platform.organic_number else None)
        return {"issuer_farm_id": None,
                "seller_name": platform.legal_name or platform.territory_name,
                "seller_siret": platform.siret, "seller_address": platform.address,
                "seller_vat_number": platform.vat_number, "seller_organic": organic}
    farm = session.get(Farm, int(issuer.removeprefix("farm:")))
    assert farm is not None  # the key comes from a sale's farm
    certificate = next((c for c in farm.certificates
                        if c.label == CertificationLabel.BIO and c.covers(on_day)), None)
    return {"issuer_farm_id": farm.id, "seller_name": farm.name, "seller_siret": farm.siret,
            "seller_address": farm.address, "seller_vat_number": None,
            "seller_organic": f"{certificate.body} {certificate.number}" if certificate else None}


def _buyer_fields(session: Session, canteen_id: int | None, group_id: int | None
                  ) -> dict[str, object]:
    """Return the buyer's name, SIRET and address."""
    buyer: Canteen | CanteenGroup | None = (
        session.get(Canteen, canteen_id) if canteen_id is not None
        else session.get(CanteenGroup, group_id))
    assert buyer is not None
    return {"buyer_canteen_id": canteen_id, "buyer_group_id": group_id,
            "buyer_name": buyer.name, "buyer_siret": buyer.siret, "buyer_address": buyer.address}


def _new_invoice(
    session: Session, month: dt.date, issuer: str, canteen_id: int | None,
    group_id: int | None, sales: Sequence[Sale],
) -> Invoice:
    """Issue one invoice of ``sales``, numbered next in the issuer's sequence."""
    today = today_in_paris()
    seller = _seller_fields(session, issuer, month_end(month))
    vat_rate = FOOD_VAT_RATE if seller["seller_vat_number"] else ZERO
    total = sum((sale.value_eur for sale in sales), ZERO)
    vat = to_cent(total * vat_rate)
    sequence = _next_sequence(session, issuer)
    invoice = Invoice(
        issuer_key=issuer, sequence=sequence, number=invoice_number(issuer, sequence),
        kind=InvoiceKind.INVOICE, month=month, issue_date=today,
        due_date=today + dt.timedelta(days=PAYMENT_DAYS),
        total_excl_vat_eur=total, vat_eur=vat, total_incl_vat_eur=total + vat,
        vat_mention=(VAT_MENTION if vat_rate else NO_VAT_MENTION) + " "
        + LATE_MENTION.format(days=PAYMENT_DAYS),
        status=PaymentStatus.ISSUED, created_dt=now(),
        **seller, **_buyer_fields(session, canteen_id, group_id),
    )
    invoice.lines = [
        InvoiceLine(
            position=position, allocation_line_id=sale.line.id,
            canteen_id=sale.line.canteen_id, farm_id=sale.line.farm_id, day=sale.day,
            product_name=sale.line.product.name_fr, unit=str(sale.line.product.unit),
            quantity=sale.quantity, unit_price_eur=sale.unit_price_eur,
            value_eur=sale.value_eur, vat_rate=vat_rate,
            under_contract=sale.contract_line is not None,
        )
        for position, sale in enumerate(sales, start=1)
    ]
    session.add(invoice)
    session.flush()
    return invoice


def _credit(session: Session, invoice: Invoice) -> Invoice:
    """Cancel an invoice by a credit note of the same lines, negated, next in the sequence."""
    sequence = _next_sequence(session, invoice.issuer_key)
    today = today_in_paris()
    note = Invoice(
        issuer_key=invoice.issuer_key, issuer_farm_id=invoice.issuer_farm_id, sequence=sequence,
        number=invoice_number(invoice.issuer_key, sequence), kind=InvoiceKind.CREDIT_NOTE,
        corrects_id=invoice.id, buyer_canteen_id=invoice.buyer_canteen_id,
        buyer_group_id=invoice.buyer_group_id, month=invoice.month, issue_date=today,
        due_date=today, total_excl_vat_eur=-invoice.total_excl_vat_eur,
        vat_eur=-invoice.vat_eur, total_incl_vat_eur=-invoice.total_incl_vat_eur,
        seller_name=invoice.seller_name, seller_siret=invoice.seller_siret,
        seller_address=invoice.seller_address, seller_vat_number=invoice.seller_vat_number,
        seller_organic=invoice.seller_organic, buyer_name=invoice.buyer_name,
        buyer_siret=invoice.buyer_siret, buyer_address=invoice.buyer_address,
        vat_mention=invoice.vat_mention, status=PaymentStatus.CREDITED, created_dt=now(),
    )
    note.lines = [
        InvoiceLine(position=line.position, allocation_line_id=line.allocation_line_id,
                    canteen_id=line.canteen_id, farm_id=line.farm_id, day=line.day,
                    product_name=line.product_name, unit=line.unit, quantity=-line.quantity,
                    unit_price_eur=line.unit_price_eur, value_eur=-line.value_eur,
                    vat_rate=line.vat_rate, under_contract=line.under_contract)
        for line in invoice.lines
    ]
    invoice.status = PaymentStatus.CREDITED
    session.add(note)
    session.flush()
    return note


# --- Payment -------------------------------------------------------------------------------------


def mark_paid(invoice_id: int, paid_text: str | None, actor: Actor) -> Invoice:
    """Record that an invoice was paid on ``paid_text`` (ISO date; default today), lead only."""
    session = get_session()
    try:
        try:
            paid_date = dt.date.fromisoformat(paid_text) if paid_text else None
        except ValueError:
            raise InvalidInput(_("Date de paiement : écrivez-la sous la forme 2026-12-31."),
                               {"date_paiement": [_("Date invalide.")]}) from None
        if actor is not None and actor.role != Role.LEAD:
            raise Forbidden(_("Seule la coordination enregistre les paiements."))
        invoice = session.get(Invoice, invoice_id)
        if invoice is None:
            raise NotFound(_("Cette facture n'existe pas."))
        if invoice.kind != InvoiceKind.INVOICE or invoice.status == PaymentStatus.CREDITED:
            raise Conflict(_("Cette facture est annulée par un avoir : rien à encaisser."))
        paid = paid_date or today_in_paris()
        if paid > today_in_paris():
            raise InvalidInput(_("Date de paiement : elle ne peut pas être dans le futur."),
                               {"date_paiement": [_("Date future.")]})
        invoice.status = PaymentStatus.PAID
        invoice.paid_date = paid
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return invoice


def remind_overdue_invoices(today: dt.date | None = None) -> list[Invoice]:
    """Mark the unpaid invoices past their due date overdue and remind their buyer, once."""
    session = get_session()
    today = today or today_in_paris()
    try:
        overdue = session.scalars(
            select(Invoice).where(Invoice.kind == InvoiceKind.INVOICE,
                                  Invoice.status.in_([PaymentStatus.ISSUED,
                                                      PaymentStatus.OVERDUE]),
                                  Invoice.due_date < today, Invoice.reminded_dt.is_(None))
            .order_by(Invoice.id)
        ).all()
        for invoice in overdue:
            invoice.status = PaymentStatus.OVERDUE
            invoice.reminded_dt = now()
            for user in buyer_users(session, invoice):
                queue_for_user(
                    user, kind="invoice_overdue", dedup_key=f"invoice_overdue:{invoice.id}",
                    subject=N_("Facture %(number)s en retard de paiement"),
                    template="invoice_overdue", preference=None, invoice=invoice,
                    subject_values={"number": invoice.number})
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return list(overdue)


def buyer_users(session: Session, invoice: Invoice) -> Sequence[User]:
    """Return the active managers of the canteens an invoice is addressed for."""
    if invoice.buyer_canteen_id is not None:
        canteen_ids = select(Canteen.id).where(Canteen.id == invoice.buyer_canteen_id)
    else:
        canteen_ids = select(Canteen.id).where(
            Canteen.invoiced_group_id == invoice.buyer_group_id)
    return session.scalars(
        select(User).where(User.is_active.is_(True), User.role == Role.CANTEEN,
                           User.canteen_id.in_(canteen_ids)).order_by(User.id)
    ).all()


# --- Reading -------------------------------------------------------------------------------------


def visible_invoices(actor: Actor) -> list[Invoice]:
    """Return the invoices an actor may read: all (lead), its canteen's, or its farm's."""
    query = select(Invoice).order_by(Invoice.month.desc(), Invoice.issuer_key, Invoice.sequence)
    if actor is not None and actor.role == Role.CANTEEN:
        canteen = get_session().get(Canteen, actor.canteen_id) if actor.canteen_id else None
        if canteen is None:
            return []
        canteen_id, group_id = buyer_of(canteen)
        query = query.where(Invoice.buyer_canteen_id == canteen_id if canteen_id is not None
                            else Invoice.buyer_group_id == group_id)
    elif actor is not None and actor.role == Role.GROWER:
        query = query.where(Invoice.issuer_farm_id == actor.farm_id)
    elif actor is not None and actor.role != Role.LEAD:
        return []
    return list(get_session().scalars(query))


def get_invoice(invoice_id: int, actor: Actor) -> Invoice:
    """Return an invoice the actor may read."""
    invoice = get_session().get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound(_("Cette facture n'existe pas."))
    if invoice not in visible_invoices(actor):
        raise Forbidden(_("Vous ne pouvez voir que les factures qui vous sont adressées."))
    return invoice
