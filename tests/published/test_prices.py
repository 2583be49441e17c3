"""One unit price per line, whatever the document: the contract's price, else the group's.

A canteen buys its carrots under a group contract (1.40 + 0.25 + 0.10 = 1.75 € a kilo, the
season's catalogue price being 1.90 €) and its salads without one (1.20 € apiece). Each line
shows the same unit price and value on the delivery note (service, page and e-mail), in the
planning workbook read back with openpyxl, and on the canteen's monthly statement; the pick
list and its e-mail show no money at all.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.etree import ElementTree as ET

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.allocation.review import planning_grid
from pial.allocation.services import allocate_week, declare_crop_failure, publish_week
from pial.deliveries.services import delivery_note, mark_week_delivered, pick_list
from pial.i18n import format_money
from pial.invoices.facturx import RAM, invoice_xml
from pial.invoices.services import issue_month_invoices
from pial.models import ContractLine, OutboxMessage, Price
from pial.money.accrual import accrue_week
from pial.money.statements import canteen_statement
from pial.spreadsheets.planning import CANTEENS_SHEET
from pial.spreadsheets.services import export_planning
from tests.allocation.scenario import MONDAY, Scenario
from tests.contracts.conftest import make_group_contract

CONTRACT_PRICE = Decimal("1.75")  # the contract line's 1.40 + 0.25 + 0.10
SALAD_PRICE = Decimal("1.20")  # the season's 0.80 + 0.30 + 0.10
CATALOGUE_CARROT_PRICE = Decimal("1.90")  # what the delivery note used to show


def _value(quantity: Decimal, price: Decimal) -> Decimal:
    return (quantity * price).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_a_contract_line_and_a_regular_line_cost_the_same_on_every_document(
    db: Session, scenario: Scenario, client: Any, login: Any, clock: list[dt.datetime]
) -> None:
    make_group_contract(db, scenario)
    canteen, manager = scenario.canteens["luchon"], scenario.managers["luchon"]
    carrot, salad = scenario.products["carotte"], scenario.products["salade"]
    run = allocate_week(scenario.iso_week, scenario.lead)
    publish_week(scenario.iso_week, scenario.lead, run.id)
    # Monday at the Luchon canteen: carrots under the contract, salads without one.
    expected = {
        (line.product_id, line.farm.name): (line.quantity, price, _value(line.quantity, price))
        for line in run.lines
        if line.canteen_id == canteen.id and line.day == MONDAY
        for price in [CONTRACT_PRICE if line.product_id == carrot.id else SALAD_PRICE]
    }
    assert {product_id for product_id, _farm in expected} == {carrot.id, salad.id}
    assert CONTRACT_PRICE != CATALOGUE_CARROT_PRICE

    # The delivery note, as the service gives it.
    note = delivery_note(canteen.id, scenario.iso_week, MONDAY, actor=manager)
    on_note = {
        (item.line.product_id, item.line.farm.name): (
            item.line.quantity, item.price_eur, item.line.value_eur
        )
        for farm in note.farms
        for item in farm.lines
    }
    assert on_note == expected
    assert note.total_eur == sum(value for _q, _p, value in expected.values())

    # The delivery notes page and the publication's e-mail show the same two figures.
    page = login(manager).get(f"/semaines/{scenario.iso_week}/mes-livraisons")
    html = page.get_data(as_text=True)
    mail = db.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == manager.email,
                                    OutboxMessage.kind == "planning_published")
    ).one()
    for item in (item for farm in note.farms for item in farm.lines):
        row = re.search(rf'<tr id="ligne-{item.line.id}".*?</tr>', html, re.DOTALL)
        assert row is not None
        assert format_money(item.price_eur) in row.group(0)
        assert format_money(item.line.value_eur) in row.group(0)
        shown = f"× {format_money(item.price_eur)} = {format_money(item.line.value_eur)}"
        assert shown in mail.body_text

    # The pick list and its e-mail carry quantities only: no price to disagree with.
    grower = scenario.growers["luchon"]
    assert pick_list(grower.farm_id or 0, scenario.iso_week).days
    pick_mail = db.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == grower.email)
    ).one()
    assert "€" not in pick_mail.body_text

    # The planning workbook, read back.
    stream = io.BytesIO()
    export_planning(scenario.iso_week, stream, scenario.lead)
    sheet = load_workbook(io.BytesIO(stream.getvalue()))[CANTEENS_SHEET]
    in_workbook = {}
    block = ""
    for row in sheet.iter_rows(values_only=True):
        if isinstance(row[0], str) and row[0].startswith("Bon de livraison"):
            block = row[0]
        elif (block == f"Bon de livraison — {canteen.name} — lundi 23/11/2026"
              and isinstance(row[5], int | float)):
            product_id = carrot.id if row[0] == carrot.name_fr else salad.id
            in_workbook[(product_id, row[1])] = (
                Decimal(str(row[2])).quantize(Decimal("0.001")),
                Decimal(str(row[5])).quantize(Decimal("0.01")),
                Decimal(str(row[6])).quantize(Decimal("0.01")),
            )
    assert in_workbook == expected

    # The canteen's statement of November, once the week is delivered and accrued.
    mark_week_delivered(scenario.iso_week, scenario.lead)
    accrue_week(scenario.iso_week, scenario.lead)
    statement = canteen_statement(canteen.id, dt.date(2026, 11, 1), manager)
    on_statement = {
        (carrot.id if line.product_name == carrot.name_fr else salad.id, line.farm_name): (
            line.quantity, line.unit_price_eur, line.value_eur
        )
        for line in statement.lines
        if line.day == MONDAY
    }
    assert on_statement == expected
    assert all(line.under_contract == (line.product_name == carrot.name_fr)
               for line in statement.lines if line.day == MONDAY)

    # The invoice of November, on its page and in its Factur-X XML and PDF.
    clock[0] = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    invoice = next(inv for inv in issue_month_invoices(dt.date(2026, 11, 1)).issued
                   if inv.buyer_canteen_id == canteen.id)
    by_line = {line.id: key for key in expected for line in run.lines
               if line.canteen_id == canteen.id and line.day == MONDAY
               and (line.product_id, line.farm.name) == key}
    on_invoice = {by_line[line.allocation_line_id]: (line.quantity, line.unit_price_eur,
                                                     line.value_eur)
                  for line in invoice.lines if line.allocation_line_id in by_line}
    assert on_invoice == expected
    xml = ET.fromstring(invoice_xml(invoice))
    items = xml.iterfind(".//ram:IncludedSupplyChainTradeLineItem", {"ram": RAM})
    in_xml = {}
    for item, line in zip(items, invoice.lines, strict=True):
        if line.allocation_line_id in by_line:
            price = item.find(".//ram:ChargeAmount", {"ram": RAM})
            total = item.find(".//ram:LineTotalAmount", {"ram": RAM})
            assert price is not None and total is not None
            in_xml[by_line[line.allocation_line_id]] = (
                line.quantity, Decimal(price.text or ""), Decimal(total.text or ""))
    assert in_xml == expected
    page = login(manager).get(f"/factures/{invoice.id}").get_data(as_text=True)
    for line in invoice.lines:
        if line.allocation_line_id in by_line:
            row = re.search(rf'<tr id="ligne-{line.allocation_line_id}".*?</tr>', page, re.DOTALL)
            assert row is not None
            assert format_money(line.unit_price_eur) in row.group(0)
            assert format_money(line.value_eur) in row.group(0)


def test_a_price_changed_after_publication_does_not_rewrite_what_was_delivered(
    db: Session, scenario: Scenario, client: Any, login: Any
) -> None:
    make_group_contract(db, scenario)
    canteen = scenario.canteens["luchon"]
    carrot, salad = scenario.products["carotte"], scenario.products["salade"]
    run = allocate_week(scenario.iso_week, scenario.lead)
    publish_week(scenario.iso_week, scenario.lead, run.id)
    # The prices are stored on the lines as the run is published.
    stored = {line.id: line.unit_price_eur for line in run.lines}
    monday = [ln for ln in run.lines if ln.canteen_id == canteen.id and ln.day == MONDAY]
    assert {ln.unit_price_eur for ln in monday if ln.product_id == carrot.id} == {CONTRACT_PRICE}
    assert {ln.unit_price_eur for ln in monday if ln.product_id == salad.id} == {SALAD_PRICE}
    assert all(ln.contract_line_id is not None for ln in monday if ln.product_id == carrot.id)

    # Then the contract's carrots and the season's salads both go up.
    contract_line = db.scalars(select(ContractLine).where(ContractLine.product_id == carrot.id)
                               ).one()
    contract_line.margin_eur += Decimal("0.50")
    for price in db.scalars(select(Price).where(Price.product_id == salad.id)):
        price.margin_eur += Decimal("0.50")
    db.commit()

    note = delivery_note(canteen.id, scenario.iso_week, MONDAY)
    assert {item.line.id: item.price_eur for farm in note.farms for item in farm.lines} == {
        ln.id: stored[ln.id] for ln in monday}
    # The order page and the coordinator's review show the prices the notes charge.
    order_page = login(scenario.managers["luchon"]).get(
        f"/semaine/{scenario.iso_week}/commande").get_data(as_text=True)
    # Each product's row names its price on the first delivery day of the week, Monday.
    for product, price in ((carrot, CONTRACT_PRICE), (salad, SALAD_PRICE)):
        field = re.search(rf'<th scope="row" class="product-cell">{product.name_fr}\s*'
                          r'<small class="unit">[^<]*· ([^<]*)</small>', order_page)
        assert field is not None and field.group(1).strip() == format_money(price)
    grid = planning_grid(scenario.iso_week, run.id)
    block = next(b for b in grid.blocks if b.canteen.id == canteen.id and b.day == MONDAY)
    assert block.served_eur == note.total_eur
    mark_week_delivered(scenario.iso_week, scenario.lead)
    accrue_week(scenario.iso_week, scenario.lead)
    statement = canteen_statement(canteen.id, dt.date(2026, 11, 1))
    assert {line.unit_price_eur for line in statement.lines if line.day == MONDAY} == {
        CONTRACT_PRICE, SALAD_PRICE}


def test_a_replan_after_a_price_change_keeps_the_prices_of_the_first_publication(
    db: Session, scenario: Scenario
) -> None:
    salad = scenario.products["salade"]
    run = allocate_week(scenario.iso_week, scenario.lead)
    publish_week(scenario.iso_week, scenario.lead, run.id)
    first = {(ln.canteen_id, ln.product_id, ln.day): ln.unit_price_eur for ln in run.lines}
    for price in db.scalars(select(Price).where(Price.product_id == salad.id)):
        price.margin_eur += Decimal("0.50")
    db.commit()
    line = next(ln for ln in run.lines if ln.product_id == salad.id)
    grower = next(user for user in scenario.growers.values() if user.farm_id == line.farm_id)
    replan = declare_crop_failure(grower, line.farm_id, scenario.iso_week, salad.id,
                                  line.quantity)
    assert replan.published_version == 2
    before = {(ln.farm_id, ln.canteen_id, ln.product_id, ln.day) for ln in run.lines}
    # Salads another farm now brings in place of the lost ones: still at the first price.
    moved = [ln for ln in replan.lines if ln.product_id == salad.id
             and (ln.farm_id, ln.canteen_id, ln.product_id, ln.day) not in before]
    assert moved
    assert {ln.unit_price_eur for ln in moved} == {SALAD_PRICE}
    assert all(ln.unit_price_eur == first[(ln.canteen_id, ln.product_id, ln.day)]
               for ln in replan.lines if (ln.canteen_id, ln.product_id, ln.day) in first)
