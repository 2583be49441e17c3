"""The money pages: who sees what, statements on screen and in .xlsx, ledger, fund, report."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pial.models import CashAdvance, FeeAccrual, FeeKind, FeeRate, FundMovement, OrderLine
from pial.money.accrual import accrue_week
from tests.allocation.scenario import Scenario
from tests.money.conftest import deliver

MONTH = "2026-11"


def _delivered(scenario: Scenario) -> None:
    deliver(scenario, short_by={0: "5"})
    accrue_week(scenario.iso_week, scenario.lead)


def test_lead_sees_the_month_overview_and_every_statement(
    db: Session, scenario: Scenario, login: Any
) -> None:
    _delivered(scenario)
    client = login(scenario.lead)
    page = client.get(f"/argent/releves?mois={MONTH}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for farm in scenario.farms.values():
        accrued = db.scalar(select(func.count()).select_from(FeeAccrual)
                            .where(FeeAccrual.farm_id == farm.id))
        if accrued:
            assert farm.name in text
    total = db.scalar(select(func.sum(FeeAccrual.base_value_eur)))
    assert f"{total:.2f}".replace(".", ",") in text.replace("\u202f", "").replace("\xa0", "")
    farm = scenario.farms["stgaudens"]
    statement = client.get(f"/argent/releves/ferme/{farm.id}?mois={MONTH}")
    assert statement.status_code == 200
    assert "Net dû à la ferme" in statement.get_data(as_text=True)
    canteen = scenario.canteens["luchon"]
    page = client.get(f"/argent/releves/cantine/{canteen.id}?mois={MONTH}")
    assert page.status_code == 200 and "Montant dû par la cantine" in page.get_data(as_text=True)


def test_statement_xlsx_totals_match_the_accruals(
    db: Session, scenario: Scenario, login: Any
) -> None:
    _delivered(scenario)
    farm = scenario.farms["stgaudens"]
    client = login(scenario.growers["stgaudens"])
    response = client.get(f"/argent/releves/ferme/{farm.id}.xlsx?mois={MONTH}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[2]
    value_col = header.index("Valeur")
    lines = [r for r in rows[3:] if r and r[0] is not None and r[0] != "Total"
             and isinstance(r[value_col], (int, float))]
    accruals = db.scalars(select(FeeAccrual).where(FeeAccrual.farm_id == farm.id)).all()
    assert len(lines) == len(accruals)
    total_row = next(r for r in rows if r and r[0] == "Total")
    expected = sum(a.base_value_eur for a in accruals)
    assert Decimal(str(total_row[value_col])).quantize(Decimal("0.01")) == expected
    assert abs(sum(r[value_col] for r in lines) - float(expected)) < 0.005


def test_statement_xlsx_is_french_for_an_english_reader(
    db: Session, scenario: Scenario, login: Any
) -> None:
    _delivered(scenario)
    farm = scenario.farms["stgaudens"]
    user = scenario.growers["stgaudens"]
    user.locale = "en"
    db.flush()
    client = login(user)
    page = client.get(f"/argent/releves/ferme/{farm.id}?mois={MONTH}").get_data(as_text=True)
    month_en = dt.date.fromisoformat(f"{MONTH}-01").strftime("%B")  # C locale: English names
    assert month_en in page
    response = client.get(f"/argent/releves/ferme/{farm.id}.xlsx?mois={MONTH}")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    title = str(sheet["A1"].value)
    assert title.startswith("Relevé ") and month_en not in title


def test_growers_and_managers_see_only_their_own(
    db: Session, scenario: Scenario, login: Any
) -> None:
    _delivered(scenario)
    own, other = scenario.farms["luchon"], scenario.farms["stgaudens"]
    client = login(scenario.growers["luchon"])
    assert client.get(f"/argent/releves/ferme/{own.id}?mois={MONTH}").status_code == 200
    assert client.get(f"/argent/releves/ferme/{other.id}?mois={MONTH}").status_code == 403
    assert client.get(f"/argent/releves/ferme/{other.id}.xlsx?mois={MONTH}").status_code == 403
    assert client.get(f"/argent/equite/{own.id}").status_code == 200
    assert client.get(f"/argent/equite/{other.id}").status_code == 403
    assert client.get("/argent/releves").status_code == 403
    assert client.get("/argent/regulation").status_code == 403
    mine_now = client.get("/argent/mon-releve")
    assert mine_now.status_code == 302
    assert f"/argent/releves/ferme/{own.id}?mois=" in mine_now.headers["Location"]
    redirect = client.get("/argent/mon-equite")
    assert redirect.status_code == 302
    assert f"/argent/equite/{own.id}" in redirect.headers["Location"]
    client.post("/deconnexion")
    manager = scenario.managers["luchon"]
    client = login(manager)
    mine = scenario.canteens["luchon"].id
    theirs = scenario.canteens["stgaudens"].id
    assert client.get(f"/argent/releves/cantine/{mine}?mois={MONTH}").status_code == 200
    assert client.get(f"/argent/releves/cantine/{theirs}?mois={MONTH}").status_code == 403
    assert client.get(f"/argent/releves/ferme/{own.id}?mois={MONTH}").status_code == 403
    assert client.get(f"/argent/equite/{own.id}").status_code == 403


def test_a_bad_month_is_refused_without_traceback(scenario: Scenario, login: Any) -> None:
    client = login(scenario.lead)
    assert client.get("/argent/releves?mois=2026-13").status_code == 422
    assert client.get("/argent/releves?mois=0000-01").status_code == 422
    assert client.get("/argent/regulation?du=hier").status_code == 422


def test_farm_ledger_explains_each_week(db: Session, scenario: Scenario, login: Any) -> None:
    _delivered(scenario)
    farm = scenario.farms["stgaudens"]
    client = login(scenario.lead)
    page = client.get(f"/argent/equite/{farm.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Planning publié, version 1" in text  # the reason of the allocation entry
    assert 'role="img"' in text and "<desc" in text and "<table" in text
    overview = client.get("/argent/equite")
    assert overview.status_code == 200 and farm.name in overview.get_data(as_text=True)


def test_lead_records_fund_spending_rates_and_advances(
    db: Session, scenario: Scenario, login: Any
) -> None:
    client = login(scenario.lead)
    response = client.post("/argent/fonds", data={
        "movement_date": "2026-11-20", "amount_eur": "-120,50", "label": "Caisses réutilisables"})
    assert response.status_code == 302
    assert db.scalar(select(func.sum(FundMovement.amount_eur))) == Decimal("-120.50")
    assert client.get("/argent/fonds").status_code == 200

    response = client.post("/argent/taux", data={
        "kind": "fee", "percent": "4,5", "valid_from": "2027-01-01", "contract_id": ""})
    assert response.status_code == 302
    rate = db.scalar(select(FeeRate))
    assert rate is not None and rate.rate == Decimal("0.0450") and rate.kind == FeeKind.FEE
    again = client.post("/argent/taux", data={
        "kind": "fee", "percent": "5", "valid_from": "2027-01-01", "contract_id": ""})
    assert again.status_code == 200 and "commence déjà" in again.get_data(as_text=True)

    farm = scenario.farms["luchon"]
    response = client.post("/argent/avances/nouvelle", data={
        "farm_id": farm.id, "amount_eur": "1 500", "granted_date": "2026-09-01",
        "recovery_percent": "10"})
    assert response.status_code == 302
    advance = db.scalar(select(CashAdvance))
    assert advance is not None and advance.recovery_rate == Decimal("0.1000")
    assert advance.amount_eur == Decimal("1500.00")
    response = client.post(f"/argent/avances/{advance.id}/remboursement", data={
        "repaid_on": "2026-10-01", "amount_eur": "2000"})
    assert response.status_code == 302
    assert not advance.recoveries  # more than what is due: refused
    client.post(f"/argent/avances/{advance.id}/remboursement", data={
        "repaid_on": "2026-10-01", "amount_eur": "500"})
    assert sum(r.amount_eur for r in advance.recoveries) == Decimal("500.00")
    page = client.get(f"/argent/avances/{advance.id}")
    assert page.status_code == 200 and "1000,00" in page.get_data(as_text=True).replace(
        "\u202f", "").replace("\xa0", "")
    assert client.get("/argent/avances").status_code == 200


def test_stale_advance_edit_is_refused(db: Session, scenario: Scenario, login: Any) -> None:
    farm = scenario.farms["luchon"]
    advance = CashAdvance(farm_id=farm.id, amount_eur=Decimal(100),
                          granted_date=dt.date(2026, 9, 1), recovery_rate=Decimal("0.1"))
    db.add(advance)
    db.commit()
    client = login(scenario.lead)
    data = {"farm_id": farm.id, "amount_eur": "200", "granted_date": "2026-09-01",
            "recovery_percent": "10", "version_id": str(advance.version_id)}
    assert client.post(f"/argent/avances/{advance.id}", data=data).status_code == 302
    stale = client.post(f"/argent/avances/{advance.id}", data={**data, "amount_eur": "300"})
    assert stale.status_code == 200
    assert "a modifié cette fiche" in stale.get_data(as_text=True)
    assert advance.amount_eur == Decimal(200)


def test_regulation_report_page_and_xlsx(db: Session, scenario: Scenario, login: Any) -> None:
    _delivered(scenario)
    client = login(scenario.lead)
    page = client.get("/argent/regulation?du=2026-11-01&au=2026-11-30")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Taux de service par semaine" in text and "kg·km" in text
    assert text.count('role="img"') >= 3
    response = client.get("/argent/regulation.xlsx?du=2026-11-01&au=2026-11-30")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert {"Synthèse", "Semaines", "Manques", "Pertes de récolte", "Équité", "Contrats",
            "Fonds"} <= set(book.sheetnames)
    weeks = list(book["Semaines"].iter_rows(values_only=True))
    assert weeks[1][0] == scenario.iso_week
    summary = {row[0]: row[1] for row in book["Synthèse"].iter_rows(values_only=True) if row}
    fee_total = db.scalar(select(func.sum(FeeAccrual.fee_eur)))
    assert abs(summary["Frais d'intermédiation"] - float(fee_total)) < 0.005


def test_lead_accrues_a_week_from_the_statements_page(
    db: Session, scenario: Scenario, login: Any
) -> None:
    deliver(scenario)
    client = login(scenario.lead)
    page = client.get(f"/argent/releves?mois={MONTH}")
    assert "Semaines livrées à comptabiliser" in page.get_data(as_text=True)
    response = client.post(f"/argent/semaines/{scenario.iso_week}/comptabiliser")
    assert response.status_code == 302
    assert db.scalar(select(func.count()).select_from(FeeAccrual)) > 0
    page = client.get(f"/argent/releves?mois={MONTH}")
    assert "Semaines livrées à comptabiliser" not in page.get_data(as_text=True)


def test_regulation_page_speaks_the_users_language_and_its_xlsx_stays_french(
    db: Session, scenario: Scenario, login: Any
) -> None:
    """Chart labels and shortfall causes follow the user; the shared .xlsx record is French."""
    # Leeks: 70 kg offered, 50 + 60 kg ordered, so the plan is short for lack of offer.
    db.add(OrderLine(week_id=scenario.week.id, canteen_id=scenario.canteens["luchon"].id,
                     product_id=scenario.products["poireau"].id, day=scenario.week.monday_date,
                     quantity=Decimal(60)))
    db.commit()
    _delivered(scenario)
    period = "?du=2026-11-01&au=2026-11-30"
    url = "/argent/regulation" + period
    client = login(scenario.lead)
    french = client.get(url).get_data(as_text=True)
    assert "offre insuffisante des fermes" in french and "Toutes commandes (%)" in french
    assert "farms offered too little" not in french
    scenario.lead.locale = "en"
    db.commit()
    english = client.get(url).get_data(as_text=True)
    assert "farms offered too little" in english and "All orders (%)" in english
    assert "offre insuffisante des fermes" not in english
    book = load_workbook(io.BytesIO(client.get("/argent/regulation.xlsx" + period).data))
    causes = [row[5] for row in book["Manques"].iter_rows(min_row=2, values_only=True)]
    assert causes == ["offre insuffisante des fermes"]
