"""Monthly invoices: billed at the stored prices and the received quantities, numbered without
gaps per issuer, corrected by credit notes, never deleted, reminded when overdue."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.allocation.services import allocate_week, publish_week
from pial.deliveries.services import confirm_receipt, mark_week_delivered
from pial.errors import Conflict
from pial.invoices.services import issue_month_invoices, mark_paid
from pial.models import (
    GROUP_ISSUER,
    ImmutableInvoiceError,
    Invoice,
    InvoiceKind,
    InvoiceSeller,
    OutboxMessage,
    PaymentStatus,
    find_platform,
)
from pial.money.accrual import accrue_week
from pial.money.statements import canteen_statement
from pial.scheduler import jobs
from tests.allocation.scenario import MONDAY, Scenario
from tests.contracts.conftest import make_group_contract

NOVEMBER = dt.date(2026, 11, 1)
DECEMBER_FIRST = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
CONTRACT_PRICE, SALAD_PRICE = Decimal("1.75"), Decimal("1.20")


def _deliver(db: Session, scenario: Scenario, clock: list[dt.datetime]) -> None:
    """Publish, deliver and accrue the scenario's week, then move the clock to December."""
    platform = find_platform(db)
    assert platform is not None
    platform.legal_name = "SCIC Légumes du Comminges"
    platform.siret = "73282932000074"
    platform.address = "2 place du Marché\n31800 Saint-Gaudens"
    platform.vat_number = "FR44732829320"
    platform.organic_body, platform.organic_number = "Ecocert France", "FR-BIO-01/12345"
    db.commit()
    run = allocate_week(scenario.iso_week, scenario.lead)
    publish_week(scenario.iso_week, scenario.lead, run.id)
    mark_week_delivered(scenario.iso_week, scenario.lead)
    accrue_week(scenario.iso_week, scenario.lead)
    clock[0] = DECEMBER_FIRST


def test_a_month_is_invoiced_per_canteen_at_the_stored_prices_and_numbered_without_gaps(
    db: Session, scenario: Scenario, clock: list[dt.datetime]
) -> None:
    make_group_contract(db, scenario)
    _deliver(db, scenario, clock)
    report = issue_month_invoices(NOVEMBER, scenario.lead)
    assert [invoice.number for invoice in report.issued] == [
        f"PIAL-{n:06d}" for n in range(1, len(scenario.canteens) + 1)]
    for canteen in scenario.canteens.values():
        invoice = db.scalars(select(Invoice).where(Invoice.buyer_canteen_id == canteen.id)).one()
        statement = canteen_statement(canteen.id, NOVEMBER)
        assert invoice.total_excl_vat_eur == statement.total("value_eur") > 0
        assert invoice.vat_eur == (invoice.total_excl_vat_eur * Decimal("0.055")).quantize(
            Decimal("0.01"))
        assert invoice.seller_siret == "73282932000074"
        assert invoice.seller_organic == "Ecocert France FR-BIO-01/12345"
        assert "293 B" not in (invoice.vat_mention or "") and "5,5 %" in (invoice.vat_mention or "")
    luchon = scenario.canteens["luchon"]
    lines = [line for invoice in report.issued if invoice.buyer_canteen_id == luchon.id
             for line in invoice.lines if line.day == MONDAY]
    carrot, salad = scenario.products["carotte"].name_fr, scenario.products["salade"].name_fr
    assert {ln.unit_price_eur for ln in lines if ln.product_name == carrot} == {CONTRACT_PRICE}
    assert {ln.unit_price_eur for ln in lines if ln.product_name == salad} == {SALAD_PRICE}
    # Issued again, nothing changes: every delivered line is billed once.
    again = issue_month_invoices(NOVEMBER, scenario.lead)
    assert again.issued == [] and again.credit_notes == []
    # An invoice is never deleted, its figures never rewritten.
    first = report.issued[0]
    db.delete(first)
    with pytest.raises(ImmutableInvoiceError):
        db.flush()
    db.rollback()
    first = db.get(Invoice, report.issued[0].id)
    assert first is not None
    first.total_excl_vat_eur += 1
    with pytest.raises(ImmutableInvoiceError):
        db.flush()
    db.rollback()


def test_a_short_receipt_after_invoicing_is_corrected_by_a_credit_note_and_a_new_invoice(
    db: Session, scenario: Scenario, clock: list[dt.datetime]
) -> None:
    _deliver(db, scenario, clock)
    luchon, manager = scenario.canteens["luchon"], scenario.managers["luchon"]
    first = issue_month_invoices(NOVEMBER, scenario.lead).issued
    invoice = next(inv for inv in first if inv.buyer_canteen_id == luchon.id)
    line = invoice.lines[0]
    short = line.quantity / 2
    confirm_receipt(manager, luchon.id, line.allocation_line_id, short)
    accrue_week(scenario.iso_week, scenario.lead)
    report = issue_month_invoices(NOVEMBER, scenario.lead)
    assert len(report.credit_notes) == 1 and len(report.issued) == 1
    credit, reissued = report.credit_notes[0], report.issued[0]
    # The sequence goes on: the credit note and the new invoice follow the last number.
    assert [credit.sequence, reissued.sequence] == [len(first) + 1, len(first) + 2]
    assert credit.kind == InvoiceKind.CREDIT_NOTE and credit.corrects_id == invoice.id
    assert credit.total_excl_vat_eur == -invoice.total_excl_vat_eur
    assert db.get(Invoice, invoice.id).status == PaymentStatus.CREDITED  # type: ignore[union-attr]
    assert reissued.lines[0].quantity == short
    assert reissued.total_excl_vat_eur == canteen_statement(luchon.id, NOVEMBER).total(
        "value_eur")


