"""A delivery note is a real one, on the page and in its PDF copy: parties, lines, signatures."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.allocation import services as allocation
from pial.deliveries.services import delivery_note
from pial.i18n import format_money
from pial.models import (
    CertificationLabel,
    Delivery,
    FarmCertificate,
    OutboxMessage,
    find_platform,
)
from tests.allocation.scenario import Scenario

PAGE = "/semaines/2026-W48/mes-livraisons"
SUPPLIER_SIRET = "91234501400019"
CANTEEN_SIRET = "19310016100010"
FARM_SIRET = "82015633900013"
CERTIFICATE = "FR-BIO-01-31-2020-1157"


def _identities(db: Session, scenario: Scenario, canteen_id: int, farm_ids: set[int]) -> None:
    """Give the group, the canteen and its farms their legal identity and certificates."""
    platform = find_platform(db)
    assert platform is not None
    platform.legal_name = "SCIC Légumes du Comminges"
    platform.siret = SUPPLIER_SIRET
    platform.address = "2 place du Marché, 31110 Bagnères-de-Luchon"
    canteen = next(c for c in scenario.canteens.values() if c.id == canteen_id)
    canteen.siret = CANTEEN_SIRET
    canteen.address = "Avenue de Toulouse, 31800 Saint-Gaudens"
    for farm in scenario.farms.values():
        if farm.id in farm_ids:
            farm.siret = FARM_SIRET
            farm.address = f"Chemin de {farm.name}, 31110 Juzet"
            farm.certificates.append(FarmCertificate(
                label=CertificationLabel.BIO, body="Ecocert France", number=CERTIFICATE,
                valid_from=dt.date(2020, 1, 1)))
    db.commit()


def _text(html: str) -> str:
    """Return a page's visible text, tags dropped and spaces folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").split())


def test_delivery_note_page_and_pdf_name_the_parties(db: Session, scenario: Scenario,
                                                     login: Any, client: Any) -> None:
    run = allocation.allocate_week(scenario.iso_week, scenario.lead)
    run = allocation.publish_week(scenario.iso_week, scenario.lead)
    manager = scenario.managers["stgaudens"]
    lines = [line for line in run.lines if line.canteen_id == manager.canteen_id]
    day = min(line.day for line in lines)
    day_lines = [line for line in lines if line.day == day]
    _identities(db, scenario, manager.canteen_id, {line.farm_id for line in day_lines})

    login(manager)
    html = client.get(PAGE).get_data(as_text=True)
    page = _text(html)
    for expected in ("SCIC Légumes du Comminges", f"SIRET {SUPPLIER_SIRET}",
                     "Avenue de Toulouse, 31800 Saint-Gaudens", f"SIRET {CANTEEN_SIRET}",
                     f"Ecocert France n° {CERTIFICATE}", "Signature du livreur",
                     "signature et cachet du destinataire"):
        assert expected in page, expected
    link = f"/semaines/2026-W48/cantines/{manager.canteen_id}/bon-{day.isoformat()}.pdf"
    assert f'href="{link}"' in html

    response = client.get(link)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    pdf = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    pdf = re.sub(r"(\w)- (\w)", r"\1-\2", pdf)  # a line broken after a hyphen
    for expected in ("Bon de livraison", "SCIC Légumes du Comminges", SUPPLIER_SIRET,
                     "Avenue de Toulouse, 31800 Saint-Gaudens", CANTEEN_SIRET, CERTIFICATE,
                     "Signature du livreur", "Page 1 /"):
        assert expected in pdf, expected
    for line in day_lines:
        assert line.product.name_fr in pdf and line.farm.name in pdf
    # The same lines, unit prices and total as the page's note of that day.
    note = delivery_note(manager.canteen_id, scenario.iso_week, day)
    total = " ".join(format_money(note.total_eur).split())
    assert note.total_eur > 0 and total in pdf
    assert f"Total du jour : {total}" in page
    for farm in note.farms:
        for item in farm.lines:
            assert " ".join(format_money(item.price_eur).split()) in pdf
            assert " ".join(format_money(item.line.value_eur).split()) in pdf
    metadata = reader.xmp_metadata
    assert metadata is not None and metadata.pdfaid_part == "3"

    assert client.get(link.replace(day.isoformat(), "2026-13-45")).status_code == 404
    client.post("/deconnexion")

    other = next(m for m in scenario.managers.values() if m.canteen_id != manager.canteen_id)
    login(other)
    assert client.get(link).status_code == 403
    client.post("/deconnexion")
    login(scenario.growers["luchon"])
    assert client.get(link).status_code == 403
    client.post("/deconnexion")
    login(scenario.lead)
    assert client.get(link).status_code == 200


def test_pick_list_page_and_mail_harvest_first_then_stops_in_round_order(
    db: Session, scenario: Scenario, login: Any, client: Any
) -> None:
    allocation.allocate_week(scenario.iso_week, scenario.lead)
    allocation.publish_week(scenario.iso_week, scenario.lead)
    mails = {message.to_address: message.body_text for message in db.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "planning_published"))}
    checked_stops = 0
    for key, grower in scenario.growers.items():
        farm = scenario.farms[key]
        login(grower)
        page = _text(client.get(PAGE).get_data(as_text=True))
        client.post("/deconnexion")
        trips = db.scalars(select(Delivery).where(Delivery.farm_id == farm.id)
                           .order_by(Delivery.day, Delivery.route_order)).all()
        days = sorted({trip.day for trip in trips})
        # The page, then the e-mail the grower received at publication.
        sections = page.split("À récolter")[1:]
        assert len(sections) == len(days), key
        if days:
            mail_sections = mails[grower.email].split("À récolter :")[1:]
            assert len(mail_sections) == len(days), key
            sections += mail_sections
        for day, section in zip(days + days, sections, strict=True):
            harvest, _, rounds = section.partition("Tournée")
            assert rounds, f"{key} {day}: the round comes after the harvest"
            assert any(product.name_fr in harvest for product in scenario.products.values())
            names = [scenario_canteen.name for trip in trips if trip.day == day
                     for scenario_canteen in scenario.canteens.values()
                     if scenario_canteen.id == trip.canteen_id]
            positions = [rounds.index(name) for name in names]
            assert positions == sorted(positions), f"{key} {day}: stops out of round order"
            checked_stops += len(names)
    assert checked_stops >= 6
