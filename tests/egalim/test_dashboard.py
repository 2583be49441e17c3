"""The EGalim dashboard: figures month by month and to date, other purchases, pages, API."""

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
from pial.egalim.figures import Amounts
from pial.errors import Forbidden, InvalidInput
from pial.models import MacantineExport, OtherPurchases
from tests.egalim.conftest import certify, set_radius
from tests.egalim.schema_check import schema_errors

NOVEMBER = dt.date(2026, 11, 1)
OCTOBER = dt.date(2026, 10, 1)


def test_gaps_to_the_targets() -> None:
    amounts = Amounts(Decimal("1000"), Decimal("300"), Decimal("150"), Decimal("600"))
    assert amounts.egalim_share == Decimal("0.3") and amounts.organic_share == Decimal("0.15")
    assert amounts.egalim_gap_eur == Decimal("200.00")  # 50 % of 1000 is 500
    assert amounts.organic_gap_eur == Decimal("50.00")  # 20 % of 1000 is 200
    assert Amounts().egalim_share is None and Amounts().egalim_gap_eur == 0
    reached = Amounts(Decimal("100"), Decimal("60"), Decimal("25"), Decimal("0"))
    assert reached.egalim_gap_eur == reached.organic_gap_eur == 0


def test_figures_count_pial_and_the_other_purchases(db: Session, delivered: Any) -> None:
    scenario = delivered()
    farms = scenario.farms
    farms["stgaudens"].certificates.clear()
    certify(farms["stgaudens"], "HVE", dt.date(2020, 1, 1))  # EGalim, not organic
    farms["montrejeau"].certificates.clear()  # no label at all
    db.commit()
    set_radius(db, 5)
    kinds = set()
    for key, canteen in scenario.canteens.items():
        rows = [(row["categories_egalim"], row["est_local"], Decimal(row["prix_ht"]))
                for row in _export_rows(canteen.id)]  # fmt: skip
        kinds |= {(labels, local) for labels, local, _price in rows}
        expected = Amounts(
            total_eur=sum((price for _l, _o, price in rows), Decimal(0)),
            egalim_eur=sum((price for labels, _o, price in rows if labels), Decimal(0)),
            organic_eur=sum((price for labels, _o, price in rows if "BIO" in labels),
                            Decimal(0)),
            local_eur=sum((price for _l, local, price in rows if local == "OUI"), Decimal(0)),
        )  # fmt: skip
        year = services.canteen_year(canteen.id, 2026, scenario.managers[key])
        assert year.through == dt.date(2026, 12, 1)  # the test clock stands on 1 December
        assert [m.month for m in year.months] == [dt.date(2026, n, 1) for n in range(1, 13)]
        assert year.months[10].pial == expected and expected.total_eur > 0
        assert year.whole == expected
        assert year.missing_other_months == [NOVEMBER]
    # Organic, labelled but not organic, unlabelled; local and not: every case was counted.
    assert {labels for labels, _local in kinds} == {"BIO", "HVE", ""}
    assert {local for _labels, local in kinds} == {"OUI", "NON"}

    canteen = scenario.canteens["luchon"]
    expected = services.canteen_year(canteen.id, 2026, None).whole
    # The canteen's other purchases count in the whole, month by month and to date.
    services.save_other_purchases(scenario.managers["luchon"], canteen.id, [
        services.OtherPurchasesInput(NOVEMBER, Decimal("900"), Decimal("300"), Decimal("100"),
                                     Decimal("50")),
        services.OtherPurchasesInput(OCTOBER, Decimal("1000"), Decimal("0"), Decimal("0"),
                                     Decimal("0")),
    ])  # fmt: skip
    year = services.canteen_year(canteen.id, 2026, None)
    assert year.missing_other_months == []
    november = year.months[10]
    assert november.whole.total_eur == expected.total_eur + 900
    assert november.whole.organic_eur == expected.organic_eur + 100
    assert year.whole.total_eur == expected.total_eur + 1900
    assert year.whole.egalim_share == (expected.egalim_eur + 300) / (expected.total_eur + 1900)
    cumulative = year.cumulative()
    assert cumulative[9].total_eur == 1000 and cumulative[10] == year.whole

    every = services.all_canteen_years(2026, scenario.lead)
    assert [y.canteen_id for y in every] == sorted(
        (c.id for c in scenario.canteens.values()), key=lambda i: db.get(type(canteen), i).name)
    with pytest.raises(Forbidden):
        services.all_canteen_years(2026, scenario.managers["luchon"])
    with pytest.raises(Forbidden):
        services.canteen_year(scenario.canteens["stgaudens"].id, 2026, scenario.managers["luchon"])
    with pytest.raises(InvalidInput):
        services.canteen_year(canteen.id, 2027, None)


