"""An invoice as people read it: its page, and the same page as a Factur-X PDF."""

from __future__ import annotations

from flask import render_template

from pial.invoices.facturx import facturx_pdf
from pial.models import Invoice
from pial.pdf import render_pdf


def invoice_html(invoice: Invoice, *, paper: bool = False) -> str:
    """Return the invoice's page: the web page, or the same invoice laid out for paper."""
    template = "invoices/paper.html" if paper else "invoices/show.html"
    return render_template(template, invoice=invoice)


def invoice_pdf(invoice: Invoice) -> bytes:
    """Return the invoice as Factur-X: its paper page as PDF/A-3 with its CII XML inside."""
    return facturx_pdf(invoice, render_pdf(invoice_html(invoice, paper=True)))
