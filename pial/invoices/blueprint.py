"""Invoice pages: the list, one invoice as a page, its Factur-X PDF, issuing and payment."""

from __future__ import annotations

import datetime as dt
import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from pial.access import roles
from pial.clock import today_in_paris
from pial.errors import ServiceError
from pial.invoices import services
from pial.invoices.documents import invoice_html, invoice_pdf
from pial.models import Role
from pial.pages import read_or_abort

blueprint = Blueprint("invoices", __name__, url_prefix="/factures")

READERS = roles(Role.LEAD, Role.CANTEEN, Role.GROWER)
ACCESS_RULES = {
    "index": READERS,
    "show": READERS,
    "pdf": READERS,
    "issue": roles(Role.LEAD),
    "pay": roles(Role.LEAD),
}


def _previous_month() -> str:
    first = today_in_paris().replace(day=1) - dt.timedelta(days=1)
    return f"{first:%Y-%m}"


@blueprint.route("/")
def index() -> str:
    """List the invoices and credit notes the user may read, the latest month first."""
    invoices = services.visible_invoices(current_user)
    return render_template("invoices/index.html", invoices=invoices,
                           default_month=_previous_month())


@blueprint.route("/<int:invoice_id>")
def show(invoice_id: int) -> str:
    """Show one invoice as the buyer receives it."""
    return invoice_html(read_or_abort(services.get_invoice, invoice_id, current_user))


@blueprint.route("/<int:invoice_id>.pdf")
def pdf(invoice_id: int) -> Response:
    """Download the invoice as Factur-X: PDF/A-3 carrying its EN 16931 XML."""
    invoice = read_or_abort(services.get_invoice, invoice_id, current_user)
    content = invoice_pdf(invoice)
    return send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=True,
                     download_name=f"facture-{invoice.number}.pdf")


@blueprint.route("/emettre", methods=["POST"])
def issue() -> Response:
    """Issue the invoices of a month that has ended."""
    try:
        report = services.issue_month_invoices(
            services.parse_month(request.form.get("mois", "")), current_user)
    except ServiceError as error:
        flash(str(error), "error")
    else:
        flash(report.describe(), "success")
    return redirect(url_for("invoices.index"))


@blueprint.route("/<int:invoice_id>/payee", methods=["POST"])
def pay(invoice_id: int) -> Response:
    """Record an invoice's payment."""
    try:
        invoice = services.mark_paid(invoice_id, request.form.get("date_paiement"),
                                     current_user)
    except ServiceError as error:
        flash(str(error), "error")
    else:
        flash(_("Facture %(number)s marquée payée.", number=invoice.number), "success")
    return redirect(url_for("invoices.index"))