def _export_rows(canteen_id: int) -> list[dict[str, str]]:
    written = services.export_macantine(canteen_id, NOVEMBER, dt.date(2026, 11, 30), None,
                                        confirm_overlap=True)  # fmt: skip
    return list(csv.DictReader(io.StringIO(written.content.decode("utf-8"))))


def test_other_purchases_are_checked_all_or_nothing(db: Session, delivered: Any) -> None:
    scenario = delivered()
    manager, canteen = scenario.managers["luchon"], scenario.canteens["luchon"]
    good = services.OtherPurchasesInput(OCTOBER, Decimal("100"), Decimal("50"), Decimal("20"),
                                        Decimal("10"))  # fmt: skip
    for bad, message in (
        (services.OtherPurchasesInput(NOVEMBER, Decimal("100"), Decimal("150"), Decimal("0"),
                                      Decimal("0")), "dépasser le total"),
        (services.OtherPurchasesInput(NOVEMBER, Decimal("100"), Decimal("10"), Decimal("20"),
                                      Decimal("0")), "bio"),
        (services.OtherPurchasesInput(dt.date(2027, 1, 1), Decimal("1"), Decimal("0"),
                                      Decimal("0"), Decimal("0")), "pas encore commencé"),
    ):  # fmt: skip
        with pytest.raises(InvalidInput, match=message):
            services.save_other_purchases(manager, canteen.id, [good, bad])
    assert db.scalar(select(func.count(OtherPurchases.id))) == 0
    with pytest.raises(Forbidden):
        services.save_other_purchases(manager, scenario.canteens["stgaudens"].id, [good])
    services.save_other_purchases(manager, canteen.id, [good])
    services.save_other_purchases(manager, canteen.id, [good])  # a month replaces itself
    assert db.scalar(select(func.count(OtherPurchases.id))) == 1


def test_a_totals_file_is_imported_whole_or_not_at_all(db: Session, delivered: Any) -> None:
    scenario = delivered()
    manager, canteen = scenario.managers["luchon"], scenario.canteens["luchon"]
    good = ("mois;total_ht;egalim_ht;bio_ht;local_ht\n"
            "2026-09;4 250,00;1 900,00;850,00;1 200,00\n"
            "10/2026;1000;500;200,5;0\n").encode("cp1252")  # fmt: skip
    assert services.import_other_purchases(manager, canteen.id, good) == 2
    rows = db.scalars(select(OtherPurchases).order_by(OtherPurchases.month)).all()
    assert [(r.month, r.total_eur, r.organic_eur, r.source) for r in rows] == [
        (dt.date(2026, 9, 1), Decimal("4250.00"), Decimal("850.00"), "import"),
        (dt.date(2026, 10, 1), Decimal("1000.00"), Decimal("200.50"), "import"),
    ]
    bad = b"mois,total_ht,egalim_ht,bio_ht,local_ht\n2026-11,100,50,20,0\n2026-13,x,1,1,1\n"
    with pytest.raises(InvalidInput) as refused:
        services.import_other_purchases(manager, canteen.id, bad)
    problems = [m for ms in refused.value.field_errors.values() for m in ms]
    assert problems == [
        "Ligne 3, colonne mois : « 2026-13 » n'est pas un mois (2026-09).",
        "Ligne 3, colonne total_ht : « x » n'est pas un montant.",
    ]
    assert db.scalar(select(func.count(OtherPurchases.id))) == 2  # nothing of the bad file
    with pytest.raises(InvalidInput, match="en-tête"):
        services.import_other_purchases(manager, canteen.id, b"month,total\n2026-11,1\n")


