# flask-smorest ships no type information: its route decorators are untyped.
# mypy: disable-error-code="untyped-decorator"
"""Invoices and credit notes: the list the caller may read, and each as a Factur-X PDF."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask_babel import gettext as _

from pial.access import roles
from pial.api.common import actor, api_blueprint, checked_id, decimal_text
from pial.api.schemas import InvoiceOut
from pial.invoices import services
from pial.invoices.documents import invoice_pdf
from pial.models import Invoice, Role

blueprint = api_blueprint("api_invoices", "Factures et avoirs (Factur-X)")

READERS = roles(Role.LEAD, Role.CANTEEN, Role.GROWER)
ACCESS_RULES = {"list_invoices": READERS, "invoice_facturx": READERS}


def _invoice_out(invoice: Invoice) -> dict[str, Any]:
    return {
        "id": invoice.id,
        "number": invoice.number,
        "kind": invoice.kind.value,
        "corrects_id": invoice.corrects_id,
        "month": f"{invoice.month:%Y-%m}",
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "seller_name": invoice.seller_name,
        "seller_siret": invoice.seller_siret,
        "buyer_name": invoice.buyer_name,
        "buyer_canteen_id": invoice.buyer_canteen_id,
        "buyer_group_id": invoice.buyer_group_id,
        "total_excl_vat_eur": decimal_text(invoice.total_excl_vat_eur),
        "vat_eur": decimal_text(invoice.vat_eur),
        "total_incl_vat_eur": decimal_text(invoice.total_incl_vat_eur),
        "status": invoice.status.value,
        "paid_date": invoice.paid_date,
    }


@blueprint.route("/invoices", methods=["GET"])
@blueprint.response(200, InvoiceOut(many=True))
def list_invoices() -> list[dict[str, Any]]:
    """List the invoices the caller may read: addressed to or issued by them; all for the lead."""
    return [_invoice_out(invoice) for invoice in services.visible_invoices(actor())]


@blueprint.route("/invoices/<int:invoice_id>/facturx.pdf", methods=["GET"])
@blueprint.response(200, content_type="application/pdf",
                    description="The invoice as Factur-X (PDF/A-3 with its EN 16931 XML)")
def invoice_facturx(invoice_id: int) -> Response:
    """Download an invoice as Factur-X, ready for Chorus Pro."""
    invoice = services.get_invoice(checked_id(invoice_id, _("Cette facture")), actor())
    return current_app.response_class(
        invoice_pdf(invoice), mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="facture-{invoice.number}.pdf"'},
    )
