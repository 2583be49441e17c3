"""The lead manages groups of canteens and chooses who each canteen's invoices go to."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pial.invoices.services import issue_month_invoices
from pial.models import AuditLog, Canteen, CanteenGroup, Invoice
from pial.money.statements import canteen_statement
from tests.allocation.scenario import AFTER_CLOSE, Scenario
from tests.invoices.test_invoices import NOVEMBER, _deliver

GROUP_SIRET = "21310483600019"  # Luhn-valid
WRONG_SIRET = "21310483600018"  # one digit off


@pytest.fixture
def clock() -> list[dt.datetime]:
    """The app's « now », moved on to December by ``_deliver``."""
    return [AFTER_CLOSE]


@pytest.fixture
def app_config(clock: list[dt.datetime]) -> dict[str, Any]:
    return {"PIAL_CLOCK": lambda: clock[0]}


def _group_form(name: str, siret: str, canteens: list[Canteen]) -> dict[str, Any]:
    return {"name": name, "siret": siret, "address": "1 place de la Mairie\n31110 Luchon",
            "note": "", "canteen_ids": [str(c.id) for c in canteens]}


def _canteen_form(canteen: Canteen, invoiced_to: str) -> dict[str, Any]:
    """The canteen's form as the page sends it, with « Facturé à » set to ``invoiced_to``."""
    return {"name": canteen.name, "kind": str(canteen.kind), "commune": canteen.commune,
            "lat": str(canteen.lat).replace(".", ","), "lon": str(canteen.lon).replace(".", ","),
            "meals_per_day": "", "address": "", "siret": "", "delivery_note": "",
            "contact_phone": "", "contact_email": "", "is_active": "y",
            "invoiced_group_id": invoiced_to, "version_id": str(canteen.version_id)}


def test_a_group_created_by_the_lead_receives_one_invoice_for_its_canteens(
    db: Session, scenario: Scenario, clock: list[dt.datetime], login: Any
) -> None:
    browser = login(scenario.lead)
    luchon, leclerc = scenario.canteens["luchon"], scenario.canteens["stgaudens"]
    assert "Groupements de cantines" in browser.get("/admin/cantines").get_data(as_text=True)

    # A wrong SIRET is refused, the field named beside its input, and nothing is written.
    refused = browser.post("/admin/groupements/nouveau",
                           data=_group_form("Commune de Luchon", WRONG_SIRET, [luchon, leclerc]))
    page = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 200
    assert 'id="siret-errors"' in page and f"Le SIRET « {WRONG_SIRET} » n'existe pas" in page
    assert db.scalar(select(func.count()).select_from(CanteenGroup)) == 0

    created = browser.post("/admin/groupements/nouveau",
                           data=_group_form("Commune de Luchon", f" {GROUP_SIRET[:9]} "
                                            f"{GROUP_SIRET[9:]}", [luchon, leclerc]))
    assert created.status_code == 302, created.get_data(as_text=True)
    group = db.scalars(select(CanteenGroup)).one()
    assert group.siret == GROUP_SIRET and group.address == "1 place de la Mairie\n31110 Luchon"
    assert {c.id for c in group.canteens} == {luchon.id, leclerc.id}
    audit = db.scalar(select(AuditLog).where(AuditLog.action == "canteen_group.create"))
    assert audit is not None and GROUP_SIRET in (audit.after_json or "")
    listing = browser.get("/admin/groupements").get_data(as_text=True)
    assert "Commune de Luchon" in listing and "Collège Leclerc" in listing

    # The canteen form offers the canteen itself or its groups; both are set to the group.
    form_page = browser.get(f"/admin/cantines/{luchon.id}").get_data(as_text=True)
    assert "Facturé à" in form_page and "la cantine elle-même" in form_page
    for canteen in (luchon, leclerc):
        response = browser.post(f"/admin/cantines/{canteen.id}",
                                data=_canteen_form(canteen, str(group.id)))
        assert response.status_code == 302, response.get_data(as_text=True)
    db.expire_all()
    assert luchon.invoiced_group_id == leclerc.invoiced_group_id == group.id

    _deliver(db, scenario, clock)
    report = issue_month_invoices(NOVEMBER, scenario.lead)
    assert len(report.issued) == 1
    invoice = report.issued[0]
    assert invoice.buyer_group_id == group.id and invoice.buyer_canteen_id is None
    assert invoice.buyer_name == "Commune de Luchon" and invoice.buyer_siret == GROUP_SIRET
    assert invoice.buyer_address == "1 place de la Mairie\n31110 Luchon"
    both = sum(canteen_statement(c.id, NOVEMBER).total("value_eur") for c in (luchon, leclerc))
    assert invoice.total_excl_vat_eur == both > 0
    assert db.scalar(select(func.count()).select_from(Invoice)) == 1


