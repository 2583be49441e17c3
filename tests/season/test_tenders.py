"""Can we commit? The demo's tender lot: answer, prices to the cent, workbook, contract, import."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pial.errors import Conflict
from pial.models import Contract, LotStatus, Product, TenderLot
from pial.season import tenders
from pial.season.xlsx import answer_workbook, lot_template
from pial.spreadsheets.reading import UploadRefused
from tests.season.conftest import Demo

DRAWS = 10_000


def test_the_answer_commits_less_at_higher_confidence_and_splits_it(demo: Demo) -> None:
    lot = tenders.answer_lot(demo.lead, demo.lot.id, draws=DRAWS)

    assert lot.status == LotStatus.ANSWERED and lot.draws == DRAWS
    for line in lot.lines:
        assert line.volume_90 is not None and line.volume_95 is not None
        assert line.volume_99 is not None and line.committed_quantity is not None
        assert line.yearly_estimate >= line.volume_90 >= line.volume_95 >= line.volume_99 >= 0
        assert line.committed_quantity == line.volume_95  # the lot asks 95 %
        assert line.shares, line.product.slug
        assert float(sum(share.volume_share for share in line.shares)) == pytest.approx(
            1, abs=0.001)
        assert float(sum(share.quantity for share in line.shares)) == pytest.approx(
            float(line.committed_quantity), rel=0.001)
        assert all(share.volume_share <= Decimal("0.61") for share in line.shares
                   if len(line.shares) >= 2)
    # Le Potager de Juzet declared 180 lettuces a week from its new tunnel: it carries them.
    lettuce = next(line for line in lot.lines if line.product.slug == "laitue")
    juzet = demo.farm("Le Potager de Juzet")
    assert max(lettuce.shares, key=lambda s: s.volume_share).farm_id == juzet.id
    assert lot.lead_farm_id == tenders.member_values(lot)[0].farm.id


def test_the_price_is_cost_plus_margin_plus_fee_to_the_cent(demo: Demo) -> None:
    lot = tenders.answer_lot(demo.lead, demo.lot.id, draws=2000)
    stream = io.BytesIO()
    answer_workbook(lot, tenders.buyer_name(lot), tenders.delivery_days_text(lot),
                    tenders.member_values(lot), stream)

    sheet = load_workbook(io.BytesIO(stream.getvalue()))["Bordereau de prix"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    total = Decimal(0)
    for line in lot.lines:
        _name, _unit, _estimate, committed, cost, margin, fee, price, amount = rows[
            line.product.name_fr]
        cents = [Decimal(str(value)) for value in (cost, margin, fee, price)]
        assert cents[0] + cents[1] + cents[2] == cents[3] == line.price_eur
        assert (cents[0], cents[1], cents[2]) == (
            line.production_cost_eur, line.margin_eur, line.intermediation_fee_eur)
        # The lot's prices are the group's season prices (cost, margin and fee of Price rows).
        assert Decimal(str(committed)) == line.committed_quantity
        assert Decimal(str(amount)) == (line.committed_quantity * line.price_eur).quantize(
            Decimal("0.01"))
        total += Decimal(str(amount))
    assert Decimal(str(rows["Total annuel"][8])) == total == tenders.lot_value_eur(lot)
    book = load_workbook(io.BytesIO(stream.getvalue()))
    assert {"Réponse", "Bordereau de prix", "Engagements", "Membres", "Répartition"} <= set(
        book.sheetnames)
    members = [row for row in book["Membres"].iter_rows(min_row=2, values_only=True)]
    assert [row[1] for row in members].count("Mandataire") == 1
    assert sum(row[5] for row in members) == pytest.approx(1.0, abs=1e-6)
    assert all(row[2] != "—" and row[3] != "—" for row in members)  # SIRET, organic certificate


def test_a_won_lot_becomes_its_contract_in_one_step(db: Session, demo: Demo) -> None:
    lot = tenders.answer_lot(demo.lead, demo.lot.id, draws=2000)
    contract = tenders.create_contract(demo.lead, lot.id)

    assert lot.status == LotStatus.WON and lot.contract_id == contract.id
    assert (contract.start_date, contract.end_date) == (dt.date(2027, 8, 30),
                                                        dt.date(2030, 8, 29))
    assert contract.canteen_group_id == lot.canteen_group_id
    lines = {line.product_id: line for line in contract.lines}
    for line in lot.lines:
        assert lines[line.product_id].committed_min_quantity_per_year == line.committed_quantity
        assert lines[line.product_id].price_eur == line.price_eur
    members = {share.farm_id for line in lot.lines for share in line.shares}
    assert {farm.id for farm in contract.growers} == members
    with pytest.raises(Conflict):
        tenders.create_contract(demo.lead, lot.id)
    assert db.scalar(select(func.count()).select_from(Contract)) == 2  # the demo's and this


def test_changing_a_line_clears_the_answer(demo: Demo) -> None:
    lot = tenders.answer_lot(demo.lead, demo.lot.id, draws=2000)
    line = lot.lines[0]
    tenders.save_lot_line(demo.lead, lot.id, line.id, {
        "product_id": line.product_id, "yearly_estimate": Decimal("100"),
        "production_cost_eur": Decimal("1.23"), "margin_eur": None,
        "intermediation_fee_eur": None}, line.version_id)

    assert lot.status == LotStatus.DRAFT
    assert all(item.committed_quantity is None and not item.shares for item in lot.lines)
    assert line.production_cost_eur == Decimal("1.23") and line.price_eur == (
        Decimal("1.23") + line.margin_eur + line.intermediation_fee_eur)
    with pytest.raises(Conflict):
        tenders.create_contract(demo.lead, lot.id)


def _filled_template(db: Session, rows: list[tuple[object, object]], **lot: object) -> bytes:
    """Fill the lot template as a lead would, with openpyxl."""
    stream = io.BytesIO()
    lot_template(list(db.scalars(select(Product))), stream)
    book = load_workbook(io.BytesIO(stream.getvalue()))
    sheet = book["Lot"]
    values = {"Intitulé": "Lot 9 – légumes du collège", "Acheteur": "École de Cierp-Gaud",
              "Début": "30/08/2027", "Durée": 2} | {key: value for key, value in lot.items()}
    for row in sheet.iter_rows(min_row=3, max_row=12):
        label = row[0].value or ""
        for key, value in values.items():
            if label.startswith(key):
                row[1].value = value
    products = book["Produits"]
    for index, (name, quantity) in enumerate(rows, start=2):
        products.cell(row=index, column=1, value=name)
        products.cell(row=index, column=2, value=quantity)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_lot_is_imported_from_its_template(db: Session, demo: Demo) -> None:
    content = _filled_template(db, [("Carotte", 400), ("pomme de terre", "600,5")])

    lot = tenders.import_lot(demo.lead, content)

    assert lot.title == "Lot 9 – légumes du collège" and lot.years == 2
    assert lot.canteen_id == demo.user("cantine.cierp-gaud").canteen_id
    assert [(line.product.slug, line.yearly_estimate) for line in lot.lines] == [
        ("carotte", Decimal("400.000")), ("pomme-de-terre", Decimal("600.500"))]
    carrot = lot.lines[0]
    assert carrot.price_eur > 0 and carrot.production_cost_eur > 0


def test_a_wrong_template_is_refused_whole_with_every_row_named(db: Session,
                                                                demo: Demo) -> None:
    before = db.scalar(select(func.count()).select_from(TenderLot))
    content = _filled_template(db, [("Carrote", 400), ("Poireau", "=B2*2"), ("Navet", -3)],
                               Acheteur="École de Cierp")

    with pytest.raises(UploadRefused) as refused:
        tenders.import_lot(demo.lead, content)

    messages = [problem.describe() for problem in refused.value.problems]
    assert any("ligne 2" in m and "« Carrote »" in m and "« Carotte »" in m for m in messages)
    assert any("ligne 3" in m and "formule" in m for m in messages)
    assert any("ligne 4" in m and "supérieur à 0" in m for m in messages)
    assert any("École de Cierp-Gaud" in m for m in messages)  # the buyer's suggestion
    assert db.scalar(select(func.count()).select_from(TenderLot)) == before


def test_a_workbook_that_is_not_the_template_is_refused(demo: Demo) -> None:
    stream = io.BytesIO()
    Workbook().save(stream)
    with pytest.raises(UploadRefused) as refused:
        tenders.import_lot(demo.lead, stream.getvalue())
    assert "modèle de lot" in str(refused.value)
    with pytest.raises(UploadRefused):
        tenders.import_lot(demo.lead, b"not a zip at all")
