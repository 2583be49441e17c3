"""The ma-cantine purchase file of a delivered week: schema, prices, labels, local, log."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pial.egalim import services
from pial.egalim.tableschema import purchase_schema
from pial.errors import Forbidden, InvalidInput
from pial.models import MacantineExport, Receipt
from pial.money.accrual import accrue_week
from pial.money.statements import canteen_statement
from tests.allocation.scenario import MONDAY, THURSDAY
from tests.egalim.conftest import SIRETS, certify, lines_of, set_radius
from tests.egalim.schema_check import schema_errors

NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def rows_of(content: bytes) -> list[dict[str, str]]:
    """Parse a ma-cantine file, checking its header against the schema first."""
    reader = csv.DictReader(io.StringIO(content.decode("utf-8")))
    assert tuple(reader.fieldnames or ()) == purchase_schema().field_names
    return list(reader)


def export(canteen_id: int, actor: Any = None, **kw: Any) -> list[dict[str, str]]:
    written = services.export_macantine(canteen_id, *NOVEMBER, actor, **kw)
    assert schema_errors(written.content) == []
    return rows_of(written.content)


def test_each_row_is_a_delivered_line_at_its_charged_price(db: Session, delivered: Any) -> None:
    scenario = delivered(short_by={0: "0", 1: "7.5"})
    lines = lines_of(db, scenario)
    refused, short = lines[0], lines[1]
    accrue_week(scenario.iso_week)
    for key, canteen in scenario.canteens.items():
        written = services.export_macantine(canteen.id, *NOVEMBER, None)
        content = written.content
        assert schema_errors(content) == []
        assert not content.startswith(b"\xef\xbb\xbf")  # no BOM: the header must read "siret"
        assert "—".encode() in content  # UTF-8 (the descriptions' dash), as the schema says
        rows = rows_of(content)
        mine = [ln for ln in lines if ln.canteen_id == canteen.id and ln.quantity > 0
                and ln.id != refused.id]  # fmt: skip
        assert len(rows) == len(mine)
        assert {row["siret"] for row in rows} == {SIRETS[key]}
        assert {row["date"] for row in rows} <= {MONDAY.isoformat(), THURSDAY.isoformat()}
        for row in rows:
            assert row["prix_ht"] == f"{Decimal(row['prix_ht']):.2f}"  # decimal point, cents
            assert row["origine"] == "FRANCE" and row["est_circuit_court"] == "OUI"
        # What the file declares is what the canteen's statement charges, to the cent.
        total = sum((Decimal(row["prix_ht"]) for row in rows), Decimal(0))
        assert total == canteen_statement(canteen.id, NOVEMBER[0]).total("value_eur")
        assert written.logged[0].total_eur == total
    # The short line counts what was received; the refused one is not a purchase.
    short_rows = [row for row in export(short.canteen_id, confirm_overlap=True)
                  if row["date"] == short.day.isoformat()
                  and row["description"].startswith(short.product.name_fr + " — 7,5 ")]
    assert len(short_rows) == 1
    receipt = db.scalar(select(Receipt).where(Receipt.allocation_line_id == short.id))
    assert receipt is not None and receipt.received_quantity == Decimal("7.5")
    planned_price = short.value_eur / short.quantity
    assert Decimal(short_rows[0]["prix_ht"]) == (Decimal("7.5") * planned_price).quantize(
        Decimal("0.01"))


def test_a_certificate_lapsing_mid_month(db: Session, delivered: Any) -> None:
    """Rows delivered while the certificate runs are BIO; those after it lapsed are not."""
    scenario = delivered()
    lines = lines_of(db, scenario)
    farm_ids = {ln.farm_id for ln in lines if ln.day == MONDAY} & {
        ln.farm_id for ln in lines if ln.day == THURSDAY}
    assert farm_ids, "the scenario needs a farm delivering both days"
    farm = next(f for f in scenario.farms.values() if f.id == min(farm_ids))
    farm.certificates[0].valid_until = dt.date(2026, 11, 24)  # a Tuesday, between the two
    db.commit()
    farm_rows = set()
    for canteen in scenario.canteens.values():
        for row in export(canteen.id):
            if row["fournisseur"].startswith(farm.name):
                farm_rows.add((row["date"], row["categories_egalim"]))
            else:
                assert row["categories_egalim"] == "BIO"
    # Monday, while the certificate ran: BIO; Thursday, after it lapsed on Tuesday: nothing.
    assert farm_rows == {(MONDAY.isoformat(), "BIO"), (THURSDAY.isoformat(), "")}


def test_labels_come_from_the_farm_never_from_the_product(db: Session, delivered: Any) -> None:
    scenario = delivered()
    farms = scenario.farms
    farms["luchon"].certificates.clear()  # not certified at all
    certify(farms["luchon"], "HVE", dt.date(2020, 1, 1))
    farms["stgaudens"].certificates[0].in_conversion = True  # in conversion: not organic
    scenario.products["salade"].is_organic = False  # cannot carry BIO, even from montrejeau
    db.commit()
    labels: dict[tuple[str, str], set[str]] = {}
    for canteen in scenario.canteens.values():
        for row in export(canteen.id):
            product = row["description"].split(" — ")[0]
            labels.setdefault((row["fournisseur"], product), set()).add(row["categories_egalim"])
    assert labels
    for (supplier, product), found in labels.items():
        if supplier == farms["luchon"].name:
            assert found == {"HVE"}
        elif supplier == farms["stgaudens"].name:
            assert found == {""}
        else:
            assert found == ({""} if product == "Salade" else {"BIO"})


def test_local_is_the_delivering_farms_road_distance_within_the_radius(
    db: Session, delivered: Any
) -> None:
    scenario = delivered()
    lines = lines_of(db, scenario)
    distances = sorted(ln.distance_km for ln in lines)
    radius = int((distances[0] + distances[-1]) / 2)  # some lines nearer, some farther
    set_radius(db, radius)
    by_key = {(ln.farm.name, ln.product.name_fr, ln.day.isoformat(), ln.canteen_id): ln
              for ln in lines}  # fmt: skip
    seen = set()
    for canteen in scenario.canteens.values():
        for row in export(canteen.id):
            product = row["description"].split(" — ")[0]
            line = by_key[(row["fournisseur"], product, row["date"], canteen.id)]
            local = line.distance_km <= radius
            seen.add(local)
            assert row["est_local"] == ("OUI" if local else "NON")
            assert row["definition_local"] == ("KM" if local else "")
            assert row["definition_local_km"] == (str(radius) if local else "")
            assert row["description"].endswith(" km")
    assert seen == {True, False}, "the scenario has near and far deliveries"


def test_each_export_is_logged_and_an_overlap_warns(db: Session, delivered: Any) -> None:
    scenario = delivered()
    canteen = scenario.canteens["luchon"]
    rows = export(canteen.id, scenario.managers["luchon"])
    log = db.scalars(select(MacantineExport)).all()
    assert [(e.canteen_id, e.first_day, e.last_day, e.rows) for e in log] == [
        (canteen.id, *NOVEMBER, len(rows))]
    assert log[0].total_eur == sum((Decimal(r["prix_ht"]) for r in rows), Decimal(0))
    assert log[0].exported_by_id == scenario.managers["luchon"].id
    with pytest.raises(services.ExportOverlaps, match="déjà exportés"):
        services.export_macantine(canteen.id, dt.date(2026, 11, 20), dt.date(2026, 12, 31), None)
    assert db.scalar(select(func.count(MacantineExport.id))) == 1  # nothing written, no log
    # A period that does not overlap needs no confirmation; a confirmed one is logged too.
    with pytest.raises(InvalidInput, match="Aucun achat"):
        services.export_macantine(canteen.id, dt.date(2026, 10, 1), dt.date(2026, 10, 31), None)
    assert export(canteen.id, confirm_overlap=True) == rows
    assert db.scalar(select(func.count(MacantineExport.id))) == 2


def test_future_days_are_not_purchases_yet(db: Session, delivered: Any, clock: Any) -> None:
    scenario = delivered()
    clock.now = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)  # Tuesday: Thursday to come
    dates = {row["date"] for c in scenario.canteens.values() for row in export(c.id)}
    assert dates == {MONDAY.isoformat()}


def test_a_canteen_without_a_valid_siret_is_refused(db: Session, delivered: Any) -> None:
    scenario = delivered()
    canteen = scenario.canteens["luchon"]
    for siret in (None, "21310329600014"):  # missing, then a wrong check digit
        canteen.siret = siret
        db.commit()
        with pytest.raises(InvalidInput, match="SIRET"):
            services.export_macantine(canteen.id, *NOVEMBER, None)
        with pytest.raises(InvalidInput, match=canteen.name):
            services.export_all_macantine(*NOVEMBER, None)
    assert db.scalar(select(func.count(MacantineExport.id))) == 0


def test_managers_export_their_own_canteen_only(db: Session, delivered: Any) -> None:
    scenario = delivered()
    own, other = scenario.canteens["luchon"], scenario.canteens["stgaudens"]
    assert export(own.id, scenario.managers["luchon"])
    for intruder in (scenario.managers["luchon"], scenario.growers["luchon"]):
        with pytest.raises(Forbidden):
            services.export_macantine(other.id, *NOVEMBER, intruder)
        with pytest.raises(Forbidden):
            services.export_all_macantine(*NOVEMBER, intruder)


def test_the_lead_downloads_every_canteen_at_once(db: Session, delivered: Any) -> None:
    scenario = delivered()
    written = services.export_all_macantine(*NOVEMBER, scenario.lead)
    archive = zipfile.ZipFile(io.BytesIO(written.content))
    names = sorted(archive.namelist())
    assert [name.split("-")[0] for name in names] == sorted(SIRETS.values())
    for name in names:
        content = archive.read(name)
        assert schema_errors(content) == []
        assert {row["siret"] for row in rows_of(content)} == {name.split("-")[0]}
    assert db.scalar(select(func.count(MacantineExport.id))) == 2
    with pytest.raises(services.ExportOverlaps):
        services.export_all_macantine(*NOVEMBER, scenario.lead)


def test_the_command_line(app: Any, db: Session, delivered: Any, tmp_path: Any) -> None:
    scenario = delivered()
    runner = app.test_cli_runner()
    output = tmp_path / "achats.csv"
    canteen = scenario.canteens["luchon"]
    period = ["--du", "2026-11-01", "--au", "2026-11-30", "-o", str(output)]
    result = runner.invoke(args=["export", "ma-cantine", str(canteen.id), *period])
    assert result.exit_code == 0, result.output
    assert schema_errors(output.read_bytes()) == []
    refused = runner.invoke(args=["export", "ma-cantine", str(canteen.id), *period])
    assert refused.exit_code == 1 and "déjà exportés" in refused.output
    archive = tmp_path / "achats.zip"
    every = runner.invoke(args=["export", "ma-cantine", "--du", "2026-11-01", "--au",
                                "2026-11-30", "--malgre-chevauchement", "-o", str(archive)])
    assert every.exit_code == 0, every.output
    assert len(zipfile.ZipFile(archive).namelist()) == 2