def test_a_canteen_is_invoiced_only_to_a_group_it_belongs_to(
    db: Session, scenario: Scenario, login: Any
) -> None:
    browser = login(scenario.lead)
    luchon, leclerc = scenario.canteens["luchon"], scenario.canteens["stgaudens"]
    browser.post("/admin/groupements/nouveau", data=_group_form("Luchon", "", [luchon]))
    group = db.scalars(select(CanteenGroup)).one()
    assert group.siret is None

    refused = browser.post(f"/admin/cantines/{leclerc.id}",
                           data=_canteen_form(leclerc, str(group.id)))
    page = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 200
    assert 'id="invoiced_group_id-errors"' in page
    assert "Facturé à : la cantine n'est pas membre de ce groupement" in page
    db.expire_all()
    assert leclerc.invoiced_group_id is None

    # A member invoiced to the group cannot be removed from it before its payer is changed.
    assert browser.post(f"/admin/cantines/{luchon.id}", data=_canteen_form(
        luchon, str(group.id))).status_code == 302
    kept = browser.post(f"/admin/groupements/{group.id}", data=_group_form("Luchon", "", []))
    assert kept.status_code == 200
    assert "Cantines membres : Cité scolaire Luchon est facturée à ce groupement" in html.unescape(
        kept.get_data(as_text=True))
    db.expire_all()
    assert [c.id for c in group.canteens] == [luchon.id]
    # Back to the canteen itself, then it may leave.
    db.refresh(luchon)
    assert browser.post(f"/admin/cantines/{luchon.id}", data=_canteen_form(
        luchon, "")).status_code == 302
    assert browser.post(f"/admin/groupements/{group.id}",
                        data=_group_form("Luchon", "", [])).status_code == 302
    db.expire_all()
    assert group.canteens == [] and luchon.invoiced_group_id is None


@pytest.mark.parametrize("role", ["grower", "canteen"])
def test_only_the_lead_reaches_the_group_pages(
    client: Any, make_user: Any, login: Any, role: str
) -> None:
    login(make_user(role))
    for path in ("/admin/groupements", "/admin/groupements/nouveau"):
        assert client.get(path).status_code == 403, path
    assert client.post("/admin/groupements/nouveau",
                       data={"name": "Intrus", "siret": ""}).status_code == 403


def test_a_stale_edit_of_a_group_is_refused_and_shows_the_other_change(
    db: Session, scenario: Scenario, login: Any
) -> None:
    browser = login(scenario.lead)
    luchon, leclerc = scenario.canteens["luchon"], scenario.canteens["stgaudens"]
    browser.post("/admin/groupements/nouveau", data=_group_form("Luchon", "", [luchon]))
    group = db.scalars(select(CanteenGroup)).one()
    page = browser.get(f"/admin/groupements/{group.id}").get_data(as_text=True)
    seen = page.split('name="seen" type="hidden" value="')[1].split('"')[0]
    # Meanwhile another tab adds the Collège Leclerc.
    other = browser.post(f"/admin/groupements/{group.id}",
                         data={**_group_form("Luchon", "", [luchon, leclerc]), "seen": seen})
    assert other.status_code == 302
    mine = browser.post(f"/admin/groupements/{group.id}",
                        data={**_group_form("Commune de Luchon", "", [luchon]), "seen": seen})
    text = html.unescape(mine.get_data(as_text=True))
    assert mine.status_code == 200
    assert "Quelqu'un d'autre a modifié ce groupement" in text
    assert "cantines membres : Cité scolaire Luchon, Collège Leclerc" in text
    db.expire_all()
    assert group.name == "Luchon" and {c.id for c in group.canteens} == {luchon.id, leclerc.id}