def test_the_pages_of_a_manager(client: Any, login: Any, db: Session, delivered: Any) -> None:
    scenario = delivered()
    manager, canteen = scenario.managers["luchon"], scenario.canteens["luchon"]
    login(manager)
    assert client.get("/egalim/").headers["Location"].endswith(f"/egalim/cantine/{canteen.id}")
    page = client.get(f"/egalim/cantine/{canteen.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'role="img"' in html and "novembre 2026" in html and "non saisi" in html
    assert client.get(f"/egalim/cantine/{scenario.canteens['stgaudens'].id}").status_code == 403
    assert client.get("/egalim/?annee=2026").status_code == 302

    period = {"first_day": "2026-11-01", "last_day": "2026-11-30"}
    response = client.post(f"/egalim/cantine/{canteen.id}/ma-cantine.csv", data=period)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert schema_errors(response.data) == []
    again = client.post(f"/egalim/cantine/{canteen.id}/ma-cantine.csv", data=period)
    assert again.status_code == 409 and "déjà exporté" in again.get_data(as_text=True)
    confirmed = client.post(f"/egalim/cantine/{canteen.id}/ma-cantine.csv",
                            data={**period, "confirm": "y"})  # fmt: skip
    assert confirmed.status_code == 200 and confirmed.data == response.data
    assert db.scalar(select(func.count(MacantineExport.id))) == 2
    empty = client.post(f"/egalim/cantine/{canteen.id}/ma-cantine.csv",
                        data={"first_day": "2026-11-30", "last_day": "2026-11-01"})
    assert empty.status_code == 422 and "précède" in empty.get_data(as_text=True)

    saved = client.post(f"/egalim/cantine/{canteen.id}/autres-achats", data={
        "month": "2026-11", "total_eur": "1 000,50", "egalim_eur": "400", "organic_eur": "200",
        "local_eur": "0", "note": "Épicerie"})  # fmt: skip
    assert saved.status_code == 303
    row = db.scalar(select(OtherPurchases))
    assert row is not None and row.total_eur == Decimal("1000.50") and row.source == "form"
    refused = client.post(f"/egalim/cantine/{canteen.id}/autres-achats", data={
        "month": "2026-11", "total_eur": "10", "egalim_eur": "40", "organic_eur": "0",
        "local_eur": "0"})  # fmt: skip
    assert refused.status_code == 422 and "dépasser le total" in refused.get_data(as_text=True)
    upload = client.post(f"/egalim/cantine/{canteen.id}/autres-achats/import", data={
        "file": (io.BytesIO(b"mois;total_ht;egalim_ht;bio_ht;local_ht\n2026-10;10;5;1;0\n"),
                 "totaux.csv")}, content_type="multipart/form-data")  # fmt: skip
    assert upload.status_code == 303
    assert db.scalar(select(func.count(OtherPurchases.id))) == 2


def test_the_lead_sees_every_canteen_and_zips_them(
    client: Any, login: Any, db: Session, delivered: Any
) -> None:
    scenario = delivered()
    login(scenario.lead)
    html = client.get("/egalim/?annee=2026").get_data(as_text=True)
    for canteen in scenario.canteens.values():
        assert canteen.name in html
    assert 'id="egalim-canteens"' in html
    response = client.post("/egalim/ma-cantine.zip",
                           data={"first_day": "2026-11-01", "last_day": "2026-11-30"})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert len(archive.namelist()) == 2
    assert all(schema_errors(archive.read(name)) == [] for name in archive.namelist())
    assert client.post("/egalim/ma-cantine.zip", data={
        "first_day": "2026-11-01", "last_day": "2026-11-30"}).status_code == 409
    assert client.get(f"/egalim/cantine/{scenario.canteens['stgaudens'].id}").status_code == 200


def test_the_api_gives_the_same_figures(client: Any, db: Session, delivered: Any,
                                        bearer: Any) -> None:  # fmt: skip
    scenario = delivered()
    canteen = scenario.canteens["luchon"]
    manager = bearer(scenario.managers["luchon"])
    figures = client.get(f"/api/v1/canteens/{canteen.id}/egalim?year=2026", headers=manager)
    assert figures.status_code == 200
    data = figures.get_json()
    year = services.canteen_year(canteen.id, 2026, None)
    assert data["year_to_date"]["whole"]["total_eur"] == str(year.whole.total_eur.normalize())
    assert Decimal(data["months"][10]["pial"]["organic_eur"]) == year.months[10].pial.organic_eur
    assert data["missing_other_months"] == ["2026-11"]
    assert client.get("/api/v1/egalim?year=2026", headers=manager).status_code == 403
    lead = bearer(scenario.lead)
    every = client.get("/api/v1/egalim?year=2026", headers=lead).get_json()
    assert {item["canteen_id"] for item in every} == {c.id for c in scenario.canteens.values()}
    csv_file = client.get(f"/api/v1/canteens/{canteen.id}/macantine.csv"
                          "?start=2026-11-01&end=2026-11-30", headers=manager)  # fmt: skip
    assert csv_file.status_code == 200 and schema_errors(csv_file.data) == []
    again = client.get(f"/api/v1/canteens/{canteen.id}/macantine.csv"
                       "?start=2026-11-01&end=2026-11-30", headers=manager)  # fmt: skip
    assert again.status_code == 409
    assert client.get(f"/api/v1/canteens/{canteen.id}/macantine.csv?start=2026-11-01"
                      "&end=2026-11-30&confirm_overlap=true", headers=manager).status_code == 200