def test_a_contract_may_have_each_grower_invoice_its_own_lines(
    db: Session, scenario: Scenario, clock: list[dt.datetime]
) -> None:
    contract = make_group_contract(db, scenario)
    contract.invoiced_by = InvoiceSeller.GROWER
    db.commit()
    _deliver(db, scenario, clock)
    report = issue_month_invoices(NOVEMBER, scenario.lead)
    by_farm = [inv for inv in report.issued if inv.issuer_key != GROUP_ISSUER]
    assert by_farm and all(inv.issuer_farm_id is not None for inv in by_farm)
    for invoice in by_farm:
        assert invoice.number == f"F{invoice.issuer_farm_id}-000001"
        assert invoice.seller_name == invoice.issuer_farm.name  # type: ignore[union-attr]
        assert {line.under_contract for line in invoice.lines} == {True}
        assert invoice.vat_eur == 0 and "293 B" in (invoice.vat_mention or "")


def test_an_unfinished_month_is_not_invoiced(db: Session, scenario: Scenario) -> None:
    with pytest.raises(Conflict):
        issue_month_invoices(NOVEMBER, scenario.lead)


def test_an_overdue_invoice_is_reminded_once_and_a_payment_closes_it(
    db: Session, scenario: Scenario, clock: list[dt.datetime]
) -> None:
    _deliver(db, scenario, clock)
    issued = issue_month_invoices(NOVEMBER, scenario.lead).issued
    luchon = next(inv for inv in issued if inv.buyer_canteen_id == scenario.canteens["luchon"].id)
    clock[0] = DECEMBER_FIRST + dt.timedelta(days=29)
    assert jobs.overdue_invoices(clock[0]) == "0 facture(s) en retard relancée(s)"
    mark_paid(issued[-1].id, None, scenario.lead)
    clock[0] = DECEMBER_FIRST + dt.timedelta(days=32)
    summary = jobs.overdue_invoices(clock[0])
    assert summary == f"{len(issued) - 1} facture(s) en retard relancée(s)"
    assert db.get(Invoice, luchon.id).status == PaymentStatus.OVERDUE  # type: ignore[union-attr]
    mails = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "invoice_overdue")).all()
    manager = scenario.managers["luchon"]
    mine = [mail for mail in mails if mail.to_address == manager.email]
    assert len(mine) == 1 and luchon.number in mine[0].body_text
    assert jobs.overdue_invoices(clock[0] + dt.timedelta(days=1)).startswith("0 ")
    mark_paid(luchon.id, "2027-01-02", scenario.lead)
    assert db.get(Invoice, luchon.id).status == PaymentStatus.PAID  # type: ignore[union-attr]


def test_the_invoice_pages_show_each_canteen_its_own(
    db: Session, scenario: Scenario, clock: list[dt.datetime], client: Any, login: Any
) -> None:
    _deliver(db, scenario, clock)
    issued = issue_month_invoices(NOVEMBER, scenario.lead).issued
    luchon = next(inv for inv in issued if inv.buyer_canteen_id == scenario.canteens["luchon"].id)
    other = next(inv for inv in issued if inv.id != luchon.id)
    browser = login(scenario.managers["luchon"])
    listing = browser.get("/factures/").get_data(as_text=True)
    assert luchon.number in listing and other.number not in listing
    page = browser.get(f"/factures/{luchon.id}").get_data(as_text=True)
    assert "SCIC Légumes du Comminges" in page and "73282932000074" in page
    assert browser.get(f"/factures/{other.id}").status_code == 403


def test_the_api_lists_a_canteens_invoices_and_serves_each_as_factur_x(
    db: Session, scenario: Scenario, clock: list[dt.datetime], client: Any, bearer: Any
) -> None:
    _deliver(db, scenario, clock)
    issued = issue_month_invoices(NOVEMBER, scenario.lead).issued
    luchon = next(inv for inv in issued if inv.buyer_canteen_id == scenario.canteens["luchon"].id)
    other = next(inv for inv in issued if inv.id != luchon.id)
    headers = bearer(scenario.managers["luchon"])
    listed = client.get("/api/v1/invoices", headers=headers)
    assert listed.status_code == 200
    assert [(item["number"], Decimal(item["total_excl_vat_eur"])) for item in listed.json] == [
        (luchon.number, luchon.total_excl_vat_eur)]
    pdf = client.get(f"/api/v1/invoices/{luchon.id}/facturx.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert list(PdfReader(io.BytesIO(pdf.get_data())).attachments) == ["factur-x.xml"]
    assert client.get(f"/api/v1/invoices/{other.id}/facturx.pdf", headers=headers
                      ).status_code == 403
    assert client.get("/api/v1/invoices/999999/facturx.pdf", headers=headers).status_code == 404
